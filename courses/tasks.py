"""Scheduled notices of the courses app: thin, call the notices module."""

from celery import shared_task

from courses import notices


@shared_task(acks_late=True)
def remind_lessons_tomorrow() -> int:
    return notices.lessons_tomorrow()


@shared_task(acks_late=True)
def send_absence_alerts() -> int:
    return notices.absence_alerts()


@shared_task(acks_late=True)
def send_at_risk_digest() -> int:
    return notices.at_risk_digest()
