"""The outbox of messages to students and staff (generic: it knows nothing of courses or exams)."""
