"""Enrollment (courses.services.enrollment, placement): seats then the waitlist in order,
withdrawal promotes the first waiting, the waitlist moved by hand, prerequisites."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from courses.services import (
    cycle_cancel,
    enrollment_create,
    enrollment_promote,
    enrollment_withdraw,
    placement_record,
    waitlist_move,
    waitlist_reorder,
)
from notifications.models import Notification
from school.errors import ConflictError
from tests.factories import CycleFactory, EnrollmentFactory, StudentFactory, UserFactory, level

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 22)


def enroll(cycle, n=1):
    return [
        enrollment_create(student=StudentFactory(school=cycle.school), cycle=cycle, today=TODAY)
        for _ in range(n)
    ]


def waitlist(cycle):
    return list(
        cycle.enrollments.filter(status="waitlisted")
        .order_by("waitlist_position")
        .values_list("student__last_name", "waitlist_position")
    )


def test_enrolls_while_seats_are_free_then_waitlists_in_order():
    cycle = CycleFactory(capacity=2)
    made = enroll(cycle, 4)
    assert [e.status for e in made] == ["enrolled", "enrolled", "waitlisted", "waitlisted"]
    assert [e.waitlist_position for e in made] == [None, None, 1, 2]


def test_newcomers_do_not_jump_the_waitlist_after_a_capacity_rise():
    cycle = CycleFactory(capacity=1)
    EnrollmentFactory(cycle=cycle)
    waiting = enrollment_create(
        student=StudentFactory(school=cycle.school), cycle=cycle, today=dt.date(2026, 11, 22)
    )
    cycle.capacity = 2
    cycle.save()
    newcomer = enrollment_create(
        student=StudentFactory(school=cycle.school), cycle=cycle, today=dt.date(2026, 11, 22)
    )
    assert waiting.status == "waitlisted"
    assert (newcomer.status, newcomer.waitlist_position) == ("waitlisted", 2)


def test_withdrawal_promotes_first_waitlisted_and_tells_them():
    cycle = CycleFactory(capacity=1)
    UserFactory(school=cycle.school, role="coordinator")
    seated, first, second = enroll(cycle, 3)
    enrollment_withdraw(enrollment=seated, reason="Found work", today=TODAY)

    seated.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert seated.status == "withdrawn"
    assert seated.withdrawal_reason == "Found work"
    assert first.status == "enrolled" and first.waitlist_position is None
    assert second.waitlist_position == 1
    told = Notification.objects.filter(kind="waitlist_promoted")
    assert list(told.values_list("student_id", flat=True)) == [first.student_id]
    assert Notification.objects.filter(kind="waitlist_promoted_coordinator").count() == 1


def test_withdrawal_sets_the_exit_date_after_entry():
    cycle = CycleFactory(capacity=1)
    (seated,) = enroll(cycle)
    seated.entry_date = dt.date(2026, 10, 5)
    seated.save()
    enrollment_withdraw(enrollment=seated, reason="Moved away", today=TODAY)
    seated.refresh_from_db()
    assert seated.exit_date == TODAY


def test_waitlisted_withdrawal_closes_the_gap():
    cycle = CycleFactory(capacity=1)
    _, a, b, c = enroll(cycle, 4)
    enrollment_withdraw(enrollment=b, reason="No longer interested", today=TODAY)
    assert [pos for _, pos in waitlist(cycle)] == [1, 2]
    a.refresh_from_db()
    c.refresh_from_db()
    assert (a.waitlist_position, c.waitlist_position) == (1, 2)


def test_withdrawal_needs_a_reason():
    cycle = CycleFactory()
    (seated,) = enroll(cycle)
    with pytest.raises(ValidationError):
        enrollment_withdraw(enrollment=seated, reason="  ", today=TODAY)


def test_withdrawing_twice_is_a_conflict():
    cycle = CycleFactory()
    (seated,) = enroll(cycle)
    enrollment_withdraw(enrollment=seated, reason="Ill", today=TODAY)
    with pytest.raises(ConflictError):
        enrollment_withdraw(enrollment=seated, reason="Ill", today=TODAY)


def test_coordinator_reorders_the_waitlist():
    cycle = CycleFactory(capacity=1)
    _, a, b, c = enroll(cycle, 4)
    waitlist_reorder(cycle=cycle, order=[c.pk, a.pk, b.pk])
    positions = dict(
        cycle.enrollments.filter(status="waitlisted").values_list("pk", "waitlist_position")
    )
    assert positions == {c.pk: 1, a.pk: 2, b.pk: 3}


def test_reorder_must_name_every_waitlisted_once():
    cycle = CycleFactory(capacity=1)
    _, a, _b = enroll(cycle, 3)
    with pytest.raises(ValidationError):
        waitlist_reorder(cycle=cycle, order=[a.pk, a.pk])


def test_promote_by_hand_needs_a_free_seat():
    cycle = CycleFactory(capacity=1)
    _, a, b = enroll(cycle, 3)
    with pytest.raises(ConflictError, match="is full"):
        enrollment_promote(enrollment=b)
    cycle.capacity = 2
    cycle.save()
    enrollment_promote(enrollment=b)
    b.refresh_from_db()
    a.refresh_from_db()
    assert b.status == "enrolled"
    assert a.waitlist_position == 1


def test_a_student_is_in_a_cycle_once():
    cycle = CycleFactory()
    (seated,) = enroll(cycle)
    with pytest.raises(ConflictError, match="already has an enrollment"):
        enrollment_create(student=seated.student, cycle=cycle, today=TODAY)


def test_one_running_cycle_per_level():
    first = CycleFactory()
    second = CycleFactory(school=first.school)
    (seated,) = enroll(first)
    with pytest.raises(ConflictError, match="already in"):
        enrollment_create(student=seated.student, cycle=second, today=TODAY)


def test_a2_needs_a_completed_a1_or_a_placement_decision():
    a2 = CycleFactory(level=level("A2"))
    student = StudentFactory(school=a2.school)
    with pytest.raises(
        ValidationError, match="A2 needs a completed A1 cycle or a placement decision"
    ):
        enrollment_create(student=student, cycle=a2, today=TODAY)

    placement_record(
        student=student,
        level=level("A2"),
        decided_by=UserFactory(school=a2.school),
        note="Placement test 38/50",
    )
    assert enrollment_create(student=student, cycle=a2, today=TODAY).status == "enrolled"


def test_a2_after_a_completed_a1():
    a1 = CycleFactory(starts_on=dt.date(2026, 2, 2), ends_on=dt.date(2026, 5, 29))
    a2 = CycleFactory(school=a1.school, level=level("A2"))
    done = EnrollmentFactory(cycle=a1, status="completed")
    assert enrollment_create(student=done.student, cycle=a2, today=TODAY).status == "enrolled"


def test_finished_or_cancelled_cycles_take_no_enrollments():
    finished = CycleFactory(starts_on=dt.date(2026, 2, 2), ends_on=dt.date(2026, 5, 29))
    with pytest.raises(ConflictError, match="has finished"):
        enroll(finished)
    cancelled = cycle_cancel(cycle=CycleFactory())
    with pytest.raises(ConflictError, match="was cancelled"):
        enroll(cancelled)


def waiting_ids(cycle):
    return list(
        cycle.enrollments.filter(status="waitlisted")
        .order_by("waitlist_position")
        .values_list("pk", flat=True)
    )


def test_moving_up_the_waitlist_swaps_with_the_one_ahead():
    cycle = CycleFactory(capacity=1)
    _seated, first, second, third = enroll(cycle, 4)
    assert waitlist_move(enrollment=third, direction="up") is True
    assert waiting_ids(cycle) == [first.pk, third.pk, second.pk]
    assert waitlist_move(enrollment=first, direction="down") is True
    assert waiting_ids(cycle) == [third.pk, first.pk, second.pk]


def test_the_ends_of_the_waitlist_and_a_seated_student_do_not_move():
    cycle = CycleFactory(capacity=1)
    seated, first, second = enroll(cycle, 3)
    assert waitlist_move(enrollment=first, direction="up") is False
    assert waitlist_move(enrollment=second, direction="down") is False
    assert waitlist_move(enrollment=seated, direction="up") is False
    assert waiting_ids(cycle) == [first.pk, second.pk]
