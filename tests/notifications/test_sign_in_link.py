"""One-time sign-in links: sent through the outbox, 15 minutes, once, rate-limited, and the
request page never says whether an account exists."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from notifications.models import Notification
from school.models import SignInLink
from tests.factories import StudentFactory, UserFactory

pytestmark = pytest.mark.django_db
ANSWER = b"If this phone or e-mail belongs to a student, we sent a link to it."


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def learner(school):
    user = UserFactory(school=school, role="student", username="amina")
    student = StudentFactory(
        school=school, user=user, phone="+306900000123", email="amina@example.org", language="ar"
    )
    return student


def _ask(client, address, ip="192.0.2.1"):
    return client.post("/signin/link/", {"address": address}, REMOTE_ADDR=ip)


def _link_in(message: Notification) -> str:
    return re.search(r"https?://\S+/signin/link/[\w-]+/", message.body).group(0)


def test_a_link_by_sms_signs_in_once(client, learner):
    response = _ask(client, "6900000123")  # without the country code: read as Greek
    assert response.status_code == 200
    assert ANSWER in response.content
    message = Notification.objects.get(kind="sign_in_link")
    assert (message.channel, message.address, message.language) == ("sms", "+306900000123", "ar")
    path = _link_in(message).split("testserver", 1)[1]
    # Opening the link (or a preview of it) does not use it up.
    page = client.get(path)
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"
    assert client.get("/me/").status_code == 302
    response = client.post(path)
    assert response.status_code == 302
    assert client.get("/me/").status_code == 200
    client.logout()
    assert client.post(path).status_code == 400
    assert client.get("/me/").status_code == 302


def test_asking_by_e_mail_sends_by_the_students_own_channel(client, learner):
    _ask(client, "AMINA@example.org")
    message = Notification.objects.get(kind="sign_in_link")
    assert message.channel == "sms"
    learner.contact_channel = "email"
    learner.save()
    _ask(client, "amina@example.org")
    assert Notification.objects.filter(kind="sign_in_link", channel="email").count() == 1


def test_only_a_hash_of_the_token_is_stored(client, learner):
    _ask(client, "+306900000123")
    token = _link_in(Notification.objects.get()).rstrip("/").rsplit("/", 1)[1]
    link = SignInLink.objects.get()
    assert token not in link.token_hash
    assert len(token) >= 40


def test_an_expired_link_does_not_sign_in(client, learner):
    _ask(client, "+306900000123")
    path = _link_in(Notification.objects.get()).split("testserver", 1)[1]
    link = SignInLink.objects.get()
    assert abs(link.expires_at - link.created_at - dt.timedelta(minutes=15)) < dt.timedelta(
        seconds=1
    )
    SignInLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.post(path).status_code == 400
    assert client.get("/me/").status_code == 302


def test_unknown_addresses_get_the_same_answer_and_no_message(client, learner, coordinator):
    for address in ("+306999999999", "nobody@example.org", coordinator.email, "not an address"):
        response = _ask(client, address)
        assert response.status_code == 200
        assert ANSWER in response.content
    assert not Notification.objects.exists()
    assert not SignInLink.objects.exists()


def test_made_up_tokens_do_not_sign_in(client, learner):
    _ask(client, "+306900000123")
    assert client.post("/signin/link/" + "A" * 43 + "/").status_code == 400
    assert client.get("/me/").status_code == 302


def test_requests_are_limited_per_address(client, learner, settings):
    settings.SIGN_IN_LINK_PER_ADDRESS = 3
    for n in range(3):
        assert _ask(client, "+306900000123", ip=f"192.0.2.{n + 1}").status_code == 200
    assert _ask(client, "+306900000123", ip="192.0.2.9").status_code == 429
    assert Notification.objects.count() == 3
    # An address with no account is counted the same way: the limit reveals nothing.
    for n in range(3):
        _ask(client, "ghost@example.org", ip=f"198.51.100.{n + 1}")
    assert _ask(client, "ghost@example.org", ip="198.51.100.9").status_code == 429


def test_requests_are_limited_per_ip(client, learner, settings):
    settings.SIGN_IN_LINK_PER_IP = 2
    assert _ask(client, "a@example.org").status_code == 200
    assert _ask(client, "b@example.org").status_code == 200
    assert _ask(client, "+306900000123").status_code == 429
    assert not Notification.objects.exists()
    assert _ask(client, "+306900000123", ip="192.0.2.77").status_code == 200


def test_the_link_is_not_held_back_for_quiet_hours(
    client, learner, settings, django_capture_on_commit_callbacks
):
    hour = timezone.localtime(timezone=learner.school.zone).hour
    settings.NOTIFICATIONS_QUIET_HOURS = (hour, (hour + 2) % 24)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _ask(client, "+306900000123")
    message = Notification.objects.get()
    assert message.due_at <= timezone.now()
    assert callbacks, "sending is handed to the worker after the commit"


def test_empty_request_says_what_is_missing(client):
    response = client.post("/signin/link/", {"address": " "})
    assert response.status_code == 400
    assert b"Please write your phone number or e-mail." in response.content


def test_sign_in_page_links_to_the_request_page(client):
    assert b'href="/signin/link/"' in client.get("/").content


def test_the_message_log_never_shows_the_link(client, learner, coordinator):
    from tests.conftest import api_as

    learner.school = coordinator.school
    learner.save()
    _ask(client, "amina@example.org")
    message = Notification.objects.get(kind="sign_in_link")
    token = _link_in(message).rstrip("/").rsplit("/", 1)[1]
    body = api_as(coordinator).get("/api/v1/notifications/", {"kind": "sign_in_link"}).json()
    assert body["count"] == 1
    assert token not in str(body)
    client.force_login(coordinator)
    page = client.get("/office/notifications/").content.decode()
    # The message is listed (under its kind's name), its text is not.
    assert message.kind_name in page and token not in page
    coordinator.is_staff = coordinator.is_superuser = True
    coordinator.save()
    admin_page = client.get(f"/admin/notifications/notification/{message.pk}/change/")
    assert admin_page.status_code == 200
    assert token not in admin_page.content.decode()


def test_a_student_who_opted_out_of_notices_still_gets_the_link_they_asked_for(client, learner):
    learner.messages_opt_out = True
    learner.save()
    _ask(client, "+306900000123")
    assert Notification.objects.filter(kind="sign_in_link", student=learner).count() == 1


def test_a_link_may_lead_on_to_a_page_of_this_site_only(client, learner):
    from school.services import sign_in_link_create

    token = sign_in_link_create(
        user=learner.user, expires_at=timezone.now() + dt.timedelta(days=28)
    )
    assert SignInLink.objects.get().expires_at > timezone.now() + dt.timedelta(days=27)
    response = client.post(f"/signin/link/{token}/?next=/me/%23calendar")
    assert (response.status_code, response["Location"]) == (302, "/me/#calendar")
    # Used already, but from this signed-in browser: it still leads on.
    response = client.post(f"/signin/link/{token}/?next=/me/")
    assert (response.status_code, response["Location"]) == (302, "/me/")
    client.logout()
    other = sign_in_link_create(user=learner.user)
    response = client.post(f"/signin/link/{other}/?next=https://evil.example/")
    assert (response.status_code, response["Location"]) == (302, "/")
