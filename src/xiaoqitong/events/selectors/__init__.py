"""Split per area (registrations, slots, checkin, outcomes, dialogues, targets), like ``quality``."""
