"""Scheduled notices of the courses app: thin, call the notices module."""

from celery import shared_task

from courses import notices
from courses.services import intake
from courses.services.questionnaires import follow_ups_send, questionnaire_reminders_send


@shared_task(acks_late=True)
def remind_lessons_tomorrow() -> int:
    return notices.lessons_tomorrow()


@shared_task(acks_late=True)
def send_absence_alerts() -> int:
    return notices.absence_alerts()


@shared_task(acks_late=True)
def send_at_risk_digest() -> int:
    return notices.at_risk_digest()


@shared_task(acks_late=True)
def send_questionnaire_reminders() -> int:
    """Open questionnaires again on day 7 and day 21; follow-ups that fall due today."""
    return questionnaire_reminders_send() + follow_ups_send()


@shared_task(acks_late=True)
def expire_seat_offers() -> int:
    """Offers past their time close, and each seat passes to the next in line."""
    return intake.seat_offers_expire()


@shared_task(acks_late=True)
def remind_placement_tests() -> int:
    """The day before a placement test, each applicant invited to it is reminded."""
    return intake.placement_reminders_send()


@shared_task(acks_late=True)
def erase_expired_applicants() -> int:
    """Monthly: applicants who never enrolled are erased after the school's retention period."""
    return intake.applicants_erase_expired()
