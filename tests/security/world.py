"""Two schools, each with two classes, for checking who sees what.

School A: cycle ``own`` (taught by ``teacher``, with the signed-in ``student``) and cycle
``other_class`` (another teacher, another student). School B: the same again, all foreign.
``edge`` holds school A's odd cases that answers must also fit: the own student's failed
result (no grade), a cancelled lesson of the own cycle, and a cycle of ``teacher`` with nobody
enrolled (an empty roster).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from courses.models import Attendance, Certificate, Closure, PlacementDecision, PlacementSession
from exams.models import ExamRegistration
from exams.services import exam_result_record
from notifications.models import Notification
from school.models import PartnerOrganisation, Report, School, User
from school.services import participation as participations
from tests.courses.applicant_records import make_applicant
from tests.factories import (
    CycleFactory,
    EnrollmentFactory,
    ExamRoundFactory,
    LessonFactory,
    SchoolFactory,
    StudentFactory,
    TeacherFactory,
    UserFactory,
    level,
)

SKILLS = ("reading", "writing", "listening", "speaking")


@dataclass
class World:
    school: School
    users: dict[str, User]
    own: dict[str, Any]
    other_class: dict[str, Any]
    foreign_school: dict[str, Any]
    edge: dict[str, list[Any]]


def _class(school: School, teacher: Any, student_user: User | None, n: int) -> dict[str, Any]:
    cycle = CycleFactory(school=school)
    cycle.teachers.add(teacher)
    student = StudentFactory(school=school, user=student_user)
    enrollment = EnrollmentFactory(cycle=cycle, student=student, status="enrolled")
    lesson = LessonFactory(cycle=cycle, date=dt.date(2026, 11, 16), status="held")
    Attendance.objects.create(enrollment=enrollment, lesson=lesson, status="present")
    exam_round = ExamRoundFactory(school=school)
    registration = ExamRegistration.objects.create(
        exam_round=exam_round, student=student, cycle=cycle
    )
    result = exam_result_record(registration=registration, points=dict.fromkeys(SKILLS, 20))
    notification = Notification.objects.create(
        school=school, student=student, kind="lesson_cancelled", language="en", channel="sms",
        address="+306900000000", body="text", dedup_key=f"world-{school.pk}-{n}",
        due_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC), status="failed",
    )  # fmt: skip
    closure = Closure.objects.create(
        school=school, starts_on=dt.date(2026, 12, 24 + n), ends_on=dt.date(2026, 12, 24 + n),
        reason="Holiday",
    )  # fmt: skip
    placement = PlacementDecision.objects.create(
        student=student, level=level("A2"), decided_by=UserFactory(school=school),
        decided_on=dt.date(2026, 9, 1),
    )  # fmt: skip
    report = Report(
        school=school, kind="exam-results", period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31), status="done",
    )  # fmt: skip
    report.file.save(f"world-{school.pk}-{n}.xlsx", ContentFile(b"a workbook"), save=False)
    report.save()
    certificate = Certificate(
        enrollment=enrollment, kind="attendance", code=f"WORLD-{school.pk}-{n}",
        hours_attended=3, hours_held=3,
    )  # fmt: skip
    certificate.file.save(f"world-{school.pk}-{n}.pdf", ContentFile(b"%PDF-1.7"), save=False)
    certificate.save()
    participation = participations.participation_entered(
        student=student, operation=cycle.operation, first_entry=dt.date(2026, 11, 16),
        last_entry=dt.date(2026, 11, 16),
    )  # fmt: skip
    # The way in: a partner organisation's applicant invited to a coming placement test.
    partner = PartnerOrganisation.objects.create(school=school, name=f"Partner {school.pk}-{n}")
    session = PlacementSession.objects.create(
        school=school, starts_at=timezone.now() + dt.timedelta(days=30), capacity=5
    )
    applicant = make_applicant(school, referrer=partner, session=session, status="invited")
    return {
        "applicant": applicant,
        "partner": partner,
        "placement-test": session,
        "certificate": certificate,
        "operation": cycle.operation,
        "participation": participation,
        "report": report,
        "student": student,
        "cycle": cycle,
        "lesson": lesson,
        "enrollment": enrollment,
        "exam-round": exam_round,
        "registration": registration,
        "result": result,
        "notification": notification,
        "closure": closure,
        "placement": placement,
        "teacher": teacher,
    }


def _edge_cases(school: School, own: dict[str, Any]) -> dict[str, list[Any]]:
    cancelled = LessonFactory(cycle=own["cycle"], date=dt.date(2026, 11, 18), status="cancelled")
    empty_cycle = CycleFactory(school=school)
    empty_cycle.teachers.add(own["teacher"])
    empty_lesson = LessonFactory(cycle=empty_cycle, date=dt.date(2026, 11, 16))
    registration = ExamRegistration.objects.create(
        exam_round=ExamRoundFactory(school=school), student=own["student"], cycle=own["cycle"]
    )
    failed = exam_result_record(registration=registration, points=dict.fromkeys(SKILLS, 5))
    assert not failed.passed and failed.grade == ""
    return {
        "lesson": [cancelled, empty_lesson],
        "cycle": [empty_cycle],
        "result": [failed],
        "registration": [registration],
        "exam-round": [registration.exam_round],
    }


def build_world() -> World:
    school = SchoolFactory()
    teacher = TeacherFactory(school=school, user__username="matrix-teacher")
    student_user = UserFactory(school=school, role="student", username="matrix-student")
    users = {
        "coordinator": UserFactory(school=school, role="coordinator", username="matrix-coord"),
        "auditor": UserFactory(school=school, role="auditor", username="matrix-audit"),
        "teacher": teacher.user,
        "student": student_user,
    }
    own = _class(school, teacher, student_user, 0)
    other_class = _class(school, TeacherFactory(school=school), None, 1)
    elsewhere = SchoolFactory()
    foreign_school = _class(elsewhere, TeacherFactory(school=elsewhere), None, 2)
    return World(school, users, own, other_class, foreign_school, _edge_cases(school, own))
