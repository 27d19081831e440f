"""The public application page /apply/<school>/: no account, the applicant's language, every
mistake named field by field with nothing typed lost, a honeypot, size and rate limits."""

import datetime as dt
import re
import uuid

import pytest
from django.core.cache import cache
from django.utils import translation
from django.utils.html import escape

from courses.models import Applicant, Enrollment
from courses.services import intake
from notifications.models import Notification
from school.models import PartnerOrganisation, School, Venue
from tests.factories import (
    CycleFactory,
    SchoolFactory,
    TimetableSlotFactory,
    level,
    on_factory_day,
)

pytestmark = [pytest.mark.django_db, on_factory_day]


@pytest.fixture(autouse=True)
def fresh_limits(settings):
    """Counts of this test alone: the Redis cache is shared with tests in other processes,
    which empty it when they start (the services' tests count on Redis itself)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"apply-{uuid.uuid4()}",
        }
    }
    yield
    cache.clear()


@pytest.fixture
def partner(school):
    return PartnerOrganisation.objects.create(school=school, name="Social services of Kypseli")


def page(school) -> str:
    return f"/apply/{school.slug}/"


def answers(**changes) -> dict:
    values = {
        "first_name": "لیلا",
        "last_name": "کریمی",
        "first_name_latin": "Leila",
        "last_name_latin": "Karimi",
        "phone": "6900000101",
        "email": "",
        "language": "fa",
        "nationality": "AF",
        "date_of_birth": "1994-03-02",
        "gender": "female",
        "greek_level": "words",
        "availability": ["evening", "mon", "wed"],
        "referrer": "myself",
        "consent": "on",
        "consent_version": intake.CONSENT_VERSION,
        "website": "",
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def in_language(client, language: str) -> None:
    client.cookies["django_language"] = language


def test_the_page_asks_everything_in_the_visitors_language_right_to_left_in_persian(
    client, school, partner
):
    in_language(client, "fa")
    response = client.get(page(school))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fa" dir="rtl">' in html
    for name in (
        "first_name", "last_name", "first_name_latin", "last_name_latin", "phone", "email",
        "language", "nationality", "date_of_birth", "gender", "greek_level", "availability",
        "referrer", "consent", "website",
    ):  # fmt: skip
        assert f'name="{name}"' in html, name
    assert f'name="consent_version" value="{intake.CONSENT_VERSION}"' in html
    # The consent words in Persian, the partner to choose, and the language chosen for messages.
    assert escape(intake.consent_text(school, "fa")) in html
    assert partner.name in html
    assert re.search(r'<option value="fa" lang="fa" selected>', html)
    # The honeypot is out of sight, out of the accessibility tree and out of the tab order.
    assert re.search(r'<div class="website-field" aria-hidden="true">', html)
    assert re.search(r'name="website"[^>]*tabindex="-1" autocomplete="off"', html)


@pytest.mark.parametrize("language", ["el", "en", "ar", "fa", "uk", "fr"])
def test_the_page_speaks_every_language(client, school, language):
    in_language(client, language)
    response = client.get(page(school))
    assert response.status_code == 200
    assert response["Content-Language"] == language
    with translation.override(language):
        assert translation.gettext("Apply for a Greek class") in response.content.decode()
    if language != "en":
        assert "Apply for a Greek class" not in response.content.decode()


def test_the_visitor_switches_the_language_on_the_page(client, school):
    response = client.post("/i18n/setlang/", {"language": "uk", "next": page(school)}, follow=True)
    assert response.redirect_chain[-1][0] == page(school)
    assert '<html lang="uk" dir="ltr">' in response.content.decode()


def test_an_unknown_school_is_a_404(client):
    assert client.get("/apply/no-such-school/").status_code == 404
    assert client.post("/apply/no-such-school/", answers()).status_code == 404


def test_an_application_is_stored_confirmed_by_sms_and_thanked_with_its_reference(
    client, school, partner
):
    in_language(client, "fa")
    response = client.post(
        page(school), answers(referrer=str(partner.pk), email="leila@example.org"), follow=True
    )
    assert response.status_code == 200
    applicant = Applicant.objects.get()
    assert applicant.reference in response.content.decode()
    assert response.redirect_chain[0][0].startswith(f"/apply/{school.slug}/thanks/?r=")
    # A local Greek number is stored in E.164; the rest as typed.
    assert str(applicant.phone) == "+306900000101"
    assert (applicant.first_name, applicant.first_name_latin) == ("لیلا", "Leila")
    assert (applicant.language, applicant.nationality.code) == ("fa", "AF")
    assert applicant.date_of_birth == dt.date(1994, 3, 2)
    assert applicant.availability_codes == ["evening", "mon", "wed"]
    assert applicant.referrer == partner and applicant.email == "leila@example.org"
    assert applicant.consent_version == intake.CONSENT_VERSION
    assert applicant.consent_text == intake.consent_text(school, "fa")
    [sms] = Notification.objects.filter(person=f"applicant:{applicant.pk}")
    assert (sms.kind, sms.channel, sms.language) == ("application_received", "sms", "fa")
    assert applicant.reference in sms.body


def test_myself_means_no_referrer_and_a_school_without_partners_does_not_ask(client, school):
    response = client.get(page(school))
    assert 'name="referrer"' not in response.content.decode()
    client.post(page(school), answers(referrer=None))
    assert Applicant.objects.get().referrer is None


def test_the_thank_you_page_shows_only_a_reference_the_site_signed(client, school):
    thanks = f"/apply/{school.slug}/thanks/"
    assert client.get(thanks).status_code == 404
    assert client.get(thanks + "?r=ABCD-EFGH").status_code == 404
    assert client.get(thanks + "?r=" + "x" * 10_000).status_code == 404


def test_a_filled_honeypot_is_thanked_the_same_and_nothing_is_stored_or_sent(client, school):
    response = client.post(page(school), answers(website="https://spam.example"), follow=True)
    assert response.status_code == 200
    assert re.search(r'class="reference"[^>]*>[A-Z2-9]{4}-[A-Z2-9]{4}<', response.content.decode())
    # Even a robot's form full of junk gets the thank-you: nothing tells it what was wrong.
    junk = client.post(page(school), {"website": "x", "first_name": "x" * 500})
    assert junk.status_code == 302
    assert not Applicant.objects.exists()
    assert not Notification.objects.exists()


BAD_ANSWERS = [
    ("first_name", "", "Write your first name as in your documents."),
    ("last_name", "   ", "Write your last name as in your documents."),
    ("first_name", "x" * 151, "Shorten this to 150 letters."),
    ("first_name_latin", "لیلا", "Write this name in Latin letters (A-Z), as in your passport."),
    ("last_name_latin", "", "Write your last name in Latin letters (A-Z)."),
    ("phone", "", "Write your mobile phone number: we send you an SMS."),
    ("phone", "12345", "This is not a phone number we can send an SMS to."),
    ("phone", "+30 690 abc", "This is not a phone number we can send an SMS to."),
    ("phone", "9" * 40, "Ensure this value has at most 32 characters"),
    ("email", "not-an-address", "This e-mail address looks wrong; check it or leave it empty."),
    ("language", "de", "Choose one of the answers listed."),
    ("nationality", "", "Choose your nationality."),
    ("nationality", "XX", "Choose one of the answers listed."),
    ("date_of_birth", "", "Write your date of birth."),
    ("date_of_birth", "2-3-1994x", "Write the date of birth as day, month and year."),
    ("date_of_birth", "2020-01-01", "applicants are 15 to 100 years old"),
    ("date_of_birth", "1900-01-01", "applicants are 15 to 100 years old"),
    ("date_of_birth", "9999-12-31", "applicants are 15 to 100 years old"),
    ("gender", "", "Choose one answer."),
    ("greek_level", "fluent", "Choose one of the answers listed."),
    ("availability", [], "Tick at least one box: when you can come."),
    ("availability", ["sun"], "Choose one of the answers listed."),
    ("referrer", "999999", "Choose one of the organisations listed."),
    ("consent", None, "Tick the box to say you agree"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_ANSWERS)
def test_each_mistake_is_named_at_its_field_and_nothing_typed_is_lost(
    client, school, partner, field, value, message
):
    sent = answers(**{field: value})
    response = client.post(page(school), sent)
    assert response.status_code == 400
    html = response.content.decode()
    # The message sits by the field, which points at it, and the summary links to the field.
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    assert error, f"no message for {field}"
    assert message in error.group(1).replace("&#x27;", "'")
    assert f'aria-describedby="{field}-error' in html
    assert 'role="alert" id="errors"' in html
    # What was typed in the other fields comes back.
    assert 'value="Leila"' in html or field == "first_name_latin"
    assert "کریمی" in html or field == "last_name"
    assert 'value="evening" checked' in html or field == "availability"
    assert not Applicant.objects.exists()


def test_mistakes_are_told_in_the_applicants_language(client, school):
    in_language(client, "ar")
    response = client.post(page(school), answers(phone="12", consent=None))
    html = response.content.decode()
    with translation.override("ar"):
        for message in (
            "Please check the answers marked below.",
            "Tick the box to say you agree, or we cannot keep your application.",
        ):
            assert translation.gettext(message) in html
            assert translation.gettext(message) != message
    assert 'dir="rtl"' in html


def test_an_out_of_date_consent_is_refused_and_asked_again(client, school):
    response = client.post(page(school), answers(consent_version="2020-01"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "This form is out of date: reload the page and agree again." in html
    # The page comes back with the consent of today to agree to.
    assert f'name="consent_version" value="{intake.CONSENT_VERSION}"' in html
    assert not Applicant.objects.exists()


def test_another_schools_partner_is_refused(client, school):
    other = PartnerOrganisation.objects.create(school=SchoolFactory(), name="Elsewhere")
    PartnerOrganisation.objects.create(school=school, name="Here")
    response = client.post(page(school), answers(referrer=str(other.pk)))
    assert response.status_code == 400
    assert not Applicant.objects.exists()


def test_a_second_application_is_taken_and_flagged_as_a_likely_duplicate(client, school):
    client.post(page(school), answers())
    client.post(page(school), answers(first_name_latin="Laila", phone="+306900000777"))
    first, second = Applicant.objects.order_by("pk")
    assert first.duplicate_of is None
    # Same name in the documents' script and the same date of birth.
    assert second.duplicate_of == first


def test_too_many_applications_from_one_address_get_a_429_in_the_applicants_language(
    client, school, settings
):
    settings.APPLICATIONS_PER_IP = 2
    in_language(client, "uk")
    for n in range(2):
        assert client.post(page(school), answers(phone=f"+30690000020{n}")).status_code == 302
    response = client.post(page(school), answers(phone="+306900000209"))
    assert response.status_code == 429
    with translation.override("uk"):
        expected = translation.gettext(
            "We have received many applications from this phone or this internet connection. "
            "Please wait an hour and try again, or call the school office."
        )
    assert expected in response.content.decode()
    assert Applicant.objects.count() == 2


def test_too_many_applications_from_one_phone_get_a_429(client, school, settings):
    settings.APPLICATIONS_PER_PHONE = 1
    assert client.post(page(school), answers(), REMOTE_ADDR="192.0.2.1").status_code == 302
    response = client.post(page(school), answers(), REMOTE_ADDR="192.0.2.2")
    assert response.status_code == 429
    assert Applicant.objects.count() == 1


def test_a_body_larger_than_any_application_is_refused(client, school):
    response = client.post(page(school), answers(first_name="x" * 70_000))
    assert response.status_code == 413
    assert not Applicant.objects.exists()


def test_the_page_reads_the_school_and_its_partners_in_two_queries(
    client, school, partner, django_assert_num_queries
):
    PartnerOrganisation.objects.create(school=school, name="Another NGO")
    PartnerOrganisation.objects.create(school=school, name="Closed NGO", active=False)
    with django_assert_num_queries(2):
        response = client.get(page(school))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Another NGO" in html and "Closed NGO" not in html


def test_a_school_made_without_an_address_gets_one_from_its_name():
    first = School.objects.create(name="Kypseli Social School", country="GR")
    second = School.objects.create(name="Kypseli  social school!", country="GR")
    greek = School.objects.create(name="Σχολείο Κυψέλης", country="GR")
    assert first.slug == "kypseli-social-school"
    assert second.slug == "kypseli-social-school-2"
    assert greek.slug  # a name with no Latin letters still gets one
    assert School.objects.filter(slug=greek.slug).count() == 1


# -- the seat offer, from the link in the SMS ---------------------------------------------------


@pytest.fixture
def offered(school):
    """An applicant in Persian offered a seat in an evening class; the link's token."""
    applicant = intake.application_submit(
        school=school,
        form=intake.ApplicationForm(
            first_name="لیلا",
            last_name="کریمی",
            first_name_latin="Leila",
            last_name_latin="Karimi",
            phone="+306900000401",
            language="fa",
            nationality="AF",
            date_of_birth=dt.date(1994, 3, 2),
            gender="female",
            greek_level="words",
            availability=["evening"],
            consent_version=intake.CONSENT_VERSION,
        ),
        client_ip="192.0.2.40",
    )
    venue = Venue.objects.create(school=school, name="Community centre", address="1 Example St")
    cycle = CycleFactory(school=school, code="A1-EVENING", venue=venue)
    TimetableSlotFactory(cycle=cycle, weekday=0, starts_at=dt.time(17), ends_at=dt.time(20))
    intake.applicant_place(applicant=applicant, level=level("A1"))
    intake.applicant_offer(applicant=applicant, cycle=cycle, hours=48)
    sms = Notification.objects.get(kind="seat_offer", person=f"applicant:{applicant.pk}")
    return applicant, cycle, re.search(r"/offers/[^/\s]+/", sms.body).group(0)


