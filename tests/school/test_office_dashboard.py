"""The office dashboard, the frame the apps fill (school.views.office): one school's
figures in a fixed number of queries."""

import datetime as dt

import pytest

from tests.factories import CycleFactory, EnrollmentFactory, SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rows", [3, 30])
def test_dashboard_shows_only_its_own_school_with_fixed_queries(
    client, coordinator, django_assert_num_queries, rows
):
    from django.utils import timezone

    today = timezone.localdate()
    for _ in range(rows):
        cycle = CycleFactory(
            school=coordinator.school,
            starts_on=today - dt.timedelta(days=30),
            ends_on=today + dt.timedelta(days=30),
        )
        EnrollmentFactory.create_batch(2, cycle=cycle)
    foreign = CycleFactory(school=SchoolFactory(), code="FOREIGN-1")
    client.force_login(coordinator)
    # 1 session, 2 user, 3 school, 4 the last two rounds (headline), 5 running cycles with seat
    # counts, 6-7 the coordinator's permissions (may they see special-category data?),
    # 8 at-risk enrollments, 9 open exam rounds, 10-11 pass rates by round and by level,
    # 12-13 the intake funnel and the applications per month and referrer.
    # (With students at risk and past results, their missed dates and the headline's results
    # add one query each, whatever their number.)
    with django_assert_num_queries(13):
        response = client.get("/office/")
    assert response.status_code == 200
    assert foreign.code.encode() not in response.content
    assert response.content.count(b"2 / 20") == rows
