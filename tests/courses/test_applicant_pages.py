"""The coordinator's queue pages: the list with its filters and counts, the applicant's page
with every action (done, and refused with the service's message), placement tests, and the
funnel on the dashboard."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages

from courses.models import Applicant, PlacementSession, SeatOffer
from notifications.models import Notification
from school.models import PartnerOrganisation, Venue
from tests.courses.applicant_records import make_applicant, make_session
from tests.factories import (
    FACTORY_DAY,
    CycleFactory,
    EnrollmentFactory,
    SchoolFactory,
    UserFactory,
    level,
    on_factory_day,
)

pytestmark = [pytest.mark.django_db, on_factory_day]


@pytest.fixture
def office(client, coordinator):
    client.force_login(coordinator)
    return client


def said(response) -> list[str]:
    # The latest: the test follows no redirect, so earlier messages wait unshown.
    return [str(m) for m in get_messages(response.wsgi_request)][-1:]


def page(applicant) -> str:
    return f"/office/applicants/{applicant.pk}/"


# -- who may look -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["auditor", "teacher", "student"])
def test_the_queue_is_for_coordinators(client, school, role):
    applicant = make_applicant(school)
    client.force_login(UserFactory(school=school, role=role))
    for url in ("/office/applicants/", page(applicant), "/office/placement-tests/"):
        assert client.get(url).status_code == 403, url
    assert client.post(page(applicant) + "decline/", {"reason": "x"}).status_code == 403


def test_another_schools_applicant_is_not_found(office):
    foreign = make_applicant(SchoolFactory())
    assert office.get(page(foreign)).status_code == 404
    assert office.post(page(foreign) + "decline/", {"reason": "no"}).status_code == 404
    assert Applicant.objects.get(pk=foreign.pk).status == "applied"


# -- the queue --------------------------------------------------------------------------------


def test_the_queue_shows_each_applicant_and_filters(office, school):
    partner = PartnerOrganisation.objects.create(school=school, name="Day centre")
    first = make_applicant(school, referrer=partner, availability=",morning,")
    duplicate = make_applicant(
        school, duplicate_of=first, last_name="Σαμίρ", last_name_latin="Samir"
    )
    cycle = CycleFactory(school=school, code="A1-EVE")
    offered = make_applicant(
        school, status="offered", placement_level=level("A1"), last_name_latin="Offered"
    )
    SeatOffer.objects.create(
        applicant=offered, cycle=cycle, token_hash="h", offered_at=FACTORY_DAY,
        expires_at=FACTORY_DAY + dt.timedelta(hours=48),
    )  # fmt: skip
    text = office.get("/office/applicants/").content.decode()
    for shown in (
        "Leila",
        "Λεϊλά",
        "+306900000",
        "Day centre",
        "Likely duplicate",
        "A1-EVE",
        "Persian",
    ):
        assert shown in text, shown
    assert f'href="/office/applicants/{first.pk}/"' in text  # the duplicate links its original
    assert ">32<" in text  # the age, born 1994-03-02
    # Counts per status, whatever the filter.
    filtered = office.get("/office/applicants/", {"status": "offered"})
    assert "Offered" in filtered.content.decode() and "Samir" not in filtered.content.decode()
    assert filtered.context["total"] == 3
    assert {v: n for v, _, n in filtered.context["counts"]}["applied"] == 2

    def rows(**query) -> list[int]:
        found = office.get("/office/applicants/", query).context["page"].object_list
        return [applicant.pk for applicant in found]

    assert rows(referrer=partner.pk) == [first.pk]
    assert rows(referrer="self") == [duplicate.pk, offered.pk]
    assert rows(availability="morning") == [first.pk]
    assert rows(level="A1") == [offered.pk]
    assert rows(status="nonsense") == [first.pk, duplicate.pk, offered.pk]


@pytest.mark.parametrize("rows", [2, 20])
def test_the_queue_takes_a_fixed_number_of_queries(office, school, django_assert_num_queries, rows):
    partner = PartnerOrganisation.objects.create(school=school, name="Day centre")
    session = make_session(school, capacity=50)
    cycle = CycleFactory(school=school)
    first = make_applicant(school)
    for n in range(rows):
        applicant = make_applicant(
            school, referrer=partner, duplicate_of=first, session=session, status="offered",
            placement_level=level("A1"),
        )  # fmt: skip
        SeatOffer.objects.create(
            applicant=applicant, cycle=cycle, token_hash=f"h{n}", offered_at=FACTORY_DAY,
            expires_at=FACTORY_DAY + dt.timedelta(hours=48),
        )  # fmt: skip
    # 1 session, 2 user, 3 school, 4 the page count, 5 the page of applicants (referrer, test
    # and its venue, level, duplicate), 6 their open offers with the cycle, 7 counts per
    # status, 8 levels, 9 partner organisations.
    with django_assert_num_queries(9):
        response = office.get("/office/applicants/")
    assert len(response.context["page"].object_list) == rows + 1


@pytest.mark.parametrize("rows", [1, 6])
def test_the_applicants_page_takes_a_fixed_number_of_queries(
    office, school, coordinator, django_assert_num_queries, rows
):
    from courses.services import intake

    applicant = make_applicant(school)
    for n in range(rows):
        make_session(school, days=n + 1)
        CycleFactory(school=school, level=level("A1"))
    session = PlacementSession.objects.first()
    intake.applicant_invite(applicant=applicant, session=session, by=coordinator)
    for n in range(rows):
        intake.applicant_place(applicant=applicant, level=level("A1"), notes=str(n), by=coordinator)
    # Placed: 1 session, 2 user, 3 school, 4 the applicant with referrer, test, level,
    # duplicate, 5 its open offer, 6 levels, 7 cycles of the level with free seats, 8 the
    # history with who did it. (Before placement the coming tests with their free seats take
    # the place of the cycles.)
    with django_assert_num_queries(8):
        response = office.get(page(applicant))
    assert len(response.context["cycles"]) == rows
    assert len(response.context["history"]) == rows + 2


# -- the actions ------------------------------------------------------------------------------


def test_invite_place_offer_through_the_pages(office, school, coordinator):
    applicant = make_applicant(school)
    session = make_session(school, capacity=3)
    text = office.get(page(applicant)).content.decode()
    assert "3 seats free" in text
    response = office.post(page(applicant) + "invite/", {"session": session.pk})
    assert response.status_code == 302 and response.url == page(applicant)
    applicant.refresh_from_db()
    assert applicant.status == "invited" and applicant.session == session
    assert "Invited" in said(response)[0]

    office.post(page(applicant) + "place/", {"level": level("A1").pk, "notes": "reads well"})
    applicant.refresh_from_db()
    assert applicant.status == "placed" and applicant.placement_level.code == "A1"
    assert applicant.placed_by == coordinator

    open_cycle = CycleFactory(school=school, level=level("A1"), code="A1-OPEN", capacity=2)
    full = CycleFactory(school=school, level=level("A1"), code="A1-FULL", capacity=1)
    EnrollmentFactory(cycle=full)
    CycleFactory(school=school, level=level("A2"), code="A2-OTHER")
    text = office.get(page(applicant)).content.decode()
    assert "A1-OPEN" in text and "A1-FULL" not in text and "A2-OTHER" not in text
    assert 'value="48"' in text
    response = office.post(page(applicant) + "offer/", {"cycle": open_cycle.pk, "hours": "24"})
    offer = SeatOffer.objects.get(applicant=applicant)
    assert offer.expires_at - offer.offered_at == dt.timedelta(hours=24)
    assert offer.offered_by == coordinator
    text = office.get(page(applicant)).content.decode()
    assert "A1-OPEN" in text and "Offered a seat" in text
    # The history says who did each step.
    history = office.get(page(applicant)).context["history"]
    assert [h.status for h in history] == [
        "Applied",
        "Invited to a test",
        "Placed",
        "Offered a seat",
    ]
    assert {h.who for h in history[1:]} == {coordinator.get_full_name() or coordinator.username}


def test_refusals_come_back_with_the_services_message(office, school):
    applicant = make_applicant(school, status="placed", placement_level=level("A1"))
    full = make_session(school, capacity=1)
    make_applicant(school, status="invited", session=full)
    response = office.post(page(applicant) + "invite/", {"session": full.pk})
    assert response.status_code == 302
    assert "cannot be invited" in said(response)[0]
    fresh = make_applicant(school)
    response = office.post(page(fresh) + "invite/", {"session": full.pk})
    assert "full" in said(response)[0]
    assert office.post(page(fresh) + "invite/", {"session": "abc"}).status_code == 302
    response = office.post(page(fresh) + "offer/", {"cycle": CycleFactory(school=school).pk})
    assert "cannot be offered" in said(response)[0]
    response = office.post(page(fresh) + "decline/", {"reason": "  "})
    assert "Say why" in said(response)[0]
    response = office.post(page(fresh) + "place/", {"level": "999999"})
    assert "Choose a level" in said(response)[0]
    fresh.refresh_from_db()
    assert fresh.status == "applied"


def test_decline_with_a_reason(office, school):
    applicant = make_applicant(school)
    response = office.post(page(applicant) + "decline/", {"reason": "Moved away"})
    applicant.refresh_from_db()
    assert applicant.status == "declined" and applicant.declined_reason == "Moved away"
    assert Notification.objects.filter(kind="application_declined").count() == 1
    assert (
        "Decline"
        not in office.get(page(applicant)).content.decode().split("History")[0].split("</dl>")[-1]
    )
    response = office.post(page(applicant) + "decline/", {"reason": "again"})
    assert "cannot be declined" in said(response)[0]


def test_merge_a_flagged_duplicate(office, school):
    first = make_applicant(school, email="")
    second = make_applicant(school, duplicate_of=first, email="second@example.org")
    assert "Merge into" in office.get(page(second)).content.decode()
    assert "Merge into" not in office.get(page(first)).content.decode()
    response = office.post(page(second) + "merge/", {"into": first.pk})
    assert response.url == page(first)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.email == "second@example.org" and second.status == "declined"
    response = office.post(page(second) + "merge/", {"into": first.pk})
    assert "cannot be merged" in said(response)[0]
    response = office.post(page(first) + "merge/", {"into": "x"})
    assert "Choose the application" in said(response)[0]


def test_erase_now_needs_the_confirmation(office, school):
    applicant = make_applicant(school)
    response = office.post(page(applicant) + "erase/", {})
    assert "confirm" in said(response)[0]
    assert Applicant.objects.get(pk=applicant.pk).erased_at is None
    office.post(page(applicant) + "erase/", {"confirm": "yes"})
    applicant.refresh_from_db()
    assert applicant.erased_at is not None and applicant.first_name == ""
    text = office.get(page(applicant)).content.decode()
    assert f"Erased applicant {applicant.reference}" in text and "Leila" not in text
    assert "Erase now" not in text


def test_an_applicant_holding_a_seat_is_not_erased(office, school):
    applicant = make_applicant(school, status="placed", placement_level=level("A1"))
    office.post(page(applicant) + "offer/", {"cycle": CycleFactory(school=school).pk})
    response = office.post(page(applicant) + "erase/", {"confirm": "yes"})
    assert "decline the application first" in said(response)[0]
    assert Applicant.objects.get(pk=applicant.pk).erased_at is None


# -- placement tests --------------------------------------------------------------------------


def test_plan_a_placement_test_and_see_who_is_invited(office, school):
    venue = Venue.objects.create(school=school, name="Library")
    response = office.post(
        "/office/placement-tests/",
        {"starts_at": "2026-12-02T10:00", "venue": venue.pk, "place": "Room 3", "capacity": "8"},
    )
    assert response.status_code == 302
    session = PlacementSession.objects.get()
    assert session.capacity == 8 and session.where == "Library, Room 3"
    assert session.starts_at == dt.datetime(2026, 12, 2, 10, tzinfo=school.zone)
    make_applicant(school, status="invited", session=session, last_name_latin="Invitee")
    text = office.get("/office/placement-tests/").content.decode()
    assert "Library, Room 3" in text and "1 / 8" in text and "Λεϊλά" in text
    for bad in ({"starts_at": "2026-02-30T10:00", "capacity": "8"}, {"starts_at": "x"}):
        response = office.post("/office/placement-tests/", bad)
        assert "Give the date" in said(response)[0]
    response = office.post(
        "/office/placement-tests/", {"starts_at": "2026-11-01T10:00", "capacity": "8"}
    )
    assert "later time" in said(response)[0]
    assert PlacementSession.objects.count() == 1


@pytest.mark.parametrize("rows", [1, 5])
def test_placement_tests_page_in_fixed_queries(office, school, django_assert_num_queries, rows):
    for n in range(rows):
        session = make_session(school, days=n + 1)
        make_applicant(school, status="invited", session=session)
    # 1 session, 2 user, 3 school, 4 tests with venue and number invited, 5 who is invited,
    # 6 venues.
    with django_assert_num_queries(6):
        office.get("/office/placement-tests/")


def test_the_dashboard_links_the_queue_for_coordinators_only(client, school, coordinator, auditor):
    client.force_login(coordinator)
    assert "/office/applicants/" in client.get("/office/").content.decode()
    client.force_login(auditor)
    assert "/office/applicants/" not in client.get("/office/").content.decode()
