"""Every API endpoint x every role x an own and a foreign object.

The endpoints are read from the URL configuration; ``RULES`` says, for each, which kind of
object it serves, which roles may call it, and whether a class boundary applies (teachers see
only the cycles they teach, students only themselves). An endpoint added without a rule fails
``test_every_endpoint_has_a_rule``; add its line to ``RULES``.
"""

from dataclasses import dataclass

import pytest
from django.db import transaction
from django.db.models import Model
from django.urls import resolve
from django_filters import ModelChoiceFilter, ModelMultipleChoiceFilter
from django_filters.utils import get_model_field

from courses.models import Cycle
from school.api.filters import FilterBackend, IdFilter
from school.models import Student, User, Venue
from tests.conftest import api_as
from tests.security.endpoints import Endpoint, api_endpoints
from tests.security.world import World, build_world

pytestmark = pytest.mark.django_db

ROLES = ("coordinator", "auditor", "teacher", "student")
EVERYONE = ROLES
OFFICE = ("coordinator", "auditor")
STAFF = ("coordinator", "auditor", "teacher")
COORDINATOR = ("coordinator",)
CERTIFIED = ("coordinator", "auditor", "student")


@dataclass(frozen=True)
class Rule:
    """``kind``: the object the path's {pk} (or a list) is about (None: no object);
    ``roles``: who may call; ``by_class``: a teacher's or student's object from another class
    of the same school is foreign too (else only another school's is)."""

    roles: tuple[str, ...]
    kind: str | None = None
    by_class: bool = False
    public: bool = False
    query: str = ""


