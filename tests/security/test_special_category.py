"""Special-category data (disability, minority): its own permission, every read recorded."""

import datetime as dt
import logging

import pytest

from school.models import SpecialCategoryData, SpecialCategoryRead
from tests.conftest import api_as
from tests.factories import CycleFactory, EnrollmentFactory, StudentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def student(school):
    student = StudentFactory(school=school)
    SpecialCategoryData.objects.create(
        student=student, disability="yes", disability_asked_on=dt.date(2026, 10, 5)
    )
    return student


def test_coordinator_reads_special_category_and_the_read_is_recorded(coordinator, student):
    response = api_as(coordinator).get(f"/api/v1/students/{student.pk}/special-category/")
    assert response.status_code == 200
    assert response.json()["disability"] == "yes"
    read = SpecialCategoryRead.objects.get()
    assert (read.user, read.student, read.via) == (coordinator, student, "api")
    assert read.school == student.school


@pytest.mark.parametrize("fixture", ["auditor", "teacher", "student_user"])
def test_other_roles_may_not_read_special_category(fixture, request, student):
    user = request.getfixturevalue(fixture)
    user = getattr(user, "user", user)
    if fixture == "teacher":
        cycle = CycleFactory(school=student.school)
        cycle.teachers.add(request.getfixturevalue("teacher"))
        EnrollmentFactory(cycle=cycle, student=student)
    response = api_as(user).get(f"/api/v1/students/{student.pk}/special-category/")
    assert response.status_code == 403
    assert SpecialCategoryRead.objects.count() == 0


def test_a_coordinator_without_the_permission_is_told_why(school, student):
    coordinator = UserFactory(school=school, role="coordinator")
    coordinator.groups.clear()
    response = api_as(coordinator).get(f"/api/v1/students/{student.pk}/special-category/")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only a coordinator holding the special-category permission sees these data."
    }


def test_special_category_is_never_in_the_student_resource(coordinator, auditor, student):
    for user in (coordinator, auditor):
        body = api_as(user).get(f"/api/v1/students/{student.pk}/").json()
        assert not {"disability", "minority", "documented_hospitalisation"} & set(body)
        listed = api_as(user).get("/api/v1/students/").json()["results"][0]
        assert "disability" not in listed
    assert SpecialCategoryRead.objects.count() == 0


def test_a_coordinator_without_the_permission_is_refused(coordinator, student):
    coordinator.groups.clear()
    response = api_as(coordinator).get(f"/api/v1/students/{student.pk}/special-category/")
    assert response.status_code == 403


def test_another_schools_student_is_not_found(coordinator):
    foreign = StudentFactory()
    response = api_as(coordinator).get(f"/api/v1/students/{foreign.pk}/special-category/")
    assert response.status_code == 404


def test_coordinator_records_an_answer_and_nothing_reaches_the_logs(coordinator, student, caplog):
    caplog.set_level(logging.DEBUG)
    response = api_as(coordinator).patch(
        f"/api/v1/students/{student.pk}/special-category/",
        {"minority": "declined", "minority_asked_on": "2026-10-05"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["minority"] == "declined"
    assert response.json()["disability"] == "yes"
    for record in caplog.records:
        message = record.getMessage()
        assert "declined" not in message
        assert "minority" not in message


def test_an_answer_without_the_date_it_was_asked_is_a_400(coordinator, student):
    response = api_as(coordinator).patch(
        f"/api/v1/students/{student.pk}/special-category/", {"minority": "yes"}, format="json"
    )
    assert response.status_code == 400


def test_opening_the_student_in_the_admin_records_a_read(client, coordinator, student):
    client.force_login(coordinator)
    response = client.get(f"/admin/school/student/{student.pk}/change/")
    assert response.status_code == 200
    assert b"Disability" in response.content
    assert SpecialCategoryRead.objects.get().via == "admin"


def test_auditor_sees_the_trail_but_not_the_data(client, coordinator, auditor, student):
    api_as(coordinator).get(f"/api/v1/students/{student.pk}/special-category/")
    client.force_login(auditor)
    page = client.get(f"/admin/school/student/{student.pk}/change/")
    assert page.status_code == 200
    assert b"Disability" not in page.content
    trail = client.get("/admin/school/specialcategoryread/")
    assert trail.status_code == 200
    assert student.last_name.encode() in trail.content
    assert SpecialCategoryRead.objects.count() == 1
