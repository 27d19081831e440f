"""schemathesis against /api/schema/, signed in as each role: no server error, and no answer
that contradicts the schema (status codes, content types, bodies).

The world (``tests/security/world.py``) holds the odd cases too: a failed result, a cancelled
lesson, a class with nobody enrolled. A path's ``{id}`` is drawn from the world's objects of
that kind as well as generated, so answers about real objects are checked, not only 404s; and
every operation is also called on each of those objects with and without ``page_size=0``.

Bounded so the suite stays quick: FUZZ_EXAMPLES examples per operation (default 25). Run more
with ``FUZZ_EXAMPLES=200 .venv/bin/python -m pytest tests/security/test_fuzzing.py``.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.security.world import World, build_world

pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.fuzz]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# The world's object kind behind each resource's ``{id}``.
KINDS = {
    "cycles": "cycle", "lessons": "lesson", "enrollments": "enrollment",
    "exam-rounds": "exam-round", "exam-registrations": "registration", "exam-results": "result",
    "students": "student", "notifications": "notification", "reports": "report",
    "closures": "closure", "placements": "placement", "certificates": "certificate",
    "operations": "operation",
    "participations": "participation",
    "applicants": "applicant", "placement-tests": "placement-test",
}  # fmt: skip


def world_ids(world: World, path: str) -> list[int]:
    """The ids of the world's objects a path's ``{id}`` can name: the own class's, the odd
    cases', the other class's and the other school's (those answer 404)."""
    if "{id}" not in path:
        return []
    kind = KINDS[path.removeprefix("/api/v1/").split("/")[0]]
    objects = [world.own[kind], *world.edge.get(kind, [])]
    objects += [world.other_class[kind], world.foreign_school[kind]]
    return [obj.pk for obj in objects]


def _call_and_check(case, headers: dict[str, str]) -> str | None:
    # Each call in a savepoint of its own, undone: one call's writes (a withdrawn enrollment, a
    # completed cycle) never decide what the next one finds.
    with transaction.atomic():
        response = case.call(headers=headers)
        transaction.set_rollback(True)
    try:
        case.validate_response(response, checks=CHECKS)
    except (Failure, FailureGroup) as error:
        return (
            f"{case.method} {case.formatted_path}: {error}\n"
            f"    {case.as_curl_command(headers=headers)}"[:3000]
        )
    return None


def _fuzz_operation(operation, headers: dict[str, str], ids: list[int]) -> list[str]:
    failures: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        case=operation.as_strategy(),
        pk=st.sampled_from([None, *ids]) if ids else st.none(),
    )
    def run(case, pk: int | None) -> None:
        if pk is not None:
            case.path_parameters = {**(case.path_parameters or {}), "id": pk}
        failure = _call_and_check(case, headers)
        # One report per operation is enough to act on; hypothesis keeps trying others.
        if failure and not failures:
            failures.append(failure)

    run()
    return failures


def _odd_cases(operation, headers: dict[str, str], ids: list[int]) -> list[str]:
    """Every operation on each of the world's objects (or once, without one), as it is and
    with ``page_size=0``, whether the operation lists pages or not."""
    failures: list[str] = []
    for pk in ids or [None]:
        for query in (None, {"page_size": 0}):
            case = operation.Case(path_parameters={"id": pk} if pk else None, query=query)
            failure = _call_and_check(case, headers)
            if failure:
                failures.append(failure)
                break
    return failures


@pytest.fixture
def keep_test_connection():
    """Calls go straight to the WSGI application, which closes the database connection after
    each request; the test's transaction lives on that connection, so keep it open (as Django's
    own test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", ["coordinator", "auditor", "teacher", "student"])
def test_api_answers_every_generated_request_within_its_schema(role, keep_test_connection):
    world = build_world()
    token = Token.objects.create(user=world.users[role])
    headers = {"Authorization": f"Token {token.key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        ids = world_ids(world, operation.path)
        failures.extend(_odd_cases(operation, headers, ids))
        failures.extend(_fuzz_operation(operation, headers, ids))
    assert operations >= 40
    assert not failures, "\n".join(failures[:60])
