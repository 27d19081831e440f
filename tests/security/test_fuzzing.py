"""schemathesis against /api/schema/, signed in as each role: no server error, and no answer
that contradicts the schema (status codes, content types, bodies).

Bounded so the suite stays quick: FUZZ_EXAMPLES examples per operation (default 25). Run more
with ``FUZZ_EXAMPLES=200 .venv/bin/python -m pytest tests/security/test_fuzzing.py``.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.security.world import build_world

pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.fuzz]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _fuzz_operation(operation, headers: dict[str, str]) -> list[str]:
    failures: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case) -> None:
        # Each example in a savepoint of its own, undone: one example's writes (a withdrawn
        # enrollment, a completed cycle) never decide what the next one finds.
        with transaction.atomic():
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        try:
            case.validate_response(response, checks=CHECKS)
        except (Failure, FailureGroup) as error:
            # One report per operation is enough to act on; hypothesis keeps trying others.
            if not failures:
                failures.append(
                    f"{case.method} {case.formatted_path}: {error}\n"
                    f"    {case.as_curl_command(headers=headers)}"[:3000]
                )

    run()
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
        failures.extend(_fuzz_operation(operation, headers))
    assert operations >= 40
    assert not failures, "\n".join(failures[:60])
