"""The office's cycle, enrollment and at-risk pages (courses.views_office): fixed queries,
the waitlist and lesson actions, refusals as messages, read-only for auditors."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from courses.models import Enrollment, Lesson
from tests.courses.attendance_records import consecutive_setup
from tests.factories import (
    CycleFactory,
    EnrollmentFactory,
    LessonFactory,
    SchoolFactory,
    StudentFactory,
    on_factory_day,
)

pytestmark = pytest.mark.django_db


def full_cycle(school, rows):
    cycle = CycleFactory(school=school, capacity=rows)
    EnrollmentFactory.create_batch(rows, cycle=cycle)
    for position in range(1, 4):
        EnrollmentFactory(cycle=cycle, status="waitlisted", waitlist_position=position)
    for day in range(rows):
        LessonFactory(cycle=cycle, date=f"2026-{10 + day // 28:02d}-{1 + day % 28:02d}")
    return cycle


@on_factory_day
@pytest.mark.parametrize("rows", [5, 60])
def test_cycle_page_runs_a_fixed_number_of_queries(
    client, coordinator, django_assert_num_queries, rows
):
    cycle = full_cycle(coordinator.school, rows)
    client.force_login(coordinator)
    # 1 session, 2 user, 3-4 the user's and their groups' permissions (special-category data
    # decides which absence limit shows), 5 cycle with seat counts, 6 lessons, 7 enrollments
    # with students and their attendance figures
    with django_assert_num_queries(7):
        response = client.get(f"/office/cycles/{cycle.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    # Every enrolled student's row has their attendance and hours missed, labelled for a phone.
    assert page.count('data-label="Attendance"') == rows
    assert page.count('data-label="Hours missed / limit"') == rows
    assert page.count('data-label="Position"') == 3


@on_factory_day
@pytest.mark.parametrize("rows", [5, 60])
def test_cycle_list_runs_a_fixed_number_of_queries(
    client, coordinator, django_assert_num_queries, rows
):
    for _ in range(rows):
        EnrollmentFactory(cycle=CycleFactory(school=coordinator.school))
    client.force_login(coordinator)
    # 1 session, 2 user, 3 cycles with seat counts
    with django_assert_num_queries(3):
        assert client.get("/office/cycles/").status_code == 200


@on_factory_day
def test_another_schools_cycle_page_is_404(client, coordinator):
    foreign = CycleFactory(school=SchoolFactory())
    client.force_login(coordinator)
    assert client.get(f"/office/cycles/{foreign.pk}/").status_code == 404


@on_factory_day
def test_withdraw_from_the_page_promotes_the_first_waiting(client, coordinator):
    cycle = full_cycle(coordinator.school, 2)
    seated = cycle.enrollments.filter(status="enrolled").first()
    first = cycle.enrollments.get(waitlist_position=1)
    client.force_login(coordinator)
    response = client.post(
        f"/office/enrollments/{seated.pk}/withdraw/",
        {"reason": "Moved to Thessaloniki"},
        follow=True,
    )
    assert b"Withdrawn." in response.content
    first.refresh_from_db()
    assert first.status == "enrolled"


@on_factory_day
def test_a_refused_action_is_a_message_on_the_page(client, coordinator):
    cycle = full_cycle(coordinator.school, 2)
    waiting = cycle.enrollments.get(waitlist_position=2)
    client.force_login(coordinator)
    response = client.post(f"/office/enrollments/{waiting.pk}/promote/", follow=True)
    assert response.status_code == 200
    assert b"is full" in response.content
    assert Enrollment.objects.get(pk=waiting.pk).status == "waitlisted"


@on_factory_day
def test_moving_up_on_the_page_raises_a_waitlisted_student_one_place(client, coordinator):
    cycle = full_cycle(coordinator.school, 2)
    third = cycle.enrollments.get(waitlist_position=3)
    client.force_login(coordinator)
    client.post(f"/office/enrollments/{third.pk}/move/", {"direction": "up"})
    third.refresh_from_db()
    assert third.waitlist_position == 2


@on_factory_day
def test_lessons_are_generated_then_cancelled_from_the_cycle_page(client, coordinator):
    from courses.models import TimetableSlot

    cycle = CycleFactory(school=coordinator.school, starts_on="2026-11-02", ends_on="2026-11-08")
    TimetableSlot.objects.create(cycle=cycle, weekday=0, starts_at="17:00", ends_at="20:00")
    client.force_login(coordinator)
    client.post(f"/office/cycles/{cycle.pk}/generate-lessons/")
    lesson = Lesson.objects.get(cycle=cycle)
    client.post(f"/office/lessons/{lesson.pk}/cancel/")
    lesson.refresh_from_db()
    assert lesson.status == "cancelled"


@on_factory_day
def test_auditor_reads_the_cycle_page_without_forms_and_cannot_act(client, auditor):
    cycle = full_cycle(auditor.school, 2)
    client.force_login(auditor)
    page = client.get(f"/office/cycles/{cycle.pk}/")
    assert page.status_code == 200
    assert b'name="reason"' not in page.content
    seated = cycle.enrollments.filter(status="enrolled").first()
    assert (
        client.post(f"/office/enrollments/{seated.pk}/withdraw/", {"reason": "x"}).status_code
        == 403
    )
    assert client.get("/office/import/").status_code == 403


@on_factory_day
def test_find_and_enroll_a_student_from_the_cycle_page(client, coordinator):

    cycle = CycleFactory(school=coordinator.school, capacity=1)
    amina = StudentFactory(school=coordinator.school, first_name="Amina", last_name="Haddad")
    StudentFactory(school=SchoolFactory(), first_name="Amina", last_name="Elsewhere")
    client.force_login(coordinator)
    page = client.get(f"/office/cycles/{cycle.pk}/", {"q": "amina"})
    assert b"Amina Haddad" in page.content
    assert b"Elsewhere" not in page.content
    client.post(f"/office/cycles/{cycle.pk}/enroll/", {"student": amina.pk})
    assert cycle.enrollments.get().student == amina
    again = client.post(f"/office/cycles/{cycle.pk}/enroll/", {"student": amina.pk}, follow=True)
    assert b"already has an enrollment" in again.content


@pytest.mark.parametrize("value", ["abc", "1e5", "-1", "99999999999999999999999"])
def test_non_numeric_ids_in_office_forms_are_404(client, coordinator, value):
    cycle = CycleFactory(school=coordinator.school)
    client.force_login(coordinator)
    assert client.post(f"/office/cycles/{cycle.pk}/enroll/", {"student": value}).status_code == 404


@on_factory_day
def test_an_office_action_refused_by_its_service_shows_the_reason(rf, coordinator):
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.cookie import CookieStorage

    from courses.views_office import _run

    request = rf.post("/office/")
    request.user = coordinator
    request._messages = CookieStorage(request)

    def refused() -> None:
        raise PermissionDenied("Attendance older than 7 days is corrected by a coordinator.")

    def refused_without_a_reason() -> None:
        raise PermissionDenied

    _run(request, refused, "Done.")
    _run(request, refused_without_a_reason, "Done.")
    assert [(m.level_tag, str(m)) for m in get_messages(request)] == [
        ("error", "Attendance older than 7 days is corrected by a coordinator."),
        ("error", "You may not do this."),
    ]


def test_an_at_risk_student_is_listed_and_their_enrollment_page_opens(client, coordinator):
    enrollment = consecutive_setup(coordinator.school, ["present", "absent", "absent"])
    client.force_login(coordinator)
    # Pretend the cycle is running today for the list.
    enrollment.cycle.starts_on = timezone.localdate() - dt.timedelta(days=60)
    enrollment.cycle.ends_on = timezone.localdate() + dt.timedelta(days=60)
    enrollment.cycle.save()
    page = client.get("/office/at-risk/").content.decode()
    assert enrollment.student.full_name in page
    detail = client.get(f"/office/enrollments/{enrollment.pk}/")
    assert detail.status_code == 200


def test_an_enrollments_status_is_not_the_plural_column_heading(client, coordinator, catalogue):
    catalogue("el", {("enrollment status", "Enrolled"): "Εγγράφηκε", "Enrolled": "Εγγεγραμμένοι"})
    enrollment = EnrollmentFactory(cycle=CycleFactory(school=coordinator.school))
    coordinator.language = "el"
    coordinator.save()
    client.force_login(coordinator)
    page = client.get(f"/office/enrollments/{enrollment.pk}/").content.decode()
    assert "Εγγράφηκε" in page
    assert "Εγγεγραμμένοι" not in page
    # The heading over the count of students stays plural.
    assert "Εγγεγραμμένοι" in client.get("/office/cycles/").content.decode()
