"""The intake funnel on the dashboard, recomputed by hand from a small fixture."""

import datetime as dt

import pytest

from courses.selectors.intake import application_funnel, applications_per_month
from school.models import PartnerOrganisation
from tests.courses.applicant_records import make_applicant
from tests.factories import CycleFactory, EnrollmentFactory, on_factory_day

pytestmark = [pytest.mark.django_db, on_factory_day]


def at(month: int, day: int) -> dt.datetime:
    # 10:00 UTC is noon in Athens (winter time), the hour the funnel gives a first lesson.
    return dt.datetime(2026, month, day, 10, tzinfo=dt.UTC)


@pytest.fixture
def people(school):
    partner = PartnerOrganisation.objects.create(school=school, name="Day centre")
    cycle = CycleFactory(school=school)
    first_lesson = EnrollmentFactory(cycle=cycle, entry_date=dt.date(2026, 11, 16))
    # November: A goes all the way, B is offered a seat, C has only applied.
    a = make_applicant(
        school, referrer=partner, applied_at=at(11, 2), invited_at=at(11, 4),
        offered_at=at(11, 10), enrolled_at=at(11, 11), status="enrolled",
        enrollment=first_lesson,
    )  # fmt: skip
    make_applicant(
        school, applied_at=at(11, 5), invited_at=at(11, 7), offered_at=at(11, 12),
        status="offered",
    )  # fmt: skip
    make_applicant(school, referrer=partner, applied_at=at(11, 20))
    # October: D was invited to a test. A merged duplicate is not a second person.
    make_applicant(school, applied_at=at(10, 10), invited_at=at(10, 12), status="invited")
    make_applicant(
        school, applied_at=at(11, 21), status="declined", duplicate_of=a,
        declined_reason="Duplicate",
    )  # fmt: skip
    return partner


def test_the_funnel_per_month(school, people):
    october, november = application_funnel(school=school)
    assert november.month == dt.date(2026, 11, 1)
    assert november.steps() == [
        ("applied", 3, None, None),
        ("tested", 2, 1, 2.0),  # both invited two days after applying
        ("offered", 2, 0, 5.5),  # 6 and 5 days after the test invitation
        ("enrolled", 1, 1, 1.0),
        ("attended", 1, 0, 5.0),  # enrolled on the 11th at noon, first lesson on the 16th
    ]
    assert october.month == dt.date(2026, 10, 1)
    assert [count for _, count, _, _ in october.steps()] == [1, 1, 0, 0, 0]


def test_applications_per_month_and_referrer(school, people):
    rows = [
        (row["month"].date(), row["referrer__name"], row["applications"])
        for row in applications_per_month(school=school)
    ]
    assert sorted(rows, key=str) == sorted(
        [
            (dt.date(2026, 10, 1), None, 1),
            (dt.date(2026, 11, 1), "Day centre", 2),
            (dt.date(2026, 11, 1), None, 1),
        ],
        key=str,
    )


def test_the_dashboard_shows_the_funnel_as_a_table_with_meters(client, coordinator, people):
    client.force_login(coordinator)
    text = client.get("/office/").content.decode()
    funnel = text.split('id="funnel"')[1]
    assert "median 5.5 days" in funnel and "(−1)" in funnel
    # Two of three November applicants were offered a seat: 67%.
    assert '<meter min="0" max="100" value="67" aria-label="2 of 3 applicants">' in funnel
    assert "Applications per month and referrer" in funnel
    assert "Came by themselves" in funnel and "Day centre" in funnel


def test_the_funnel_names_nobody(client, auditor, people):
    client.force_login(auditor)
    text = client.get("/office/").content.decode()
    assert "median 5.5 days" in text and "Leila" not in text and "Karimi" not in text
