"""The way in, end to end in a real browser at a phone's width (390 px): an applicant applies in
Persian on the school's public page; the coordinator invites them to a placement test, records
A1 and offers a seat on the office pages; the applicant accepts from the link in their SMS and
is on the cycle's roster. A second applicant lets the offer expire: the job, run two days
later, passes the seat to the next one placed at A1, who gets an SMS offer of their own and
takes it. Screenshots go to test-artifacts/."""

import datetime as dt
import re
import uuid

import pytest
from django.utils import translation

from courses.models import Applicant, Enrollment, PlacementSession, SeatOffer
from courses.services import intake
from notifications.models import Notification
from school.models import PartnerOrganisation
from tests.browser import (
    PHONE,
    assert_accessible,
    assert_fits_the_phone,
    phone_page,
    screenshot,
)
from tests.factories import (
    FACTORY_DAY,
    CycleFactory,
    EnrollmentFactory,
    TimetableSlotFactory,
    UserFactory,
    level,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.time_machine(FACTORY_DAY),
]


@pytest.fixture(autouse=True)
def own_limits(settings):
    """The rate limits count in a cache of this test's own: every application here comes from
    the same address (the browser on this machine)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"intake-browser-{uuid.uuid4()}",
        }
    }


@pytest.fixture
def office(school, settings, live_server):
    """A school with a partner organisation, its coordinator and an A1 cycle of two seats that
    meets on Monday and Wednesday evenings."""
    settings.SITE_URL = live_server.url
    PartnerOrganisation.objects.create(school=school, name="Κοινωνική Υπηρεσία Δήμου")
    coordinator = UserFactory(school=school, role="coordinator", username="katerina")
    cycle = CycleFactory(school=school, code="A1-EVENING", capacity=2, level=level("A1"))
    TimetableSlotFactory(cycle=cycle, weekday=0)
    TimetableSlotFactory(cycle=cycle, weekday=2)
    return coordinator, cycle


def sms_link(applicant: Applicant, kind: str = "seat_offer") -> str:
    """The link in the latest message of ``kind`` queued for the applicant, as the SMS says it."""
    message = (
        Notification.objects.filter(kind=kind, person=f"applicant:{applicant.pk}")
        .order_by("-pk")
        .first()
    )
    assert message is not None, f"no {kind} message for {applicant}"
    assert message.channel == "sms"
    return re.search(r"https?://\S+/offers/[^/\s]+/", message.body).group(0)


def apply_in_persian(page, live_server, school) -> str:
    """Fill the public page in Persian, as a person does on a phone; returns the reference."""
    page.goto(f"{live_server.url}/apply/{school.slug}/")
    page.click("form.languages button[value=fa]")
    page.wait_for_selector("html[lang=fa]")
    assert page.get_attribute("html", "dir") == "rtl"
    assert_fits_the_phone(page, "apply fa")
    assert_accessible(page, "apply fa")
    page.fill("#id_first_name", "زهرا")
    page.fill("#id_last_name", "رحیمی")
    page.fill("#id_first_name_latin", "Zahra")
    page.fill("#id_last_name_latin", "Rahimi")
    page.fill("#id_phone", "6900000201")
    assert page.input_value("#id_language") == "fa"
    page.select_option("#id_nationality", "AF")
    page.fill("#id_date_of_birth", "2001-02-14")
    page.check("input[name=gender][value=female]")
    page.check("input[name=greek_level][value=words]")
    for time in ("evening", "mon", "wed"):
        page.check(f"input[name=availability][value={time}]")
    page.check("input[name=referrer][value=myself]")
    page.check("#id_consent")
    screenshot(page, "intake-apply-fa")
    page.click("form.application button.primary")
    page.wait_for_selector(".reference, #errors")
    assert not page.locator("#errors").count(), page.inner_text("form.application")[:2000]
    assert page.get_attribute("html", "lang") == "fa"
    assert page.inner_text("h1") == in_persian("Thank you: your application has arrived")
    screenshot(page, "intake-apply-fa-thanks")
    return page.inner_text(".reference").strip()


def in_persian(text: str) -> str:
    with translation.override("fa"):
        translated = translation.gettext(text)
    assert translated != text, f"{text!r} has no Persian translation"
    return translated


def accept_from_sms(page, link: str, where: str, language: str) -> None:
    """The applicant opens the link of their SMS: the offer in their language; they accept."""
    page.goto(link)
    assert page.get_attribute("html", "lang") == language
    assert_fits_the_phone(page, where)
    assert_accessible(page, where)
    page.click("button[name=answer][value=accept]")
    page.wait_for_selector("[data-answer=accepted]")
    screenshot(page, f"intake-{where.replace(' ', '-')}")


def coordinator_page(page, live_server):
    """A second phone, the coordinator's, signed in."""
    browser = page.context.browser
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    office = context.new_page()
    office.goto(live_server.url + "/")
    office.fill("#id_username", "katerina")
    office.fill("#id_password", "pass-word-123")
    office.click("button[type=submit]")
    office.wait_for_url("**/office/")
    return office


def submit(page, step: str) -> None:
    """Send one of the applicant page's step forms; the page comes back with the result."""
    with page.expect_navigation():
        page.click(f"form[action$='/{step}/'] button[type=submit]")
    assert_fits_the_phone(page, f"applicant after {step}")


def plan_a_test(desk, live_server) -> PlacementSession:
    """Thursday at 10:00, in room 2, ten seats."""
    desk.goto(f"{live_server.url}/office/placement-tests/")
    desk.fill("#starts_at", "2026-11-26T10:00")
    desk.fill("#place", "Αίθουσα 2")
    desk.fill("#capacity", "10")
    with desk.expect_navigation():
        desk.click("form.step-form button[type=submit]")
    return PlacementSession.objects.get(place="Αίθουσα 2")


