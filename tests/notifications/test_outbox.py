import datetime as dt

import pytest
import time_machine
from django.core import mail

from notifications.models import Notification
from notifications.services import (
    Outcome,
    Recipient,
    after_quiet_hours,
    notification_queue,
    notification_send,
    notifications_due,
    notifications_send,
)
from notifications.texts import TEXTS, render
from tests.conftest import api_as
from tests.factories import SchoolFactory, StudentFactory, UserFactory
from tests.fake_gateway import fake_gateway

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)  # 12:00 in Athens
CONTEXT = {
    "cycle": "A1-2026-A",
    "date": "2026-11-23",
    "starts_at": "17:00",
    "ends_at": "20:00",
    "venue": "Centre",
    "room": "",
}


@pytest.fixture
def http_sms(settings):
    with fake_gateway() as gateway:
        settings.SMS_BACKEND = "notifications.channels.HttpSMSBackend"
        settings.SMS_GATEWAY_URL = gateway.url
        settings.SMS_GATEWAY_AUTH_HEADER = "Authorization: Bearer test-key"
        settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
        yield gateway


def queue(school, students, kind="lesson_cancelled", key="event:1", due_at=NOON):
    return notification_queue(
        school=school,
        kind=kind,
        recipients=[Recipient(student=s) for s in students],
        context=CONTEXT,
        dedup_key=key,
        due_at=due_at,
    )


@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_every_kind_has_english_and_greek(kind):
    assert {"en", "el"} <= set(TEXTS[kind])


def test_texts_come_in_the_students_language_with_fallbacks():
    assert render("lesson_cancelled", "fa", CONTEXT)[0] == "fa"
    assert "لغو" in render("lesson_cancelled", "fa", CONTEXT)[2]
    assert render("waitlist_promoted_coordinator", "ar", {"student": "X", "cycle": "A1"})[0] == "en"
    # An empty room leaves no double space; a missing value renders as nothing.
    assert "  " not in render("lesson_moved", "en", CONTEXT)[2]


def test_days_in_a_text_read_as_its_language_writes_them():
    # Kept as ISO dates in the facts; written out in the text, the Greek month in the genitive.
    assert render("lesson_cancelled", "el", CONTEXT)[2] == (
        "Το μάθημα A1-2026-A στις 23 Νοεμβρίου (17:00) ακυρώνεται."
    )
    assert "on 23 November at 17:00" in render("lesson_cancelled", "en", CONTEXT)[2]
    exam = {"round": "A1", "exam_date": "2027-05-15", "centre": "X", "deadline": "2027-03-31"}
    assert "15 Μαΐου 2027" in render("exam_day", "el", exam)[2]
    assert "31 березня 2027" in render("exam_deadline", "uk", exam)[2]


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


def test_email_to_coordinators(school):
    coordinator = UserFactory(school=school, role="coordinator")
    notification_queue(
        school=school, kind="waitlist_promoted_coordinator", recipients=[Recipient(user=coordinator)],
        context={"student": "Amina H.", "cycle": "A1-2026-A"}, dedup_key="promoted:1", due_at=NOON,
    )  # fmt: skip
    message = Notification.objects.get()
    assert notification_send(notification_id=message.pk, now=NOON)[0] == Outcome.SENT
    assert mail.outbox[0].to == [coordinator.email]
    assert "Amina H." in mail.outbox[0].body


def test_log_is_scoped_and_filtered(coordinator, auditor, client):
    queue(coordinator.school, [StudentFactory(school=coordinator.school)])
    other = SchoolFactory()
    queue(other, [StudentFactory(school=other)], key="event:2")
    body = api_as(auditor).get("/api/v1/notifications/", {"kind": "lesson_cancelled"}).json()
    assert body["count"] == 1
    assert (
        api_as(auditor)
        .post(f"/api/v1/notifications/{body['results'][0]['id']}/resend/")
        .status_code
        == 403
    )
    client.force_login(coordinator)
    page = client.get("/office/notifications/", {"status": "queued"})
    assert page.status_code == 200
    assert "A1-2026-A" in page.content.decode()
    # Sending a queued message again is refused on the page as in the API, with the reason.
    queued = Notification.objects.get(school=coordinator.school)
    page = client.post(f"/office/notifications/{queued.pk}/resend/", follow=True)
    assert "Only a failed message can be sent again." in page.content.decode()


def test_log_names_each_kind_in_the_readers_language(coordinator, client):
    queue(coordinator.school, [StudentFactory(school=coordinator.school)])
    coordinator.language = "el"
    coordinator.save()
    client.force_login(coordinator)
    page = client.get("/office/notifications/").content.decode()
    assert ">Ακύρωση μαθήματος</td>" in page
    assert "lesson_cancelled</td>" not in page


def test_cancelling_a_lesson_puts_a_message_per_student_in_their_language(coordinator):
    from courses.models import Lesson
    from tests.factories import CycleFactory, EnrollmentFactory, LessonFactory

    cycle = CycleFactory(school=coordinator.school)
    for language in ("ar", "fa", "uk", "fr"):
        EnrollmentFactory(cycle=cycle, student__language=language)
    lesson = LessonFactory(cycle=cycle)
    api_as(coordinator).patch(
        f"/api/v1/lessons/{lesson.pk}/", {"status": Lesson.Status.CANCELLED}, format="json"
    )
    assert sorted(
        Notification.objects.filter(kind="lesson_cancelled").values_list("language", flat=True)
    ) == ["ar", "fa", "fr", "uk"]


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
