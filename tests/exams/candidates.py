"""Candidates for the exams tests: a student who completed A1, points per skill, a
registration, and two rounds of results across nationalities, genders and ages."""

import datetime as dt

from exams.models import ExamRegistration
from exams.services import exam_result_record
from tests.factories import (
    CycleFactory,
    EnrollmentFactory,
    ExamRegistrationFactory,
    ExamRoundFactory,
    StudentFactory,
    TeacherFactory,
)

TODAY = dt.date(2027, 3, 1)

SKILLS = ("reading", "writing", "listening", "speaking")


def completed_a1(school, **student):
    cycle = CycleFactory(
        school=school, starts_on=dt.date(2026, 10, 5), ends_on=dt.date(2027, 1, 29)
    )
    return EnrollmentFactory(
        cycle=cycle,
        status="completed",
        student__school=school,
        **{f"student__{k}": v for k, v in student.items()},
    )


def points(each=20, **override):
    values = dict.fromkeys(SKILLS, each)
    values.update(override)
    return values


def registered(coordinator):
    exam_round = ExamRoundFactory(
        school=coordinator.school, results_published_on=dt.date(2027, 7, 20)
    )
    return ExamRegistrationFactory(
        exam_round=exam_round, student=completed_a1(coordinator.school).student
    )


def sample(school):
    """Two rounds, two cycles with their teachers, a mix of nationalities, genders and ages."""
    rounds = [
        ExamRoundFactory(
            school=school,
            name="May 2025",
            exam_date=dt.date(2025, 5, 17),
            registration_deadline=dt.date(2025, 3, 31),
        ),
        ExamRoundFactory(
            school=school,
            name="May 2026",
            exam_date=dt.date(2026, 5, 16),
            registration_deadline=dt.date(2026, 3, 31),
        ),
    ]
    cycles = [CycleFactory(school=school), CycleFactory(school=school)]
    for cycle in cycles:
        cycle.teachers.add(TeacherFactory(school=school))
    people = [
        ("SY", "female", dt.date(2005, 6, 1)),
        ("AF", "male", dt.date(1980, 1, 1)),
        ("UA", "female", dt.date(1960, 12, 31)),
        ("SY", "other", None),
    ]
    results = []
    for i in range(12):
        nationality, gender, born = people[i % 4]
        student = StudentFactory(
            school=school, nationality=nationality, gender=gender, date_of_birth=born
        )
        registration = ExamRegistration.objects.create(
            exam_round=rounds[i % 2], student=student, cycle=cycles[i % 3 % 2] if i % 3 else None
        )
        results.append(
            exam_result_record(
                registration=registration, points=points(20) if i % 4 else points(20, reading=10)
            )
        )
    return rounds, results
