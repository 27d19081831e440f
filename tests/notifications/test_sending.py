"""Sending (notifications.services.notification_send, notifications_send): exactly once by
claiming, retries with backoff for what retrying can fix, failure at once for the rest."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from notifications.models import Notification
from notifications.services import (
    Outcome,
    Recipient,
    notification_queue,
    notification_send,
    notifications_due,
    notifications_send,
)
from tests.conftest import api_as
from tests.factories import StudentFactory, UserFactory
from tests.notifications.messages import NOON, queue

pytestmark = pytest.mark.django_db


def test_sent_once_through_the_http_gateway_even_when_asked_twice(school, http_sms):
    student = StudentFactory(school=school)
    queue(school, [student])
    message = Notification.objects.get()
    assert notification_send(notification_id=message.pk, now=NOON)[0] == Outcome.SENT
    assert notification_send(notification_id=message.pk, now=NOON)[0] == Outcome.SKIPPED
    assert len(http_sms.accepted) == 1
    assert http_sms.accepted[0]["to"] == str(student.phone)
    assert http_sms.accepted[0]["reference"] == message.dedup_key
    assert http_sms.headers[0]["Authorization"] == "Bearer test-key"
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)


def test_a_held_message_is_not_taken_by_a_second_sender(school, http_sms):
    queue(school, [StudentFactory(school=school)])
    message = Notification.objects.get()
    Notification.objects.filter(pk=message.pk).update(claimed_until=NOON + dt.timedelta(minutes=1))
    assert notification_send(notification_id=message.pk, now=NOON)[0] == Outcome.SKIPPED
    # After the hold expires (the first sender died), the sweep's send goes through.
    assert (
        notification_send(notification_id=message.pk, now=NOON + dt.timedelta(minutes=2))[0]
        == Outcome.SENT
    )


def test_gateway_500_is_retried_with_exponential_backoff_then_sent(school, http_sms, settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 5
    http_sms.fail_next = 2
    queue(school, [StudentFactory(school=school)])
    message = Notification.objects.get()
    assert notification_send(notification_id=message.pk, now=NOON) == (Outcome.RETRY, 1)
    message.refresh_from_db()
    assert message.due_at == NOON + dt.timedelta(seconds=5)
    # Not due yet: the sweep leaves it alone until the backoff has passed.
    assert notification_send(notification_id=message.pk, now=NOON)[0] == Outcome.SKIPPED
    later = NOON + dt.timedelta(seconds=5)
    assert notification_send(notification_id=message.pk, now=later) == (Outcome.RETRY, 2)
    message.refresh_from_db()
    assert message.due_at == later + dt.timedelta(seconds=10)
    assert notification_send(notification_id=message.pk, now=message.due_at) == (Outcome.SENT, 3)
    assert len(http_sms.accepted) == 1


def test_a_gateway_that_keeps_failing_ends_failed_after_the_last_attempt(school, http_sms):
    http_sms.fail_next = 10
    queue(school, [StudentFactory(school=school)])
    message = Notification.objects.get()
    outcomes = []
    for _ in range(3):
        message.refresh_from_db()
        outcomes.append(notification_send(notification_id=message.pk, now=message.due_at)[0])
    assert outcomes == [Outcome.RETRY, Outcome.RETRY, Outcome.FAILED]
    message.refresh_from_db()
    assert message.status == "failed"
    assert "500" in message.last_error


def test_a_refused_number_fails_at_once_and_shows_in_the_log(school, http_sms, coordinator):
    student = StudentFactory(school=coordinator.school)
    http_sms.refuse_numbers.add(str(student.phone))
    queue(coordinator.school, [student])
    message = Notification.objects.get()
    assert notification_send(notification_id=message.pk, now=NOON) == (Outcome.FAILED, 1)
    body = api_as(coordinator).get("/api/v1/notifications/", {"status": "failed"}).json()
    assert body["count"] == 1
    assert "400" in body["results"][0]["last_error"]
    resent = api_as(coordinator).post(f"/api/v1/notifications/{message.pk}/resend/")
    assert resent.json()["status"] == "queued"
    assert (
        api_as(coordinator).post(f"/api/v1/notifications/{message.pk}/resend/").status_code == 409
    )


def test_a_coordinators_message_goes_by_email(school):
    coordinator = UserFactory(school=school, role="coordinator")
    notification_queue(
        school=school, kind="waitlist_promoted_coordinator", recipients=[Recipient(user=coordinator)],
        context={"student": "Amina H.", "cycle": "A1-2026-A"}, dedup_key="promoted:1", due_at=NOON,
    )  # fmt: skip
    message = Notification.objects.get()
    assert notification_send(notification_id=message.pk, now=NOON)[0] == Outcome.SENT
    assert mail.outbox[0].to == [coordinator.email]
    assert "Amina H." in mail.outbox[0].body


def test_a_batch_sends_records_and_backs_off(school, http_sms):
    from notifications.tasks import send_notifications

    students = [StudentFactory(school=school) for _ in range(5)]
    http_sms.refuse_numbers.add(str(students[0].phone))
    queue(school, students)
    ids = list(Notification.objects.order_by("pk").values_list("pk", flat=True))
    held = ids[4]
    Notification.objects.filter(pk=held).update(claimed_until=NOON + dt.timedelta(minutes=1))
    http_sms.fail_next = 1  # the first request (the refused number's) gets a 500 instead
    outcomes = notifications_send(ids=ids, now=NOON)
    assert [outcomes[pk][0] for pk in ids] == ["retry", "sent", "sent", "sent", "skipped"]
    retried = Notification.objects.get(pk=ids[0])
    assert (retried.status, retried.attempts) == ("queued", 1)
    assert retried.due_at > NOON
    assert Notification.objects.get(pk=held).status == "queued"  # another sender holds it
    # A repeated batch at the same moment sends nothing: the sent ones are done, the retried one
    # is not due until its backoff ends and the held one is still held.
    with time_machine.travel(NOON, tick=False):
        assert send_notifications.apply(args=(ids,)).get() == {"skipped": 5}
    assert len(http_sms.delivered) == 3


def test_a_slow_gateway_makes_the_sender_hand_back_the_rest_before_its_hold_lapses(
    school, http_sms, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_CLAIM_SECONDS = 1  # half of it, 0.5 s, is the sender's budget
    http_sms.delay = 0.2
    queue(school, [StudentFactory(school=school) for _ in range(10)])
    ids = list(Notification.objects.order_by("due_at", "pk").values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=False) as handed_back:
        outcomes = notifications_send(ids=ids, now=NOON)
    sent = [pk for pk in ids if outcomes[pk][0] == Outcome.SENT]
    rest = [pk for pk in ids if outcomes[pk][0] == Outcome.SKIPPED]
    assert 1 <= len(sent) <= 4
    assert sent + rest == ids  # in order: the first ones sent, the others handed back
    assert not Notification.objects.filter(pk__in=rest).exclude(claimed_until=None).exists()
    assert notifications_due(now=NOON) == rest  # due again at once, held by nobody
    assert len(handed_back) == 1  # and put in a new task straight away