def test_the_offer_page_says_what_when_where_and_until_when_in_the_applicants_language(
    client, offered
):
    _applicant, _cycle, link = offered
    response = client.get(link)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fa" dir="rtl">' in html
    assert "A1-EVENING" in html and "Community centre" in html and "1 Example St" in html
    assert "دوشنبه" in html  # Monday, from the timetable
    # Offered on the factory day at 19:00 UTC for 48 hours: 21:00 in Athens, two days later.
    assert "21:00" in html and "25 نوامبر 2026" in html
    assert 'value="accept"' in html and 'value="refuse"' in html


def test_a_chosen_language_wins_over_the_applicants(client, offered):
    client.cookies["django_language"] = "uk"
    assert '<html lang="uk"' in client.get(offered[2]).content.decode()


def test_accepting_on_the_page_enrolls_once(client, offered):
    _applicant, cycle, link = offered
    response = client.post(link, {"answer": "accept"})
    assert response.status_code == 200
    assert 'data-answer="accepted"' in response.content.decode()
    assert Enrollment.objects.get(cycle=cycle).status == "enrolled"
    again = client.post(link, {"answer": "accept"})
    assert again.status_code == 409
    assert Enrollment.objects.filter(cycle=cycle).count() == 1


def test_i_cannot_come_gives_the_seat_back(client, offered):
    applicant, cycle, link = offered
    response = client.post(link, {"answer": "refuse"})
    assert 'data-answer="refused"' in response.content.decode()
    applicant.refresh_from_db()
    assert applicant.status == "placed"
    assert not Enrollment.objects.filter(cycle=cycle).exists()


def test_an_unknown_or_absurd_link_is_a_404(client):
    for token in ("nope", "x" * 5000):
        assert client.get(f"/offers/{token}/").status_code == 404
