"""This app's part of the demo school: last spring's exam round with the results of the 18
students who sat it, and next spring's rounds open for registration (see ``school.demo``)."""

import datetime as dt
import random
from decimal import Decimal

from courses.demo import course_demo
from exams.models import ExamRegistration, ExamRound, ExamScheme
from exams.services import exam_result_record, pass_rates_recompute
from school.demo import DemoPart, DemoRun, demo_part_register
from school.models import Student

EXAM_CENTRE = "Εξεταστικό κέντρο Ελληνομάθειας (επίδειξη)"


def prepare(run: DemoRun) -> None:
    """The May round after last spring's A1 cycle, and next spring's A1 and A2 rounds."""
    courses = course_demo(run)
    year = courses.cycles["past"].ends_on.year
    scheme = ExamScheme.objects.get(exam_type__code="ellinomatheia", level=courses.a1)
    exam_round, _ = ExamRound.objects.get_or_create(
        school=run.school,
        scheme=scheme,
        name=f"Certificate of Greek A1, May {year}",
        defaults={
            "registration_deadline": dt.date(year, 3, 31),
            "exam_date": dt.date(year, 5, 16),
            "centre": EXAM_CENTRE,
            "results_published_on": dt.date(year, 7, 20),
        },
    )
    run.made["exams"] = exam_round
    # Next spring's rounds, open for registration, for the coordinator to register cycles.
    year = run.today.year + 1
    for level, day in ((courses.a1, 15), (courses.a2, 16)):
        scheme = ExamScheme.objects.get(exam_type__code="ellinomatheia", level=level)
        ExamRound.objects.get_or_create(
            school=run.school,
            scheme=scheme,
            name=f"Certificate of Greek {level.code}, May {year}",
            defaults={
                "registration_deadline": dt.date(year, 3, 31),
                "exam_date": dt.date(year, 5, day),
                "centre": EXAM_CENTRE,
            },
        )


def everyday_student(run: DemoRun, index: int, student: Student) -> None:
    """The 18 students of last spring's A1 cycle sat its May exam; about nine in ten passed,
    as the school's last rounds did."""
    if index >= 18:
        return
    exam_round = run.made["exams"]
    assert isinstance(exam_round, ExamRound)
    registration = ExamRegistration.objects.create(
        exam_round=exam_round, student=student, cycle=course_demo(run).cycles["past"]
    )
    rng = random.Random(f"exam-{index}")
    low = 10 if index % 10 == 7 else 15
    points = {
        skill: Decimal(rng.randint(low, 25))
        for skill in ("reading", "writing", "listening", "speaking")
    }
    if index % 10 == 7:
        points["writing"] = Decimal(12)
    exam_result_record(registration=registration, points=points)


def finish(run: DemoRun) -> None:
    # The dashboard's pass rates come from the stored table; fill it now, not at 02:30.
    pass_rates_recompute(school_id=run.school.pk)


def register() -> None:
    demo_part_register(
        DemoPart("exams", 30, prepare=prepare, everyday_student=everyday_student, finish=finish)
    )
