"""Periodic jobs, declared here and kept in django-celery-beat's tables (editable in the admin).

A job missing from the database is created on ``migrate``; one that exists keeps whatever an
administrator changed (its time, or switching it off).
"""

from typing import Any

from django.db import transaction

# name: (task, crontab fields)
PERIODIC_TASKS: dict[str, tuple[str, dict[str, str]]] = {
    "pass rates, nightly": ("exams.tasks.pass_rates_refresh_all", {"minute": "30", "hour": "2"}),
    "messages due, every minute": ("notifications.tasks.dispatch_due_notifications", {}),
    "lesson reminders, hourly": ("courses.tasks.remind_lessons_tomorrow", {"minute": "5"}),
    "absence alerts, daily": ("courses.tasks.send_absence_alerts", {"minute": "0", "hour": "9"}),
    "at-risk digest, daily": ("courses.tasks.send_at_risk_digest", {"minute": "15", "hour": "9"}),
    "exam notices, daily": ("exams.tasks.send_exam_notices", {"minute": "30", "hour": "9"}),
    # Questionnaires still open on day 7 and day 21 are sent again; 6-month follow-ups go out.
    "questionnaire reminders and follow-ups, daily": (
        "courses.tasks.send_questionnaire_reminders",
        {"minute": "45", "hour": "9"},
    ),
    # Seat offers run on hours, not days: a seat should not sit empty past its offer's time.
    "seat offers expiring, every 5 minutes": (
        "courses.tasks.expire_seat_offers",
        {"minute": "*/5"},
    ),
    "placement test reminders, daily": (
        "courses.tasks.remind_placement_tests",
        {"minute": "0", "hour": "10"},
    ),
    "erase old applications, monthly": (
        "courses.tasks.erase_expired_applicants",
        {"minute": "30", "hour": "3", "day_of_month": "1"},
    ),
    "backup, nightly": ("school.tasks.backup_database_and_media", {"minute": "0", "hour": "1"}),
    # DOMAIN.md §4: personal data go once the retention period ends; a month's delay is fine.
    "anonymise expired students, monthly": (
        "school.tasks.anonymise_expired_students",
        {"minute": "0", "hour": "3", "day_of_month": "1"},
    ),
}


@transaction.atomic
def sync_periodic_tasks(**kwargs: Any) -> None:
    from django.conf import settings
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    for name, (task, when) in PERIODIC_TASKS.items():
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        schedule, _created = CrontabSchedule.objects.get_or_create(
            minute=when.get("minute", "*"),
            hour=when.get("hour", "*"),
            day_of_week=when.get("day_of_week", "*"),
            day_of_month=when.get("day_of_month", "*"),
            month_of_year=when.get("month_of_year", "*"),
            timezone=settings.TIME_ZONE,
        )
        PeriodicTask.objects.create(name=name, task=task, crontab=schedule)
