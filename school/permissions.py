"""Who may open a page or call an endpoint, by role."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from school.choices import Role
from school.models import School, User


def sees_special_category(user: Any) -> bool:
    """Coordinators holding the special-category permission; never teachers or auditors."""
    return getattr(user, "role", "") == Role.COORDINATOR and user.has_perm(
        "school.view_specialcategorydata"
    )


def special_category_reader(*, username: str, school: Any) -> User:
    """The user an operator names to read special-category data from the shell (a data-subject
    request, a funder's report): it must be someone allowed to read it in that school, so the
    read is theirs and is recorded like one on a page. ValueError says why not."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ValueError(f"No user {username}.")
    if user.school_id != school.pk or not sees_special_category(user):
        raise ValueError(
            f"{username} may not read special-category data in {school}: only its coordinators "
            "holding that permission may."
        )
    return user


def request_user(request: HttpRequest | Request) -> User:
    """The signed-in user of a request that passed a sign-in check (pages and API alike)."""
    user = request.user
    assert isinstance(user, User)
    return user


def request_school(request: HttpRequest | Request) -> School:
    """The school of a signed-in user who has a role (every role belongs to a school)."""
    school = request_user(request).school
    assert school is not None
    return school


class SignedInRequest(HttpRequest):
    """A request behind sign-in: ``user`` is a real user, never AnonymousUser."""

    user: User


def role_required(
    *roles: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Pages: a visitor is sent to sign in; a signed-in user of another role gets a 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# The office's pages: coordinators and auditors may look (auditors never change anything), and
# the pages that change something are for coordinators only.
office_roles = role_required(*Role.OFFICE)
coordinator_only = role_required(Role.COORDINATOR)


class RolePermission(BasePermission):
    """API: ``read_roles`` may read, ``write_roles`` may change (auditors never do).

    A view may narrow writes per action with ``write_roles_by_action``. Which rows each role
    sees is the view's queryset's business (the selectors); this only decides who may call.
    """

    SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        role = getattr(user, "role", "")
        if request.method in self.SAFE_METHODS:
            by_action = getattr(view, "read_roles_by_action", {})
            return role in by_action.get(
                getattr(view, "action", None), getattr(view, "read_roles", ())
            )
        by_action = getattr(view, "write_roles_by_action", {})
        roles = by_action.get(getattr(view, "action", None), getattr(view, "write_roles", ()))
        return role in roles
