"""The admin of the school's records: a coordinator sees their own school's, special-category
data only with its permission, and a record's history only for their school, read-only."""

import pytest

from tests.factories import SchoolFactory, StudentFactory

pytestmark = pytest.mark.django_db


def test_admin_shows_a_coordinator_only_their_schools_students(client, coordinator):
    from tests.factories import StudentFactory

    StudentFactory(school=coordinator.school, last_name="Ownschool")
    StudentFactory(school=SchoolFactory(), last_name="Otherschool")
    client.force_login(coordinator)
    response = client.get("/admin/school/student/")
    assert response.status_code == 200
    assert b"Ownschool" in response.content
    assert b"Otherschool" not in response.content


def test_special_category_data_stays_out_of_the_auditors_admin(client, auditor):
    from tests.factories import StudentFactory

    student = StudentFactory(school=auditor.school)
    client.force_login(auditor)
    response = client.get(f"/admin/school/student/{student.pk}/change/")
    assert response.status_code == 200
    assert b"Disability" not in response.content


def test_coordinator_sees_special_category_data_inline(client, coordinator):
    from tests.factories import StudentFactory

    student = StudentFactory(school=coordinator.school)
    client.force_login(coordinator)
    response = client.get(f"/admin/school/student/{student.pk}/change/")
    assert b"Disability" in response.content


def test_admin_history_of_another_schools_record_is_404_and_history_never_saves(
    client, coordinator
):
    foreign = StudentFactory(school=SchoolFactory(), last_name="Elsewhere")
    own = StudentFactory(school=coordinator.school)
    own.last_name = "Renamed"
    own.save()
    client.force_login(coordinator)
    assert client.get(f"/admin/school/student/{foreign.pk}/history/").status_code == 404
    foreign_version = foreign.history.first().history_id
    assert (
        client.get(f"/admin/school/student/{foreign.pk}/history/{foreign_version}/").status_code
        == 404
    )
    own_version = own.history.last().history_id
    assert client.get(f"/admin/school/student/{own.pk}/history/").status_code == 200
    assert (
        client.post(f"/admin/school/student/{own.pk}/history/{own_version}/", {}).status_code == 403
    )
