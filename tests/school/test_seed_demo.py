import datetime as dt
import re
import unicodedata
from collections import Counter
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import OuterRef, Subquery

from courses.models import (
    Applicant,
    Attendance,
    Cycle,
    Enrollment,
    Lesson,
    PlacementSession,
    SeatOffer,
)
from courses.selectors.intake import application_funnel
from exams.models import ExamResult, ExamRound
from notifications.models import Notification
from school.models import Room, School, Student, User, Venue

pytestmark = pytest.mark.django_db
TODAY = "2026-11-22"


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            School,
            User,
            Student,
            Cycle,
            Lesson,
            Enrollment,
            Attendance,
            ExamRound,
            ExamResult,
        )
    }


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--today", TODAY, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


# The applicants who accepted a seat (courses.demo_intake) are students beside the generated ones.
FROM_APPLICATIONS = 2


def test_seed_demo_makes_a_plausible_school_and_a_second_run_adds_nothing():
    output = seed()
    first = counts()
    assert first["School"] == 1
    assert first["Student"] == 60 + FROM_APPLICATIONS
    # Two A1 cycles and one A2 cycle running, and last spring's A1 cycle.
    running = Cycle.objects.filter(
        starts_on__lte=dt.date(2026, 11, 22), ends_on__gte=dt.date(2026, 11, 22)
    )
    assert sorted(running.values_list("level__code", flat=True)) == ["A1", "A1", "A2"]
    assert first["Attendance"] > 500
    assert first["ExamResult"] == 18
    assert ExamResult.objects.filter(passed=True).count() >= 15
    assert Enrollment.objects.filter(status="waitlisted").count() == 2
    assert Student.objects.values("nationality").distinct().count() >= 8
    assert {u.role for u in User.objects.all()} == {"coordinator", "teacher", "student", "auditor"}
    for username in ("coordinator", "teacher", "student", "auditor"):
        assert username in output

    assert "already there" in seed()
    assert counts() == first


def test_seed_demo_scales_with_archive_cohorts_and_stays_idempotent():
    seed("--students", "100")
    first = counts()
    assert first["Student"] == 100 + FROM_APPLICATIONS
    archive = Enrollment.objects.filter(cycle__code__startswith="A1-ARCHIVE")
    assert archive.count() == 40
    # Every archive student has a mark for each of their cycle's 60 held lessons.
    assert Attendance.objects.filter(enrollment__in=archive).count() == 40 * 60
    assert (
        not Lesson.objects.filter(cycle__code__startswith="A1-ARCHIVE")
        .exclude(status="held")
        .exists()
    )

    seed("--students", "100")
    assert counts() == first
    seed("--students", "110")
    assert Student.objects.count() == 110 + FROM_APPLICATIONS
    assert (
        Attendance.objects.filter(enrollment__cycle__code__startswith="A1-ARCHIVE").count()
        == 50 * 60
    )


def in_latin_letters(text: str) -> bool:
    return all(unicodedata.name(c).startswith("LATIN") for c in text if c.isalpha())


def test_seed_demo_is_plausible_for_a_school_in_greece():
    seed()
    students = list(Student.objects.all())
    genders = Counter(s.gender for s in students)
    # Women and men about equally; non-binary and undisclosed rare, as on real intake forms.
    assert genders["other"] == 1
    assert genders["undisclosed"] == 2
    assert abs(genders["female"] - genders["male"]) <= 10
    # Every name in another script has its Latin spelling, as in the person's passport.
    for student in students:
        if not in_latin_letters(student.first_name + student.last_name):
            assert student.first_name_latin and in_latin_letters(student.first_name_latin)
            assert student.last_name_latin and in_latin_letters(student.last_name_latin)
    # Half the generated students, and both who came through the application page.
    assert Student.objects.exclude(first_name_latin="").count() == 30 + FROM_APPLICATIONS
    # The lessons happen in Greece: Greek topics, places and rooms.
    greek = re.compile(r"^[\u0370-\u03ff\u1f00-\u1fff0-9 ,.:()]+$")
    topics = set(Lesson.objects.exclude(topic="").values_list("topic", flat=True))
    assert "Χαιρετισμοί και συστάσεις" in topics
    assert all(greek.match(topic) for topic in topics)
    assert all(greek.match(venue.name) for venue in Venue.objects.all())
    assert all(greek.match(room.name) for room in Room.objects.all())


