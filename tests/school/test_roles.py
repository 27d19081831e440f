"""The roles: the Role enum's groups of roles (school.choices), and each role's group of
permissions, which holds exactly what the apps grant it (school/roles.py and each app's roles.py),
kept in sync on every migrate."""

import pytest
from django.contrib.auth.models import Group

from school.choices import Role
from school.roles import role_permissions, sync_role_groups

pytestmark = pytest.mark.django_db


def _held(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_each_roles_group_holds_exactly_what_the_apps_grant():
    sync_role_groups()
    for role, names in role_permissions().items():
        assert _held(role) == set(names)


def test_the_apps_grant_their_own_models_to_each_role():
    sync_role_groups()
    coordinator, teacher, auditor = _held("coordinator"), _held("teacher"), _held("auditor")
    assert {"courses.add_enrollment", "exams.change_examresult"} <= coordinator
    assert "notifications.view_notification" in coordinator
    assert "school.view_specialcategorydata" in coordinator
    assert {"courses.change_attendance", "school.view_student"} <= teacher
    assert not {name for name in teacher if name.startswith(("exams.", "notifications."))}
    # Auditors read everything but special-category data, and change nothing.
    assert {"courses.view_attendance", "exams.view_examresult"} <= auditor
    assert "school.view_specialcategorydata" not in auditor
    assert all(name.split(".")[1].startswith("view_") for name in auditor)
    assert _held("student") == set()


def test_a_permission_added_to_a_group_by_hand_goes_on_the_next_sync():
    sync_role_groups()
    group = Group.objects.get(name="teacher")
    group.permissions.add(*Group.objects.get(name="coordinator").permissions.all())
    sync_role_groups()
    assert _held("teacher") == set(role_permissions()["teacher"])


def test_role_groups_are_not_roles_anyone_can_have():
    assert Role.values == ["coordinator", "teacher", "student", "auditor"]
    assert set(Role.OFFICE) < set(Role.STAFF) < set(Role.ALL) == set(Role.values)
