"""The OpenAPI schema and its documentation page (school.api.schema)."""

import pytest

pytestmark = pytest.mark.django_db


def test_api_docs_and_schema_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
