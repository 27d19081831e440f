"""Sign-in throttling (django-axes): five wrong passwords lock a username out, on the
sign-in page and for an API token."""

import pytest

pytestmark = pytest.mark.django_db


def test_five_wrong_passwords_lock_the_sign_in_page(client, coordinator):
    for _ in range(4):
        response = client.post("/", {"username": "coord", "password": "wrong"})
        assert response.status_code == 200
    assert client.post("/", {"username": "coord", "password": "wrong"}).status_code == 429
    response = client.post("/", {"username": "coord", "password": "pass-word-123"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_lockout_is_per_username(client, coordinator, auditor):
    for _ in range(5):
        client.post("/", {"username": "coord", "password": "wrong"})
    response = client.post("/", {"username": "audit", "password": "pass-word-123"})
    assert response.status_code == 302


def test_five_wrong_passwords_lock_the_api_token(api, coordinator):
    for _ in range(4):
        response = api.post(
            "/api/v1/auth/token/", {"username": "coord", "password": "wrong"}, format="json"
        )
        assert response.status_code == 400
    api.post("/api/v1/auth/token/", {"username": "coord", "password": "wrong"}, format="json")
    response = api.post(
        "/api/v1/auth/token/", {"username": "coord", "password": "pass-word-123"}, format="json"
    )
    assert response.status_code == 429
    assert "token" not in response.json()