RULES: dict[str, Rule] = {
    "POST auth/token/": Rule(EVERYONE, public=True),
    # Anyone applies to a school, signed in or not (its own tests: test_intake_apply_api.py).
    "POST applications/": Rule(EVERYONE, public=True),
    "GET me/": Rule(EVERYONE),
    # The user's own lessons and exams; what is in it is checked by the calendar's own tests.
    "GET me/calendar.ics": Rule(EVERYONE),
    "GET teachers/": Rule(STAFF, "teacher"),
    "GET students/": Rule(EVERYONE, "student", by_class=True),
    "POST students/": Rule(COORDINATOR),
    "GET students/{pk}/": Rule(EVERYONE, "student", by_class=True),
    "PATCH students/{pk}/": Rule(COORDINATOR, "student"),
    "GET students/{pk}/special-category/": Rule(COORDINATOR, "student"),
    "PATCH students/{pk}/special-category/": Rule(COORDINATOR, "student"),
    "GET cycles/": Rule(EVERYONE, "cycle", by_class=True),
    "POST cycles/": Rule(COORDINATOR),
    "GET cycles/{pk}/": Rule(EVERYONE, "cycle", by_class=True),
    "PATCH cycles/{pk}/": Rule(COORDINATOR, "cycle"),
    "POST cycles/{pk}/complete/": Rule(COORDINATOR, "cycle"),
    "POST cycles/{pk}/generate-lessons/": Rule(COORDINATOR, "cycle"),
    "POST cycles/{pk}/waitlist/": Rule(COORDINATOR, "cycle"),
    "GET lessons/": Rule(EVERYONE, "lesson", by_class=True),
    "GET lessons/{pk}/": Rule(EVERYONE, "lesson", by_class=True),
    "PATCH lessons/{pk}/": Rule(("coordinator", "teacher"), "lesson", by_class=True),
    "GET lessons/{pk}/attendance/": Rule(STAFF, "lesson", by_class=True),
    "PUT lessons/{pk}/attendance/": Rule(("coordinator", "teacher"), "lesson", by_class=True),
    "GET enrollments/": Rule(EVERYONE, "enrollment", by_class=True),
    "POST enrollments/": Rule(COORDINATOR),
    "GET enrollments/{pk}/": Rule(EVERYONE, "enrollment", by_class=True),
    "POST enrollments/{pk}/promote/": Rule(COORDINATOR, "enrollment"),
    "POST enrollments/{pk}/withdraw/": Rule(COORDINATOR, "enrollment"),
    "GET placements/": Rule(OFFICE, "placement"),
    "POST placements/": Rule(COORDINATOR),
    "GET closures/": Rule(STAFF, "closure"),
    "POST closures/": Rule(COORDINATOR),
    "DELETE closures/{pk}/": Rule(COORDINATOR, "closure"),
    "GET exam-rounds/": Rule(EVERYONE, "exam-round"),
    "POST exam-rounds/": Rule(COORDINATOR),
    "GET exam-rounds/{pk}/": Rule(EVERYONE, "exam-round"),
    "PATCH exam-rounds/{pk}/": Rule(COORDINATOR, "exam-round"),
    "POST exam-rounds/{pk}/register-cycle/": Rule(COORDINATOR, "exam-round"),
    "GET exam-registrations/": Rule(EVERYONE, "registration", by_class=True),
    "POST exam-registrations/": Rule(COORDINATOR),
    "GET exam-registrations/{pk}/": Rule(EVERYONE, "registration", by_class=True),
    "GET exam-results/": Rule(EVERYONE, "result", by_class=True),
    "POST exam-results/": Rule(COORDINATOR),
    "GET exam-results/{pk}/": Rule(EVERYONE, "result", by_class=True),
    "PATCH exam-results/{pk}/": Rule(COORDINATOR, "result"),
    "GET notifications/": Rule(OFFICE, "notification"),
    "GET notifications/{pk}/": Rule(OFFICE, "notification"),
    "POST notifications/{pk}/resend/": Rule(COORDINATOR, "notification"),
    "GET stats/pass-rates/": Rule(OFFICE, query="?by=level"),
    "POST participations/{pk}/questionnaires/": Rule(COORDINATOR, "participation"),
    "GET reports/": Rule(OFFICE, "report"),
    "POST reports/": Rule(COORDINATOR),
    "GET reports/{pk}/": Rule(OFFICE, "report"),
    "GET reports/{pk}/download/": Rule(OFFICE, "report"),
    # A teacher signs the attendance sheet and sees no certificate; a student sees their own.
    "GET certificates/": Rule(CERTIFIED, "certificate", by_class=True),
    "POST certificates/": Rule(("coordinator", "student")),
    "GET certificates/{pk}/": Rule(CERTIFIED, "certificate", by_class=True),
    "GET certificates/{pk}/download/": Rule(CERTIFIED, "certificate", by_class=True),
    "POST certificates/{pk}/revoke/": Rule(COORDINATOR, "certificate"),
    "GET operations/": Rule(OFFICE, "operation"),
    "POST operations/": Rule(COORDINATOR),
    "GET operations/{pk}/": Rule(OFFICE, "operation"),
    "PATCH operations/{pk}/": Rule(COORDINATOR, "operation"),
    "GET participations/": Rule(OFFICE, "participation"),
    "GET participations/{pk}/": Rule(OFFICE, "participation"),
    # Applicants have not joined: their school's coordinators only.
    "GET applicants/": Rule(COORDINATOR, "applicant"),
    "GET applicants/{pk}/": Rule(COORDINATOR, "applicant"),
    "POST applicants/{pk}/invite/": Rule(COORDINATOR, "applicant"),
    "POST applicants/{pk}/place/": Rule(COORDINATOR, "applicant"),
    "POST applicants/{pk}/offer/": Rule(COORDINATOR, "applicant"),
    "POST applicants/{pk}/decline/": Rule(COORDINATOR, "applicant"),
    "POST applicants/{pk}/merge/": Rule(COORDINATOR, "applicant"),
    "GET placement-tests/": Rule(COORDINATOR, "placement-test"),
    "POST placement-tests/": Rule(COORDINATOR),
    "GET placement-tests/{pk}/": Rule(COORDINATOR, "placement-test"),
}

# A write that got past the role and scope checks: done, or refused for its (empty) content.
PASSED_CHECKS = {200, 201, 202, 204, 400, 409}


