"""The coordinator's queue through the API: who may see applicants, the filters, every step's
happy path and its refusals (400 with the field, 409 with the reason), placement tests."""

import datetime as dt

import pytest

from courses.models import Applicant, SeatOffer
from notifications.models import Notification
from school.models import PartnerOrganisation
from tests.conftest import api_as
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
def client(coordinator):
    return api_as(coordinator)


def url(applicant, step: str = "") -> str:
    return f"/api/v1/applicants/{applicant.pk}/" + (f"{step}/" if step else "")


# -- reading ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["teacher", "auditor", "student"])
def test_only_coordinators_see_applicants(school, role):
    applicant = make_applicant(school)
    user = UserFactory(school=school, role=role)
    assert api_as(user).get("/api/v1/applicants/").status_code == 403
    assert api_as(user).get(url(applicant)).status_code == 403
    assert api_as(user).post(url(applicant, "decline"), {"reason": "x"}).status_code == 403


def test_another_schools_applicant_is_not_found(client):
    foreign = make_applicant(SchoolFactory())
    assert client.get(url(foreign)).status_code == 404
    assert client.post(url(foreign, "decline"), {"reason": "no"}).status_code == 404
    assert client.get("/api/v1/applicants/").json()["count"] == 0


def test_an_applicant_reads_with_status_duplicate_and_level_code(client, school):
    first = make_applicant(school)
    second = make_applicant(
        school, duplicate_of=first, status="placed", placement_level=level("A2")
    )
    body = client.get(url(second)).json()
    assert body["status"] == "placed"
    assert body["duplicate_of"] == first.pk
    assert body["placement_level"] == "A2"
    assert body["availability"] == ["evening", "mon"]
    assert body["open_offer"] is None
    assert body["first_name"] == "Λεϊλά" and body["first_name_latin"] == "Leila"


def test_filters_by_status_level_referrer_and_availability(client, school):
    partner = PartnerOrganisation.objects.create(school=school, name="Day centre")
    applied = make_applicant(school, referrer=partner, availability=",morning,")
    placed = make_applicant(school, status="placed", placement_level=level("A2"))

    def ids(**query) -> list[int]:
        response = client.get("/api/v1/applicants/", query)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [applied.pk, placed.pk]
    assert ids(status="placed") == [placed.pk]
    assert ids(level="A2") == [placed.pk]
    assert ids(level="a2") == [placed.pk]
    assert ids(level="B2") == []
    assert ids(referrer=partner.pk) == [applied.pk]
    assert ids(referrer="self") == [placed.pk]
    assert ids(availability="morning") == [applied.pk]
    # Another school's partner answers like an id nobody has: an empty list, not a 400.
    elsewhere = PartnerOrganisation.objects.create(school=SchoolFactory(), name="Elsewhere")
    assert ids(referrer=elsewhere.pk) == ids(referrer=2_000_000_000) == []
    assert client.get("/api/v1/applicants/", {"referrer": "abc"}).status_code == 400
    assert client.get("/api/v1/applicants/", {"status": "lost"}).status_code == 400


@pytest.mark.parametrize("rows", [2, 12])
def test_the_list_takes_a_fixed_number_of_queries(client, school, django_assert_num_queries, rows):
    cycle = CycleFactory(school=school)
    partner = PartnerOrganisation.objects.create(school=school, name="Day centre")
    session = make_session(school, capacity=50)
    first = make_applicant(school)
    for n in range(rows):
        applicant = make_applicant(
            school,
            referrer=partner,
            duplicate_of=first,
            session=session,
            status="offered",
            placement_level=level("A1"),
        )
        SeatOffer.objects.create(
            applicant=applicant, cycle=cycle, token_hash=f"hash-{n}",
            offered_at=FACTORY_DAY, expires_at=FACTORY_DAY + dt.timedelta(hours=48),
        )  # fmt: skip
    # 1 count, 2 the page of applicants with referrer, test, level and duplicate, 3 their
    # open offers with the cycle.
    with django_assert_num_queries(3):
        response = client.get("/api/v1/applicants/")
    assert response.json()["count"] == rows + 1
    assert all(
        row["open_offer"]["cycle_code"] == cycle.code for row in response.json()["results"][1:]
    )


