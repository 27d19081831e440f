"""Bad input across the API and the forms: very long strings, wrong types, right-to-left and
mixed scripts, SQL-like text, NUL bytes, huge page sizes, malformed JSON. Every answer is a
clean 4xx (or, for text that is merely unusual, a success), never a server error."""

import pytest
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator

from tests.conftest import api_as
from tests.security.endpoints import api_endpoints
from tests.security.world import build_world

pytestmark = pytest.mark.django_db

TEXTS = {
    "very long": "x" * 100_000,
    "right-to-left and mixed": "\u202eمحمد Ιωάννης Олена שלום\u200f 𝔸𝔹 ‫زهرا‬ 名前",
    "SQL-like": "'; DROP TABLE school_student; -- \" OR 1=1 /*",
    "NUL byte": "abc\x00def",
    "format string": "%s%s%n {0} {{ }} ${7*7}",
}
WRONG_TYPES = {
    "list": [1, [2, "x"]],
    "object": {"$gt": ""},
    "huge number": 10**40,
    "float": 1e308,
    "negative": -(2**63),
    "boolean": True,
    "null": None,
}
BAD_VALUES = {**TEXTS, **WRONG_TYPES}
REFUSED_EVERYWHERE = {"list", "object", "boolean", "null", "very long", "NUL byte"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def _operation(schema, path: str, method: str) -> dict:
    # The schema names the path parameter {id} where the URL configuration says {pk}.
    operation = schema["paths"].get("/api/v1/" + path.replace("{pk}", "{id}"), {})
    assert operation, f"{path} is not in the schema"
    return operation.get(method.lower(), {})


def _body_fields(schema, path: str, method: str) -> list[str]:
    operation = _operation(schema, path, method)
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    ref = content.get("schema", {})
    if "items" in ref:
        ref = ref["items"]
    if "$ref" not in ref:
        assert not content, f"{method} {path}: a request body that is not a component"
        return ["name", "id"]
    component = schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]
    return list(component.get("properties", {})) or ["name"]


def _has_body(schema, path: str, method: str) -> bool:
    return "requestBody" in _operation(schema, path, method)


def _query_parameters(schema, path: str) -> list[str]:
    operation = _operation(schema, path, "get")
    return [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]


def _undone(call):
    with transaction.atomic():
        response = call()
        transaction.set_rollback(True)
    return response


def _object_id(world, path: str) -> int:
    kinds = {
        "students": "student", "cycles": "cycle", "lessons": "lesson",
        "enrollments": "enrollment", "closures": "closure", "exam-rounds": "exam-round",
        "exam-registrations": "registration", "exam-results": "result",
        "notifications": "notification", "certificates": "certificate", "operations": "operation",
        "participations": "participation", "applicants": "applicant",
        "placement-tests": "placement-test",
    }  # fmt: skip
    return world.own[kinds[path.split("/")[0]]].pk


def _assert_clean(response, what: str) -> None:
    assert response.status_code < 500, f"{what} → {response.status_code}"
    if response.status_code >= 400 and response.status_code != 405:
        assert response["Content-Type"].startswith("application/json"), what
        assert response.json(), f"{what}: a 4xx without a message"


def test_every_write_answers_bad_values_with_a_4xx(schema):
    world = build_world()
    client = api_as(world.users["coordinator"])
    for endpoint in api_endpoints():
        if endpoint.method not in ("POST", "PATCH", "PUT") or endpoint.path == "auth/token/":
            continue
        path = "/api/v1/" + endpoint.path
        if "{pk}" in path:
            path = path.replace("{pk}", str(_object_id(world, endpoint.path)))
        fields = _body_fields(schema, endpoint.path, endpoint.method)
        has_body = _has_body(schema, endpoint.path, endpoint.method)
        send = getattr(client, endpoint.method.lower())
        for name, value in BAD_VALUES.items():
            body = dict.fromkeys(fields, value)
            response = _undone(lambda p=path, b=body, s=send: s(p, b, format="json"))
            _assert_clean(response, f"{endpoint} with every field {name}")
            # Lists, objects, booleans, nulls, NUL bytes and 100,000 characters fit no field:
            # refused. (A number in a text field is read as its digits, as DRF does; an
            # operation without a body ignores one, and may succeed.)
            if has_body and name in REFUSED_EVERYWHERE:
                assert 400 <= response.status_code < 500, f"{endpoint} accepted {name}"
        for raw in (b'{"first_name": ', b"[", b"\xff\xfe", b"null", b'"text"', b"1" * 10_000):
            response = _undone(
                lambda p=path, r=raw, s=send: s(p, r, content_type="application/json")
            )
            _assert_clean(response, f"{endpoint} with body {raw[:20]!r}")
            if has_body:
                assert 400 <= response.status_code < 500, f"{endpoint} accepted {raw[:20]!r}"
        if has_body:
            response = _undone(lambda p=path, s=send: s(p, "a=b", content_type="text/plain"))
            assert response.status_code in (400, 415), f"{endpoint} with text/plain"