def test_every_endpoint_has_a_rule():
    found = {str(endpoint) for endpoint in api_endpoints()}
    missing = sorted(found - set(RULES))
    stale = sorted(set(RULES) - found)
    assert not missing, f"API endpoints without a scoping rule in RULES: {missing}"
    assert not stale, f"RULES for endpoints that no longer exist: {stale}"


def _call(client, endpoint: Endpoint, pk: int | None, query: str = ""):
    path = "/api/v1/" + endpoint.path.replace("{pk}", str(pk)) + query
    # Every call is undone, so one role's write never changes what the next role sees.
    with transaction.atomic():
        response = getattr(client, endpoint.method.lower())(path, {}, format="json")
        transaction.set_rollback(True)
    return response


def _ids(response) -> set[int]:
    body = response.json()
    rows = body["results"] if isinstance(body, dict) and "results" in body else body
    return {row.get("id", row.get("registration")) for row in rows}


@pytest.mark.parametrize("endpoint", api_endpoints(), ids=str)
def test_scoping(endpoint):
    rule = RULES.get(str(endpoint))
    if rule is None:
        pytest.fail(f"no rule for {endpoint}; add one to RULES")
    if rule.public:
        return
    world = build_world()
    problems = []
    for role in ROLES:
        client = api_as(world.users[role])
        own = world.own.get(rule.kind) if rule.kind else None
        foreigners = [world.foreign_school[rule.kind]] if rule.kind else []
        if rule.kind and rule.by_class and role in ("teacher", "student"):
            foreigners.append(world.other_class[rule.kind])
        detail = "{pk}" in endpoint.path
        response = _call(client, endpoint, own.pk if (detail and own) else None, rule.query)
        if role not in rule.roles:
            if response.status_code != 403:
                problems.append(f"{role}: own → {response.status_code}, expected 403")
            continue
        if endpoint.method == "GET":
            if response.status_code != 200:
                problems.append(f"{role}: own → {response.status_code}, expected 200")
            elif not detail and rule.kind:
                ids = _ids(response)
                if own.pk not in ids:
                    problems.append(f"{role}: own {rule.kind} {own.pk} missing from the list")
                for other in foreigners:
                    if other.pk in ids:
                        problems.append(f"{role}: foreign {rule.kind} {other.pk} in the list")
        elif response.status_code not in PASSED_CHECKS:
            problems.append(f"{role}: own → {response.status_code}, expected one of 2xx/400/409")
        if detail:
            for other in foreigners:
                response = _call(client, endpoint, other.pk)
                if response.status_code != 404:
                    problems.append(
                        f"{role}: foreign {rule.kind} {other.pk} → {response.status_code}, "
                        "expected 404"
                    )
    assert not problems, f"{endpoint}:\n" + "\n".join(problems)


def test_unauthenticated_calls_are_refused(api):
    for endpoint in api_endpoints():
        if RULES[str(endpoint)].public:
            continue
        path = "/api/v1/" + endpoint.path.replace("{pk}", "1")
        response = getattr(api, endpoint.method.lower())(path, {}, format="json")
        assert response.status_code == 401, f"{endpoint} → {response.status_code}"


# -- list filters by id ------------------------------------------------------------------------


def _filters(endpoint: Endpoint) -> dict:
    """The list's filters by query parameter, as the API builds them (empty for a view
    without filters)."""
    view_class = getattr(resolve("/api/v1/" + endpoint.path).func, "cls", None)
    queryset = getattr(view_class, "queryset", None)
    if queryset is None:
        return {}
    filterset = FilterBackend().get_filterset_class(view_class(), queryset)
    return dict(filterset.base_filters) if filterset else {}


def _id_filters(endpoint: Endpoint) -> dict[str, type[Model]]:
    """Query parameter → the model whose ids it takes."""
    filters = _filters(endpoint)
    if not filters:
        return {}
    model = resolve("/api/v1/" + endpoint.path).func.cls.queryset.model
    return {
        name: get_model_field(model, item.field_name).related_model
        for name, item in filters.items()
        if isinstance(item, IdFilter)
    }


LISTS = [e for e in api_endpoints() if e.method == "GET" and "{pk}" not in e.path]
FILTERED_LISTS = [e for e in LISTS if _id_filters(e)]
KINDS: dict[type[Model], str] = {Cycle: "cycle", Student: "student"}


