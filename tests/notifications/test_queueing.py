"""Queueing messages (notifications.services.notification_queue): rendered, routed and
deduplicated; SMS held through quiet hours unless the student asked for it."""

import datetime as dt

import pytest

from notifications.models import Notification
from notifications.services import (
    Recipient,
    after_quiet_hours,
    notification_queue,
    notifications_due,
)
from tests.factories import StudentFactory
from tests.notifications.messages import CONTEXT, queue

pytestmark = pytest.mark.django_db


def test_messages_are_rendered_routed_and_deduplicated(school):
    arabic = StudentFactory(school=school, language="ar")
    by_email = StudentFactory(school=school, language="uk", contact_channel="email")
    opted_out = StudentFactory(school=school, messages_opt_out=True)
    unreachable = StudentFactory(school=school, phone="", email="")
    assert queue(school, [arabic, by_email, opted_out, unreachable]) == 2
    assert queue(school, [arabic, by_email]) == 0  # the same event again: nothing new
    sms = Notification.objects.get(student=arabic)
    assert (sms.channel, sms.language, sms.address) == ("sms", "ar", str(arabic.phone))
    assert sms.body == "تم إلغاء درس A1-2026-A يوم 23 نوفمبر الساعة 17:00."
    email = Notification.objects.get(student=by_email)
    assert (email.channel, email.address, email.language) == ("email", by_email.email, "uk")


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        (dt.datetime(2026, 11, 23, 10, 0), dt.datetime(2026, 11, 23, 10, 0)),  # 12:00: now
        (
            dt.datetime(2026, 11, 23, 20, 30),
            dt.datetime(2026, 11, 24, 6, 0),
        ),  # 22:30: 08:00 next day
        (dt.datetime(2026, 11, 23, 3, 0), dt.datetime(2026, 11, 23, 6, 0)),  # 05:00: 08:00 same day
    ],
)
def test_no_sms_in_quiet_hours(school, utc, expected):
    assert after_quiet_hours(utc.replace(tzinfo=dt.UTC), school) == expected.replace(tzinfo=dt.UTC)


def test_quiet_hours_hold_sms_but_not_email(school):
    night = dt.datetime(2026, 11, 23, 20, 30, tzinfo=dt.UTC)
    sms_student = StudentFactory(school=school)
    email_student = StudentFactory(school=school, contact_channel="email")
    queue(school, [sms_student, email_student], due_at=night)
    assert Notification.objects.get(student=sms_student).due_at == dt.datetime(
        2026, 11, 24, 6, 0, tzinfo=dt.UTC
    )
    assert Notification.objects.get(student=email_student).due_at == night
    assert notifications_due(now=night) == [Notification.objects.get(student=email_student).pk]


def test_a_requested_message_is_not_held_and_reaches_those_who_opted_out(school):
    night = dt.datetime(2026, 11, 23, 20, 30, tzinfo=dt.UTC)
    student = StudentFactory(school=school, messages_opt_out=True)
    notification_queue(
        school=school, kind="lesson_cancelled", recipients=[Recipient(student=student)],
        context=CONTEXT, dedup_key="notice:1", due_at=night,
    )  # fmt: skip
    assert not Notification.objects.filter(student=student).exists()  # a notice: not wanted
    notification_queue(
        school=school, kind="lesson_cancelled", recipients=[Recipient(student=student)],
        context=CONTEXT, dedup_key="asked:1", due_at=night, requested=True,
    )  # fmt: skip
    assert Notification.objects.get(student=student).due_at == night
