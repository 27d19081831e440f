"""Which rows each role may see, one rule for every resource.

Each resource (cycles, students, exam registrations, the message log ...) declares a ``Scope``:
for each role, the filter that selects the rows that role sees. ``visible_to`` applies it the
same way everywhere:

1. an operator (a superuser without a role) sees every row;
2. anyone else outside a school sees none;
3. a role the scope names sees the rows its filter selects; any other role sees none.

What a user may not see is simply absent, so the API answers 404 and never reveals that it
exists.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Model, Q, QuerySet

from school.models import User

M = TypeVar("M", bound=Model)

# A role's filter: the rows of the resource that this user sees, as a condition on them.
Rule = Callable[[User], Q]


def of_school(path: str = "school") -> Rule:
    """The rows of the user's school; ``path`` leads from the resource to its school."""
    return lambda user: Q(**{f"{path}_id": user.school_id})


def of_user(path: str) -> Rule:
    """The rows that ``path`` leads from to the user themself (``"student__user"``)."""
    return lambda user: Q(**{path: user})


def both(*rules: Rule) -> Rule:
    """The rows every one of ``rules`` selects."""

    def rule(user: User) -> Q:
        condition = Q()
        for each in rules:
            condition &= each(user)
        return condition

    return rule


def through(path: str, scope: "Scope[Any]") -> Rule:
    """The rows whose ``path`` leads to a row of ``scope`` the user sees (the lessons of the
    cycles they see), as a subquery."""
    return lambda user: Q(**{f"{path}__in": visible_to(user, scope)})


@dataclass(frozen=True)
class Scope(Generic[M]):
    """A resource and, per role, the filter of the rows that role sees."""

    model: type[M]
    rules: Mapping[str, Rule]

    def rows(self) -> QuerySet[M]:
        return self.model._default_manager.all()


def visible_to(user: User, scope: Scope[M]) -> QuerySet[M]:
    """The rows of ``scope`` that ``user`` may see (see the module's docstring)."""
    rows = scope.rows()
    if user.is_superuser and not user.role:
        return rows
    if user.school_id is None:
        return rows.none()
    rule = scope.rules.get(user.role)
    if rule is None:
        return rows.none()
    return rows.filter(rule(user))
