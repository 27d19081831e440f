"""The front door: signing in leads each role to its home, another role's pages are
refused, visitors are sent to sign in, and signing out ends the session."""

import pytest

pytestmark = pytest.mark.django_db


def test_front_door_is_the_sign_in_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b'name="password"' in response.content


@pytest.mark.parametrize(
    ("fixture", "home"),
    [
        ("coordinator", "/office/"),
        ("auditor", "/office/"),
        ("teacher", "/teach/"),
        ("student_user", "/me/"),
    ],
)
def test_signing_in_leads_to_the_role_home(fixture, home, client, request):
    user = request.getfixturevalue(fixture)
    user = getattr(user, "user", user)
    response = client.post("/", {"username": user.username, "password": "pass-word-123"})
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == home
    assert client.get(home).status_code == 200


@pytest.mark.parametrize(
    ("fixture", "page"),
    [
        ("teacher", "/office/"),
        ("student_user", "/office/"),
        ("student_user", "/teach/"),
        ("coordinator", "/me/"),
    ],
)
def test_other_roles_pages_are_forbidden(fixture, page, client, request):
    user = request.getfixturevalue(fixture)
    client.force_login(getattr(user, "user", user))
    assert client.get(page).status_code == 403


def test_pages_send_visitors_to_sign_in(client):
    response = client.get("/office/")
    assert response.status_code == 302
    assert response["Location"].startswith("/?next=")


def test_signing_out_closes_the_office_again(client, coordinator):
    client.force_login(coordinator)
    assert client.post("/signout/").status_code == 302
    assert client.get("/office/").status_code == 302