def invite_place_and_offer(desk, live_server, applicant, session, cycle) -> None:
    """From the queue to the applicant's page, then each step with its form."""
    desk.goto(f"{live_server.url}/office/applicants/?status=applied")
    assert_fits_the_phone(desk, "queue")
    assert_accessible(desk, "queue")
    screenshot(desk, "intake-queue")
    with desk.expect_navigation():
        desk.click(f"table.applicants a >> text={applicant.first_name}")
    assert desk.url.endswith(f"/office/applicants/{applicant.pk}/")
    assert_accessible(desk, "applicant")
    desk.select_option("#session", str(session.pk))
    submit(desk, "invite")
    desk.select_option("#level", label="A1")
    desk.fill("#notes", "Ξέρει το αλφάβητο και τους χαιρετισμούς.")
    submit(desk, "place")
    offer_from_the_page(desk, cycle)
    screenshot(desk, "intake-applicant-offered")


def offer_from_the_page(desk, cycle) -> None:
    desk.select_option("#cycle", str(cycle.pk))
    assert desk.input_value("#hours") == "48"
    submit(desk, "offer")


def offer_seat(desk, live_server, applicant, cycle) -> None:
    desk.goto(f"{live_server.url}/office/applicants/{applicant.pk}/")
    offer_from_the_page(desk, cycle)


def see_in_queue(desk, live_server, expired, enrolled) -> None:
    """The queue shows who let the offer expire, and who took the seat."""
    for applicant, status in ((expired, "expired"), (enrolled, "enrolled")):
        desk.goto(f"{live_server.url}/office/applicants/?status={status}")
        rows = desk.locator("table.applicants tbody tr")
        assert rows.count() == 1
        assert applicant.first_name_latin in rows.first.inner_text()
    screenshot(desk, "intake-queue-enrolled")


def test_an_applicant_applies_in_persian_is_placed_offered_a_seat_and_takes_it(
    live_server, school, office
):
    _coordinator, cycle = office
    with phone_page() as page:
        reference = apply_in_persian(page, live_server, school)
        applicant = Applicant.objects.get(reference=reference)
        assert (applicant.language, applicant.first_name_latin) == ("fa", "Zahra")
        assert applicant.phone == "+306900000201" and applicant.referrer is None
        assert Notification.objects.filter(
            kind="application_received", person=f"applicant:{applicant.pk}", language="fa"
        ).exists()

        desk = coordinator_page(page, live_server)
        session = plan_a_test(desk, live_server)
        invite_place_and_offer(desk, live_server, applicant, session, cycle)
        applicant.refresh_from_db()
        assert applicant.status == "offered"
        assert (applicant.session, applicant.placement_level.code) == (session, "A1")

        accept_from_sms(page, sms_link(applicant), "offer accepted fa", "fa")
        applicant.refresh_from_db()
        assert applicant.status == "enrolled"
        enrollment = Enrollment.objects.get(student=applicant.student, cycle=cycle)
        assert enrollment.status == "enrolled"

        # On the cycle's roster, for the coordinator (and the teacher) to see.
        desk.goto(f"{live_server.url}/office/cycles/{cycle.pk}/")
        roster = desk.locator("#students + table tbody")
        assert "رحیمی" in roster.inner_text() and "Rahimi" in roster.inner_text()
        screenshot(desk, "intake-roster")


def test_an_offer_left_unanswered_expires_and_the_seat_goes_to_the_next_one(
    live_server, school, office, time_machine
):
    coordinator, cycle = office
    placed = []
    for n, (first, last, language) in enumerate(
        [("Оксана", "Мельник", "uk"), ("عمر", "حداد", "ar")]
    ):
        applicant = intake.application_submit(
            school=school,
            form=intake.ApplicationForm(
                first_name=first,
                last_name=last,
                first_name_latin=["Oksana", "Omar"][n],
                last_name_latin=["Melnyk", "Haddad"][n],
                phone=f"+30690000030{n}",
                language=language,
                nationality=["UA", "SY"][n],
                date_of_birth=dt.date(1985 + n, 5, 5),
                gender=["female", "male"][n],
                greek_level="none",
                availability=["evening"],
                consent_version=intake.CONSENT_VERSION,
            ),
            client_ip="192.0.2.1",
        )
        placed.append(
            intake.applicant_place(applicant=applicant, level=level("A1"), by=coordinator)
        )
    first, next_one = placed
    # One seat left: a student took the other.
    EnrollmentFactory(cycle=cycle)
    with phone_page() as page:
        desk = coordinator_page(page, live_server)
        offer_seat(desk, live_server, first, cycle)
        [offer] = SeatOffer.objects.filter(applicant=first, status="open")
        assert offer.expires_at - offer.offered_at == dt.timedelta(hours=48)

        # Two days pass without an answer; the job that runs every five minutes closes it.
        time_machine.shift(dt.timedelta(hours=48, minutes=5))
        assert intake.seat_offers_expire() == 1
        first.refresh_from_db()
        next_one.refresh_from_db()
        assert first.status == "expired" and next_one.status == "offered"
        assert Notification.objects.filter(
            kind="seat_offer_expired", person=f"applicant:{first.pk}"
        ).exists()
        # The first one's link now says the offer is over.
        page.goto(sms_link(first))
        page.wait_for_selector("[data-answer=closed]")

        # The next one took it from their own SMS, in Arabic.
        accept_from_sms(page, sms_link(next_one), "offer passed on ar", "ar")
        assert page.get_attribute("html", "dir") == "rtl"
        next_one.refresh_from_db()
        assert next_one.status == "enrolled"
        assert cycle.enrollments.filter(status="enrolled", student=next_one.student).exists()

        see_in_queue(desk, live_server, first, next_one)
