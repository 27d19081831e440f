"""Applicants made directly (no rate limit, no SMS), for the queue's tests and the world."""

import datetime as dt
import itertools

from django.utils import timezone

from courses.models import Applicant, PlacementSession
from tests.factories import FACTORY_DAY

_numbers = itertools.count(1)


def make_applicant(school, **fields) -> Applicant:
    n = next(_numbers)
    values = {
        "school": school,
        "reference": f"TEST-{n:04d}",
        "first_name": "Λεϊλά",
        "last_name": f"Καριμί {n}",
        "first_name_latin": "Leila",
        "last_name_latin": f"Karimi {n}",
        "phone": f"+3069{n:08d}",
        "language": "fa",
        "nationality": "AF",
        "date_of_birth": dt.date(1994, 3, 2),
        "gender": "female",
        "greek_level": "words",
        "availability": ",evening,mon,",
        "consent_version": "2026-11",
        "consent_text": "consent",
        "applied_at": FACTORY_DAY - dt.timedelta(days=3),
    }
    values.update(fields)
    return Applicant.objects.create(**values)


def make_session(school, *, days: int = 3, capacity: int = 2, **fields) -> PlacementSession:
    now = max(timezone.now(), FACTORY_DAY)
    return PlacementSession.objects.create(
        school=school,
        starts_at=now + dt.timedelta(days=days),
        capacity=capacity,
        place=fields.pop("place", "Room 2"),
        **fields,
    )
