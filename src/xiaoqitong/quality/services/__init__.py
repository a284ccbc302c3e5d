"""Services of quality, one module per area
(assessment, certificates, skilltests, resources, training, teachers)."""
