import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["coordinator", "teacher", "student", "auditor"])
def test_each_role_gets_a_token_and_me_describes_the_user(role, api, request):
    user = request.getfixturevalue(
        {"teacher": "teacher", "student": "student_user"}.get(role, role)
    )
    user = getattr(user, "user", user)

    response = api.post(
        "/api/v1/auth/token/", {"username": user.username, "password": "pass-word-123"}
    )
    assert response.status_code == 200, response.content
    token = response.json()["token"]

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me/")
    assert me.status_code == 200
    body = me.json()
    assert body["id"] == user.pk
    assert body["username"] == user.username
    assert body["role"] == role
    assert body["school"] == user.school_id
    assert body["language"] == user.language
    assert ("teacher" in body) == (role == "teacher")
    assert ("student" in body) == (role == "student")
    if role == "teacher":
        assert body["teacher"] == user.teacher.pk
    if role == "student":
        assert body["student"] == user.student.pk


def test_wrong_password_gets_400_with_a_message(api, coordinator):
    response = api.post("/api/v1/auth/token/", {"username": "coord", "password": "nope"})
    assert response.status_code == 400
    assert response.json()["non_field_errors"]


def test_me_without_credentials_is_401(api):
    assert api.get("/api/v1/me/").status_code == 401


def test_bad_token_is_401(api):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api.get("/api/v1/me/").status_code == 401


def test_malformed_json_is_400(api):
    response = api.post("/api/v1/auth/token/", data="{not json", content_type="application/json")
    assert response.status_code == 400


def test_me_takes_a_fixed_number_of_queries(coordinator, django_assert_num_queries):
    from tests.conftest import api_as

    client = api_as(coordinator)
    # 1: the user with school, teacher and student profiles joined
    with django_assert_num_queries(1):
        assert client.get("/api/v1/me/").status_code == 200