def _strangers(world: World, model: type[Model], role: str, venue: Venue) -> list[Model]:
    """Objects of ``model`` this role must not learn about: another school's, and for a
    teacher or a student another class's where classes divide (cycles, students)."""
    if model is Venue:
        return [venue]
    if model is User:
        return [world.foreign_school["teacher"].user]
    kind = (
        KINDS.get(model)
        or {
            m._meta.model: k
            for k, m in world.foreign_school.items()
            if hasattr(m, "_meta")  # an object of the world
        }[model]
    )
    strangers = [world.foreign_school[kind]]
    if role in ("teacher", "student") and kind in KINDS.values():
        strangers.append(world.other_class[kind])
    return strangers


def test_every_id_filter_is_found():
    found = {str(e): sorted(_id_filters(e)) for e in FILTERED_LISTS}
    assert found == {
        "GET applicants/": ["referrer"],
        "GET cycles/": ["venue"],
        "GET certificates/": ["enrollment"],
        "GET enrollments/": ["cycle", "student"],
        "GET exam-registrations/": ["exam_round", "student"],
        "GET exam-results/": ["registration__exam_round"],
        "GET lessons/": ["cycle"],
        "GET notifications/": ["student", "user"],
        "GET participations/": ["cycle", "operation"],
        "GET placements/": ["student"],
    }


@pytest.mark.parametrize("endpoint", LISTS, ids=str)
def test_no_list_filter_checks_an_id_against_the_whole_table(endpoint):
    checking = [
        name
        for name, item in _filters(endpoint).items()
        if isinstance(item, (ModelChoiceFilter, ModelMultipleChoiceFilter))
    ]
    assert not checking, f"{endpoint}: {checking} would tell which ids exist elsewhere"


@pytest.mark.parametrize("endpoint", FILTERED_LISTS, ids=str)
def test_id_filters_answer_a_foreign_id_exactly_like_an_unknown_one(endpoint):
    """One behaviour for every id filter and role: an id that is unknown, another school's or
    another class's gives 200 with the same empty list; a value that is not a number, 400."""
    rule = RULES[str(endpoint)]
    world = build_world()
    venue = Venue.objects.create(school=world.foreign_school["cycle"].school, name="Elsewhere")
    path = "/api/v1/" + endpoint.path
    problems = []
    for role in rule.roles:
        client = api_as(world.users[role])
        for parameter, model in _id_filters(endpoint).items():
            unknown = 2_000_000_000
            assert not model._default_manager.filter(pk=unknown).exists()
            expected = client.get(path, {parameter: unknown})
            if (expected.status_code, expected.json().get("count")) != (200, 0):
                problems.append(f"{role} ?{parameter}={unknown} → {expected.status_code}")
                continue
            for stranger in _strangers(world, model, role, venue):
                answer = client.get(path, {parameter: stranger.pk})
                if (answer.status_code, answer.json()) != (200, expected.json()):
                    problems.append(
                        f"{role} ?{parameter}={stranger.pk} (a foreign {model.__name__}) → "
                        f"{answer.status_code} {answer.json()}, unlike an unknown id"
                    )
            # Out-of-range ids, and an unknown one written as a decimal.
            for value in ("-1", "0", str(2**64), f"{unknown}.0"):
                if client.get(path, {parameter: value}).json() != expected.json():
                    problems.append(f"{role} ?{parameter}={value} differs from an unknown id")
            if client.get(path, {parameter: "abc"}).status_code != 400:
                problems.append(f"{role} ?{parameter}=abc is not 400")
    assert not problems, f"{endpoint}:\n" + "\n".join(problems)


def test_an_id_filter_still_narrows_the_list_to_the_object():
    world = build_world()
    client = api_as(world.users["coordinator"])
    own = world.own["cycle"]
    ids = {
        row["cycle"] for row in client.get(f"/api/v1/enrollments/?cycle={own.pk}").json()["results"]
    }
    assert ids == {own.pk}
