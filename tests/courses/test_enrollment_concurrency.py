"""Seats hold when many requests arrive at the same moment (PostgreSQL row locks, real threads)."""

import datetime as dt
import threading

import pytest
from django.db import connection

from courses.models import Enrollment
from courses.services import enrollment_create, enrollment_withdraw
from tests.factories import CycleFactory, EnrollmentFactory, StudentFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
TODAY = dt.date(2026, 11, 22)
THREADS = 24


def run_together(jobs):
    """Start every job at the same instant, each on its own thread and database connection."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def worker(job):
        try:
            barrier.wait(timeout=30)
            job()
        except Exception as error:  # reported below, with the thread's own traceback lost
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors


def test_concurrent_enrollments_give_the_last_seat_once():
    cycle = CycleFactory(capacity=5)
    EnrollmentFactory.create_batch(4, cycle=cycle)
    students = StudentFactory.create_batch(THREADS, school=cycle.school)

    run_together(
        [lambda s=s: enrollment_create(student=s, cycle=cycle, today=TODAY) for s in students]
    )

    mine = Enrollment.objects.filter(cycle=cycle, student__in=students)
    assert mine.filter(status="enrolled").count() == 1
    positions = sorted(mine.filter(status="waitlisted").values_list("waitlist_position", flat=True))
    assert positions == list(range(1, THREADS))


def test_concurrent_withdrawals_never_give_a_seat_twice():
    cycle = CycleFactory(capacity=10)
    seated = EnrollmentFactory.create_batch(10, cycle=cycle)
    waiting = [
        EnrollmentFactory(cycle=cycle, status="waitlisted", waitlist_position=i)
        for i in range(1, 31)
    ]
    leaving = seated[:8]

    run_together(
        [
            lambda e=e: enrollment_withdraw(enrollment=e, reason="Moved away", today=TODAY)
            for e in leaving
        ]
        # Waitlisted students leaving at the same time as well.
        + [
            lambda e=e: enrollment_withdraw(
                enrollment=e, reason="No longer interested", today=TODAY
            )
            for e in waiting[20:]
        ]
    )

    enrollments = Enrollment.objects.filter(cycle=cycle)
    assert enrollments.filter(status="enrolled").count() == 10
    promoted = enrollments.filter(pk__in=[e.pk for e in waiting], status="enrolled")
    # The first eight in the queue got the eight freed seats, each exactly once.
    assert sorted(promoted.values_list("pk", flat=True)) == sorted(e.pk for e in waiting[:8])
    positions = sorted(
        enrollments.filter(status="waitlisted").values_list("waitlist_position", flat=True)
    )
    assert positions == list(range(1, 13))