def test_seed_demo_entry_date_is_the_first_lesson_attended():
    seed("--students", "80")
    first_attended = (
        Attendance.objects.filter(
            enrollment=OuterRef("pk"), status__in=["present", "late"], lesson__status="held"
        )
        .order_by("lesson__date")
        .values("lesson__date")[:1]
    )
    enrollments = Enrollment.objects.exclude(status="waitlisted").annotate(
        first=Subquery(first_attended)
    )
    assert enrollments.count() > 70
    assert [e.pk for e in enrollments if e.entry_date != e.first] == []
    # Some students missed their cycle's first lesson: their entry is a later day.
    assert any(
        e.entry_date != min(e.cycle.lessons.filter(status="held").values_list("date", flat=True))
        for e in enrollments.select_related("cycle")
    )


def test_seed_demo_has_applicants_at_every_step_of_the_way_in():
    seed()
    school = School.objects.get()
    assert school.slug == "demo"
    assert school.partners.count() == 3
    by_status = Counter(Applicant.objects.values_list("status", flat=True))
    assert by_status == {
        "applied": 4, "invited": 2, "placed": 2, "offered": 1, "enrolled": 2, "declined": 2,
        "expired": 1,
    }  # fmt: skip
    placed = Applicant.objects.filter(status="placed")
    assert sorted(placed.values_list("placement_level__code", flat=True)) == ["A1", "A2"]
    [duplicate] = Applicant.objects.filter(duplicate_of__isnull=False)
    assert duplicate.status == "applied" and duplicate.phone == duplicate.duplicate_of.phone
    [erased] = Applicant.objects.filter(erased_at__isnull=False)
    assert erased.first_name == "" and erased.status == "declined"
    # One placement test held, one to come, each with its invited applicants.
    today = dt.datetime(2026, 11, 22, tzinfo=school.zone)
    tests = list(PlacementSession.objects.order_by("starts_at"))
    assert len(tests) == 2 and tests[0].starts_at < today < tests[1].starts_at
    assert tests[1].applicants.filter(status="invited").count() == 2
    # The open offer holds a seat until after today, its SMS with the link in the outbox.
    [open_offer] = SeatOffer.objects.filter(status="open")
    assert open_offer.offered_at < today < open_offer.expires_at
    [sms] = Notification.objects.filter(
        kind="seat_offer", person=f"applicant:{open_offer.applicant_id}"
    )
    assert "/offers/" in sms.body and sms.channel == "sms"
    # The expired offer's seat went to the next one placed at A1, who took it.
    [expired] = SeatOffer.objects.filter(status="expired")
    passed_on = SeatOffer.objects.get(cycle=expired.cycle, offered_by__isnull=True)
    assert passed_on.offered_at >= expired.expires_at and passed_on.status == "accepted"
    # Who accepted is a student on the roster and came to a first lesson.
    for applicant in Applicant.objects.filter(status="enrolled").select_related("enrollment"):
        assert applicant.enrollment.status == "enrolled"
        assert applicant.enrollment.entry_date > applicant.enrolled_at.date()
        assert applicant.student.first_name == applicant.first_name
    # The funnel of the dashboard spans several months, each step reached.
    with time_machine.travel(dt.datetime(2026, 11, 22, 12, tzinfo=school.zone)):
        funnel = application_funnel(school=school)
    assert len(funnel) >= 4
    totals = Counter()
    for month in funnel:
        totals.update(month.counts)
    assert totals == {"applied": 13, "tested": 8, "offered": 4, "enrolled": 2, "attended": 2}
    # A second run adds no applicant.
    seed("--students", "70")
    assert Applicant.objects.count() == 14
