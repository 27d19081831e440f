"""What each role may do, as Django permissions on the role's group.

The API and pages scope every query by role and school as well; these permissions decide what
the admin shows and are the switch for special-category data (``view_specialcategorydata``).

Each app grants the permissions on its own models (``role_permissions_register`` in its
``AppConfig.ready()``), so this app names no model of the apps above it; after every migrate
each role's group is set to hold exactly what the apps granted it.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from school.choices import Role

ALL_ACTIONS = ("view", "add", "change", "delete")

_GRANTS: dict[str, dict[str, list[str]]] = {}


def permissions(app: str, models: Iterable[str], actions: Iterable[str]) -> list[str]:
    """``app.action_model`` for each model and action, as Django names permissions."""
    return [f"{app}.{action}_{model}" for model in models for action in actions]


def role_permissions_register(app: str, grants: Mapping[str, Iterable[str]]) -> None:
    """What each role may do with ``app``'s models (names as ``app.codename``); a role left
    out gets none of them."""
    _GRANTS[app] = {role: list(names) for role, names in grants.items()}


def role_permissions() -> dict[str, list[str]]:
    """Every role (students get none) with the permissions the apps granted it."""
    return {
        role: [name for grants in _GRANTS.values() for name in grants.get(role, [])]
        for role in Role.values
    }


def sync_role_groups(**kwargs: Any) -> None:
    """Create one group per role holding exactly that role's permissions."""
    for role, names in role_permissions().items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = Q(pk__in=[])
        for name in names:
            app_label, codename = name.split(".")
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(wanted))


SCHOOL_MODELS = ["venue", "room", "teacher", "student"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.COORDINATOR: [
        *permissions("school", SCHOOL_MODELS, ALL_ACTIONS),
        *permissions("school", ["specialcategorydata"], ("view", "add", "change")),
        "school.view_specialcategoryread",
        *permissions("school", ["retentionperiod"], ALL_ACTIONS),
        "school.view_school",
        "school.change_school",
        "school.view_user",
        *permissions("school", ["partnerorganisation"], ("view", "add", "change")),
    ],
    Role.TEACHER: ["school.view_student"],
    # Read-only across the school; special-category data stays out.
    Role.AUDITOR: permissions(
        "school", [*SCHOOL_MODELS, "school", "specialcategoryread", "retentionperiod"], ("view",)
    ),
}
