"""Pass rates (exams.selectors.pass_rates, exams.services.pass_rates_recompute): the stored
table equals a live count, breakdowns add up, one recomputation per burst, the API."""

import datetime as dt
import json
from decimal import Decimal

import pytest
import redis
from django.conf import settings
from django.core.cache import cache

from exams.models import ExamRegistration, PassRateCell
from exams.selectors import pass_rates, pass_rates_live
from exams.services import exam_result_record, pass_rates_recompute
from tests.conftest import api_as
from tests.exams.candidates import points, sample
from tests.factories import (
    ExamRegistrationFactory,
    ExamRoundFactory,
    SchoolFactory,
    StudentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("by", PassRateCell.Breakdown.values)
def test_stored_pass_rates_equal_a_live_recomputation_after_changes(school, by):
    rounds, results = sample(school)
    pass_rates_recompute(school_id=school.pk)
    assert pass_rates(school_id=school.pk, by=by) == pass_rates_live(school_id=school.pk, by=by)
    # A series of changes: two results flip, one new candidate; the stored table is stale ...
    exam_result_record(registration=results[0].registration, points=points(22))
    exam_result_record(registration=results[1].registration, points=points(22, writing=3))
    extra = ExamRegistration.objects.create(
        exam_round=rounds[1], student=StudentFactory(school=school, nationality="CD")
    )
    exam_result_record(registration=extra, points=points(25))
    # ... until the task runs again.
    pass_rates_recompute(school_id=school.pk)
    stored = pass_rates(school_id=school.pk, by=by)
    assert stored == pass_rates_live(school_id=school.pk, by=by)
    assert sum(row["candidates"] for row in stored) >= 13


def test_pass_rates_by_round_and_age_band_add_up(school):
    sample(school)
    pass_rates_recompute(school_id=school.pk)
    by_round = {
        row["label"]: (row["passed"], row["candidates"])
        for row in pass_rates(school_id=school.pk, by="exam_round")
    }
    assert by_round == {"May 2025": (3, 6), "May 2026": (6, 6)}
    by_age = {
        row["key"]: row["candidates"] for row in pass_rates(school_id=school.pk, by="age_band")
    }
    assert by_age == {"18-24": 3, "45-54": 3, "55+": 3, "unknown": 3}
    only_2026 = pass_rates(school_id=school.pk, by="level", start=dt.date(2026, 1, 1))
    assert only_2026[0]["candidates"] == 6
    assert only_2026[0]["pass_rate"] == Decimal("1.0000")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_burst_of_changes_queues_one_recomputation_on_commit():
    school = SchoolFactory()
    cache.delete(f"pass-rates-pending:{school.pk}")
    registrations = [
        ExamRegistrationFactory(exam_round=ExamRoundFactory(school=school)) for _ in range(5)
    ]
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)

    def queued() -> list[tuple[bytes, dict]]:
        found = []
        for raw in broker.lrange("celery", 0, -1):
            message = json.loads(raw)
            if (
                message["headers"]["task"] == "exams.tasks.pass_rates_refresh"
                and message["headers"]["argsrepr"] == f"({school.pk},)"
            ):
                found.append((raw, message))
        return found

    # Other tests' schools may have had this id before and left messages behind: count new ones.
    before = {message["headers"]["id"] for _raw, message in queued()}
    for registration in registrations:
        exam_result_record(registration=registration, points=points(20))
    new = [(raw, message) for raw, message in queued() if message["headers"]["id"] not in before]
    try:
        assert len(new) == 1
    finally:
        for raw, _message in new:
            broker.lrem("celery", 0, raw)
        cache.delete(f"pass-rates-pending:{school.pk}")


def test_country_names_follow_the_reader_not_the_background_task(coordinator):
    from django.utils import translation

    sample(coordinator.school)
    with translation.override("el"):
        pass_rates_recompute(school_id=coordinator.school.pk)
    assert set(
        PassRateCell.objects.filter(breakdown="nationality").values_list("label", flat=True)
    ) == {"SY", "AF", "UA"}
    body = api_as(coordinator).get("/api/v1/stats/pass-rates/", {"by": "nationality"}).json()
    assert {row["label"] for row in body} == {"Syria", "Afghanistan", "Ukraine"}
    with translation.override("el"):
        greek = pass_rates(school_id=coordinator.school.pk, by="nationality")
    assert "Συρία" in {row["label"] for row in greek}


def test_pass_rates_api_answers_per_breakdown_and_refuses_bad_input_and_teachers(coordinator):
    sample(coordinator.school)
    pass_rates_recompute(school_id=coordinator.school.pk)
    client = api_as(coordinator)
    body = client.get("/api/v1/stats/pass-rates/", {"by": "nationality"}).json()
    assert {row["label"] for row in body} == {"Syria", "Afghanistan", "Ukraine"}
    assert set(body[0]) == {"key", "label", "candidates", "passed", "pass_rate"}
    assert client.get("/api/v1/stats/pass-rates/", {"by": "shoe_size"}).status_code == 400
    assert (
        client.get(
            "/api/v1/stats/pass-rates/", {"by": "level", "from": "2026-12-01", "to": "2026-01-01"}
        ).status_code
        == 400
    )
    assert client.get("/api/v1/stats/pass-rates/").status_code == 400
    teacher = UserFactory(school=coordinator.school, role="teacher")
    assert api_as(teacher).get("/api/v1/stats/pass-rates/", {"by": "level"}).status_code == 403