def test_every_list_filter_answers_bad_values_cleanly(schema):
    world = build_world()
    for role in ("coordinator", "teacher", "student"):
        client = api_as(world.users[role])
        for endpoint in api_endpoints():
            if endpoint.method != "GET" or "{pk}" in endpoint.path:
                continue
            path = "/api/v1/" + endpoint.path
            for parameter in _query_parameters(schema, endpoint.path) or ["unknown"]:
                for name, value in TEXTS.items():
                    value = value[:5000]  # a query string, not a body: servers cap URLs
                    response = client.get(path, {parameter: value})
                    _assert_clean(response, f"{role} {endpoint} ?{parameter}= {name}")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("page_size=1000000000000", 200),
        ("page_size=-5", 200),
        ("page_size=abc", 200),
        ("page=0", 404),
        ("page=-1", 404),
        ("page=99999999999999999999", 404),
        ("page=abc", 404),
    ],
)
def test_page_sizes_and_pages_out_of_range(coordinator, query, expected):
    response = api_as(coordinator).get(f"/api/v1/students/?{query}")
    assert response.status_code == expected
    if expected == 200:
        assert len(response.json()["results"]) <= 500


def test_ids_of_every_shape_in_paths_are_404(coordinator):
    client = api_as(coordinator)
    for bad in ("0", "-1", "99999999999999999999", "abc", "1.5", "%00", "٣"):
        response = client.get(f"/api/v1/students/{bad}/")
        assert response.status_code == 404, bad


def test_names_in_any_script_are_kept_as_written(coordinator):
    for name in ("محمد", "Ιωάννης", "Олена", "Grâce", "زهرا علی‌زاده"):
        response = api_as(coordinator).post(
            "/api/v1/students/", {"first_name": name, "last_name": "Test"}, format="json"
        )
        assert response.status_code == 201
        assert response.json()["first_name"] == name


def test_sign_in_and_code_forms_take_any_junk(client, coordinator):
    for value in BAD_VALUES.values():
        text = value if isinstance(value, str) else str(value)
        response = client.post("/", {"username": text, "password": text})
        assert response.status_code in (200, 400, 429)
    client.force_login(coordinator)
    for value in TEXTS.values():
        response = client.post("/two-factor/", {"token": value, "next": value})
        assert response.status_code < 500


def test_api_token_takes_any_junk(api):
    for value in BAD_VALUES.values():
        response = api.post(
            "/api/v1/auth/token/", {"username": value, "password": value}, format="json"
        )
        assert response.status_code in (400, 429), repr(value)[:80]


def test_office_forms_take_any_junk(client, coordinator):
    world = build_world()
    client.force_login(world.users["coordinator"])
    cycle = world.own["cycle"]
    enrollment = world.own["enrollment"]
    posts = [
        f"/office/cycles/{cycle.pk}/enroll/",
        f"/office/enrollments/{enrollment.pk}/withdraw/",
        f"/office/enrollments/{enrollment.pk}/move/",
        f"/office/exams/{world.own['exam-round'].pk}/register-cycle/",
        f"/office/lessons/{world.own['lesson'].pk}/cancel/",
        "/office/import/",
        *(
            f"/office/applicants/{world.own['applicant'].pk}/{step}/"
            for step in ("invite", "place", "offer", "decline", "merge", "erase")
        ),
        "/office/placement-tests/",
    ]
    fields = ("student", "reason", "direction", "cycle", "q", "session", "level", "notes")
    fields += ("hours", "into", "confirm", "starts_at", "capacity", "place", "venue")
    for url in posts:
        for name, value in TEXTS.items():
            form = dict.fromkeys(fields, value)
            response = _undone(lambda u=url, f=form: client.post(u, f))
            assert response.status_code < 500, f"{url} with {name}"
    for name, value in TEXTS.items():
        response = client.get(f"/office/cycles/{cycle.pk}/", {"q": value[:5000]})
        assert response.status_code < 500, f"search with {name}"
        response = client.get("/office/notifications/", {"status": value[:5000]})
        assert response.status_code < 500, f"message log filter with {name}"
        query = dict.fromkeys(("status", "level", "availability", "referrer", "page"), value[:5000])
        response = client.get("/office/applicants/", query)
        assert response.status_code < 500, f"applicant filters with {name}"
