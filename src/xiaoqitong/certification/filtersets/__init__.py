"""Certification, split per area: applications (criteria, documents, opinions), certifications
(titles, reviews, plaques), incentives, the targets (T12, T2) and the public list."""