# -- the steps --------------------------------------------------------------------------------


def test_invite_place_offer_the_happy_path(client, school):
    applicant = make_applicant(school)
    session = make_session(school)
    response = client.post(url(applicant, "invite"), {"session": session.pk}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "invited" and response.json()["session"] == session.pk
    assert Notification.objects.filter(
        kind="placement_invitation", person=f"applicant:{applicant.pk}"
    ).exists()

    response = client.post(
        url(applicant, "place"), {"level": "A1", "notes": "reads well"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["placement_level"] == "A1"

    cycle = CycleFactory(school=school, level=level("A1"))
    response = client.post(url(applicant, "offer"), {"cycle": cycle.pk}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert expires - dt.datetime.fromisoformat(body["offered_at"]) == dt.timedelta(hours=48)
    assert body["cycle"] == cycle.pk and body["status"] == "open"
    row = client.get(url(applicant)).json()
    assert row["status"] == "offered" and row["open_offer"]["id"] == body["id"]
    # The applicant's history records who did it.
    assert {h.history_user_id for h in Applicant.objects.get(pk=applicant.pk).history.all()} >= {
        client.handler._force_user.pk
    }


def test_an_offer_may_be_held_for_other_hours(client, school):
    applicant = make_applicant(school, status="placed", placement_level=level("A1"))
    cycle = CycleFactory(school=school, level=level("A1"))
    response = client.post(url(applicant, "offer"), {"cycle": cycle.pk, "hours": 24}, format="json")
    assert response.status_code == 201
    body = response.json()
    gap = dt.datetime.fromisoformat(body["expires_at"]) - dt.datetime.fromisoformat(
        body["offered_at"]
    )
    assert gap == dt.timedelta(hours=24)


def test_invite_refusals(client, school):
    applicant = make_applicant(school)
    foreign_session = make_session(SchoolFactory())
    response = client.post(url(applicant, "invite"), {"session": foreign_session.pk}, format="json")
    assert response.status_code == 400 and "session" in response.json()
    assert client.post(url(applicant, "invite"), {}, format="json").json().keys() == {"session"}
    full = make_session(school, capacity=1)
    make_applicant(school, status="invited", session=full)
    response = client.post(url(applicant, "invite"), {"session": full.pk}, format="json")
    assert response.status_code == 409 and "full" in response.json()["detail"]
    placed = make_applicant(school, status="placed", placement_level=level("A1"))
    response = client.post(
        url(placed, "invite"), {"session": make_session(school).pk}, format="json"
    )
    assert response.status_code == 409 and "detail" in response.json()


def test_place_refusals(client, school):
    applicant = make_applicant(school)
    response = client.post(url(applicant, "place"), {"level": "Z9"}, format="json")
    assert response.status_code == 400 and "level" in response.json()
    enrolled = make_applicant(school, status="enrolled", enrolled_at=FACTORY_DAY)
    response = client.post(url(enrolled, "place"), {"level": "A1"}, format="json")
    assert response.status_code == 409


def test_offer_refusals(client, school):
    applied = make_applicant(school)
    a1 = CycleFactory(school=school, level=level("A1"))
    response = client.post(url(applied, "offer"), {"cycle": a1.pk}, format="json")
    assert response.status_code == 409  # not placed yet
    placed = make_applicant(school, status="placed", placement_level=level("A1"))
    a2 = CycleFactory(school=school, level=level("A2"))
    response = client.post(url(placed, "offer"), {"cycle": a2.pk}, format="json")
    assert response.status_code == 400 and "cycle" in response.json()
    foreign = CycleFactory(school=SchoolFactory(), level=level("A1"))
    response = client.post(url(placed, "offer"), {"cycle": foreign.pk}, format="json")
    assert response.status_code == 400 and "cycle" in response.json()
    response = client.post(url(placed, "offer"), {"cycle": a1.pk, "hours": 0}, format="json")
    assert response.status_code == 400 and "hours" in response.json()
    full = CycleFactory(school=school, level=level("A1"), capacity=1)
    EnrollmentFactory(cycle=full)
    response = client.post(url(placed, "offer"), {"cycle": full.pk}, format="json")
    assert response.status_code == 409 and full.code in response.json()["detail"]
    assert not SeatOffer.objects.exists()


def test_decline_withdraws_an_open_offer_and_refusals(client, school):
    applicant = make_applicant(school, status="placed", placement_level=level("A1"))
    cycle = CycleFactory(school=school, level=level("A1"))
    client.post(url(applicant, "offer"), {"cycle": cycle.pk}, format="json")
    assert client.post(url(applicant, "decline"), {}, format="json").status_code == 400
    response = client.post(url(applicant, "decline"), {"reason": "Moved to Crete"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    assert response.json()["declined_reason"] == "Moved to Crete"
    assert SeatOffer.objects.get().status == "withdrawn"
    again = client.post(url(applicant, "decline"), {"reason": "again"}, format="json")
    assert again.status_code == 409


def test_merge_a_duplicate_into_the_first_application(client, school):
    partner = PartnerOrganisation.objects.create(school=school, name="Day centre")
    first = make_applicant(school, email="")
    second = make_applicant(
        school, duplicate_of=first, email="leila@example.org", referrer=partner,
        availability=",morning,",
    )  # fmt: skip
    response = client.post(url(second, "merge"), {"into": first.pk}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] == first.pk and body["email"] == "leila@example.org"
    assert body["availability"] == ["morning", "evening", "mon"]
    assert body["referrer"] == partner.pk
    second.refresh_from_db()
    assert second.status == "declined" and second.duplicate_of_id == first.pk
    # Refusals: itself, another school's, and an application no longer open.
    assert client.post(url(first, "merge"), {"into": first.pk}, format="json").status_code == 400
    foreign = make_applicant(SchoolFactory())
    response = client.post(url(first, "merge"), {"into": foreign.pk}, format="json")
    assert response.status_code == 400 and "into" in response.json()
    assert client.post(url(second, "merge"), {"into": first.pk}, format="json").status_code == 409


# -- placement tests --------------------------------------------------------------------------


def test_placement_tests_are_created_and_listed_with_the_invited(client, school):
    response = client.post(
        "/api/v1/placement-tests/",
        {"starts_at": "2026-12-01T10:00:00+02:00", "capacity": 12, "place": "Room 4"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    session_id = response.json()["id"]
    applicant = make_applicant(school)
    client.post(url(applicant, "invite"), {"session": session_id}, format="json")
    [row] = client.get("/api/v1/placement-tests/").json()["results"]
    assert row["invited_count"] == 1 and row["capacity"] == 12 and row["where"] == "Room 4"
    past = client.post(
        "/api/v1/placement-tests/",
        {"starts_at": "2026-11-01T10:00:00+02:00", "capacity": 12},
        format="json",
    )
    assert past.status_code == 400 and "starts_at" in past.json()
    none = client.post(
        "/api/v1/placement-tests/", {"starts_at": "2026-12-01T10:00:00+02:00", "capacity": 0}
    )
    assert none.status_code == 400 and "capacity" in none.json()


@pytest.mark.parametrize("rows", [1, 8])
def test_placement_tests_list_in_fixed_queries(client, school, django_assert_num_queries, rows):
    for n in range(rows):
        session = make_session(school, days=n + 1, capacity=5)
        make_applicant(school, status="invited", session=session)
    # 1 count, 2 the page with each test's venue and the number invited.
    with django_assert_num_queries(2):
        response = client.get("/api/v1/placement-tests/")
    assert [row["invited_count"] for row in response.json()["results"]] == [1] * rows


@pytest.mark.parametrize("role", ["teacher", "auditor", "student"])
def test_placement_tests_are_for_coordinators(school, role):
    user = UserFactory(school=school, role=role)
    assert api_as(user).get("/api/v1/placement-tests/").status_code == 403
