"""Days the school is closed besides public holidays; lessons generated later skip them."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from courses.models import Closure
from school.models import School


@transaction.atomic
def closure_create(*, school: School, starts_on: dt.date, ends_on: dt.date, reason: str) -> Closure:
    """Record that the school is closed from ``starts_on`` to ``ends_on`` (inclusive)."""
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("A closure ends on or after its first day.")})
    return Closure.objects.create(
        school=school, starts_on=starts_on, ends_on=ends_on, reason=reason
    )


@transaction.atomic
def closure_delete(*, closure: Closure) -> None:
    """Forget a closure. Lessons already generated stay as they are."""
    closure.delete()
