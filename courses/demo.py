"""This app's part of the demo school: its cycles with their timetables and lessons, and the
students' enrollments and attendance (see ``school.demo`` for the whole)."""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice

from django.utils import timezone

from courses import services
from courses.calendar import Slot, meeting_days
from courses.models import Attendance, Certificate, Cycle, Enrollment, Lesson, Level, TimetableSlot
from courses.selectors import ATTENDED
from courses.services import enrollment_withdraw, lessons_generate
from courses.services.participation import enrollment_exit, participations_sync
from school.choices import AnswerSource, ExitReason
from school.demo import BASE_STUDENTS, DemoPart, DemoRun, demo_part_register
from school.models import Exit, Participation, Student
from school.services import participation as participations

COHORT_SIZE = 20
ARCHIVE_LESSONS = 60
# What the lessons covered, as the teacher writes it in the register: everyday Greek at A1,
# with elements of Greek history and culture at A2.
TOPICS = [
    "Χαιρετισμοί και συστάσεις",
    "Αριθμοί και τιμές",
    "Στη λαϊκή αγορά",
    "Η οικογένειά μου",
    "Η γειτονιά μου",
    "Στον γιατρό",
    "Στις δημόσιες υπηρεσίες",
    "Μέρες, μήνες και εποχές",
    "Ψάχνω δουλειά",
    "Τα μέσα μεταφοράς στην πόλη",
]
HISTORY_TOPICS = [
    "Ελληνική ιστορία: η Επανάσταση του 1821",
    "Ελληνική ιστορία: η αρχαία Αθήνα",
    "Ελληνικός πολιτισμός: γιορτές και έθιμα",
    "Το ελληνικό κράτος: Βουλή και Σύνταγμα",
]


def topic_for(level: Level, number: int) -> str:
    """The topic of a cycle's lesson ``number``: A2 cycles give every third lesson to history."""
    if level.includes_history and number % 3 == 2:
        return HISTORY_TOPICS[(number // 3) % len(HISTORY_TOPICS)]
    return TOPICS[number % len(TOPICS)]


MARKS = ["present"] * 16 + ["late"] * 2 + ["absent"] * 2 + ["excused"]


@dataclass(frozen=True)
class CourseDemo:
    """What ``prepare`` made, for the parts after this one: the levels and the everyday
    demo's cycles (``past``: last spring's A1; ``a1a``, ``a1b``, ``a2``: this term's)."""

    a1: Level
    a2: Level
    cycles: dict[str, Cycle]


def course_demo(run: DemoRun) -> CourseDemo:
    made = run.made["courses"]
    assert isinstance(made, CourseDemo)
    return made


def monday_on_or_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def first_attended(dates: list[dt.date], marks: list[str]) -> dt.date | None:
    """The ESF entry date: the first lesson attended (present or late), as the attendance
    service records it; ``None`` for a student who has not come yet."""
    return next((day for day, mark in zip(dates, marks, strict=True) if mark in ATTENDED), None)


def prepare(run: DemoRun) -> None:
    """Last spring's A1 cycle (finished) and this term's two A1 cycles and one A2 cycle."""
    a1, a2 = Level.objects.get(code="A1"), Level.objects.get(code="A2")
    start = monday_on_or_before(run.today) - dt.timedelta(weeks=7)
    year = start.year
    spring = monday_on_or_before(dt.date(year if run.today.month > 6 else year - 1, 2, 2))
    plans = {
        "past": (
            f"A1-{spring.year}-SPRING",
            a1,
            spring,
            spring + dt.timedelta(weeks=14, days=4),
            [(0, "17:00", "20:00"), (2, "17:00", "20:00")],
            run.teachers[0],
            run.rooms[0],
            25,
        ),
        "a1a": (
            f"A1-{year}-A",
            a1,
            start,
            start + dt.timedelta(weeks=16, days=4),
            [(0, "17:00", "20:00"), (2, "17:00", "20:00")],
            run.teachers[0],
            run.rooms[0],
            20,
        ),
        "a1b": (
            f"A1-{year}-B",
            a1,
            start,
            start + dt.timedelta(weeks=16, days=4),
            [(1, "10:00", "13:00"), (3, "10:00", "13:00")],
            run.teachers[1],
            run.rooms[2],
            22,
        ),
        "a2": (
            f"A2-{year}",
            a2,
            start,
            start + dt.timedelta(weeks=16, days=4),
            [(1, "17:00", "20:00"), (3, "17:00", "20:00")],
            run.teachers[0],
            run.rooms[1],
            20,
        ),
    }
    # The school's funded operation since 2015, under which every demo cycle runs.
    operation = participations.operation_for(run.school, dt.date(2015, 1, 5))
    cycles = {}
    for key, (code, level, starts_on, ends_on, slots, teacher, room, capacity) in plans.items():
        cycle, created = Cycle.objects.get_or_create(
            school=run.school,
            code=code,
            defaults={
                "level": level,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "capacity": capacity,
                "total_hours": Decimal(1),
                "venue": room.venue,
                "room": room,
                "operation": operation,
            },
        )
        if created:
            cycle.teachers.add(teacher)
            for weekday, begins, ends in slots:
                TimetableSlot.objects.create(
                    cycle=cycle, weekday=weekday, starts_at=begins, ends_at=ends
                )
            lessons = lessons_generate(cycle=cycle)
            cycle.total_hours = sum((lesson.hours for lesson in lessons), Decimal(0))
            cycle.save(update_fields=["total_hours"])
            Lesson.objects.filter(cycle=cycle).update(teacher=teacher)
        cycles[key] = cycle
    run.made["courses"] = CourseDemo(a1, a2, cycles)


def everyday_student(run: DemoRun, index: int, student: Student) -> None:
    """18 finished last spring's A1 cycle and attend the A2 cycle; 22 applied to the first A1
    cycle; the rest attend the second."""
    cycles = course_demo(run).cycles
    if index < 18:
        completed = enroll_completed(cycles["past"], student)
        if index == 17:
            # Did not come back for A2: their exit counts, answered on time, and six months
            # later they answered the follow-up.
            leaver_answers(completed, run.today, follow_up=True)
        else:
            enroll_with_attendance(cycles["a2"], student, index, today=run.today)
    elif index < 40:
        enroll_with_attendance(cycles["a1a"], student, index, today=run.today)
    else:
        enrollment = enroll_with_attendance(cycles["a1b"], student, index, today=run.today)
        if enrollment is not None and index in WITHDRAWALS:
            days_ago, reason, answered_days_later = WITHDRAWALS[index]
            withdrawn = enrollment_withdraw(
                enrollment=enrollment,
                reason=str(ExitReason(reason).label),
                today=run.today - dt.timedelta(days=days_ago),
                exit_reason=reason,
            )
            if answered_days_later is not None:
                leaver_answers(withdrawn, run.today, after=answered_days_later)


# Students of the second A1 cycle who left: (days ago, reason, answers given how many days
# after leaving: on time, late, or not yet, with the questionnaire closing this week).
WITHDRAWALS = {41: (20, "found_work", 3), 42: (45, "moved", 38), 43: (23, "withdrew", None)}


def leaver_answers(
    enrollment: Enrollment, today: dt.date, *, after: int = 2, follow_up: bool = False
) -> None:
    """The exit questionnaire of a leaver, answered ``after`` days after leaving (not in the
    future), and the six-month follow-up when it is due by ``today``."""
    participation = Participation.objects.select_related("operation").get(
        student_id=enrollment.student_id, operation_id=enrollment.cycle.operation_id or 0
    )
    exit_ = participation.exits.order_by("-date").first()
    if exit_ is None:
        return
    answered_on = min(exit_.date + dt.timedelta(days=after), today)
    exit_ = participations.exit_answers_record(
        exit_,
        {"in_education": True, "employed": after > 30, "job_searching": after <= 30},
        answered_on=answered_on,
        source=AnswerSource.PARTICIPANT,
        consent_version="demo-1",
    )
    due = participation.operation.follow_up_due(exit_.date)
    if (
        follow_up
        and due - dt.timedelta(days=participation.operation.follow_up_window_days) <= today
    ):
        participations.follow_up_record(
            exit_,
            {"employed": True, "improved_situation": True},
            answered_on=min(due, today),
            source=AnswerSource.PAPER,
        )


def enroll_completed(cycle: Cycle, student: Student) -> Enrollment:
    lessons = list(cycle.lessons.order_by("date"))
    enrollment = Enrollment.objects.create(
        student=student,
        cycle=cycle,
        status=Enrollment.Status.COMPLETED,
        entry_date=lessons[0].date,
        exit_date=lessons[-1].date,
    )
    if lessons[0].status != Lesson.Status.HELD:
        for number, lesson in enumerate(lessons):
            lesson.status = Lesson.Status.HELD
            lesson.topic = topic_for(cycle.level, number)
        Lesson.objects.bulk_update(lessons, ["status", "topic"])
    Attendance.objects.bulk_create(
        Attendance(enrollment=enrollment, lesson=lesson, status="present") for lesson in lessons
    )
    enrollment_exit(enrollment, reason=ExitReason.COMPLETED)
    return enrollment


def enroll_with_attendance(
    cycle: Cycle, student: Student, index: int, *, today: dt.date
) -> Enrollment | None:
    taken = cycle.enrollments.filter(status=Enrollment.Status.ENROLLED).count()
    if taken >= cycle.capacity:
        position = cycle.enrollments.filter(status=Enrollment.Status.WAITLISTED).count() + 1
        Enrollment.objects.create(
            student=student,
            cycle=cycle,
            status=Enrollment.Status.WAITLISTED,
            waitlist_position=position,
        )
        return None
    # The latest past lesson stays unmarked, so the demo teacher has attendance to take.
    held = list(cycle.lessons.filter(date__lt=today).order_by("date", "starts_at"))[:-1]
    rng = random.Random(f"attendance-{index}")
    marks = [rng.choice(MARKS) for _lesson in held]
    enrollment = Enrollment.objects.create(
        student=student,
        cycle=cycle,
        status=Enrollment.Status.ENROLLED,
        entry_date=first_attended([lesson.date for lesson in held], marks),
    )
    for number, lesson in enumerate(held):
        if lesson.status != Lesson.Status.HELD:
            lesson.status = Lesson.Status.HELD
            lesson.topic = topic_for(cycle.level, number)
            lesson.save(update_fields=["status", "topic"])
    Attendance.objects.bulk_create(
        Attendance(enrollment=enrollment, lesson=lesson, status=mark)
        for lesson, mark in zip(held, marks, strict=True)
    )
    participations_sync([enrollment.pk])
    return enrollment


def archive(run: DemoRun, students: dict[int, Student]) -> None:
    """Students of past cohorts with their cycles, lessons and attendance, in bulk inserts."""
    a1 = course_demo(run).a1
    operation = participations.operation_for(run.school, dt.date(2015, 1, 5))
    cohorts = sorted({(i - BASE_STUDENTS) // COHORT_SIZE for i in students})
    codes = {k: f"A1-ARCHIVE-{k:05d}" for k in cohorts}
    cycles = {c.code: c for c in Cycle.objects.filter(school=run.school, code__in=codes.values())}
    new_cycles = []
    for k in cohorts:
        if codes[k] in cycles:
            continue
        # Cohorts spread over past years, two evenings a week, three hours an evening.
        start = monday_on_or_before(dt.date(2015, 1, 5) + dt.timedelta(weeks=(k % 300) * 2))
        new_cycles.append(
            Cycle(
                school=run.school,
                level=a1,
                code=codes[k],
                starts_on=start,
                ends_on=start + dt.timedelta(weeks=40),
                capacity=COHORT_SIZE,
                total_hours=Decimal(3 * ARCHIVE_LESSONS),
                venue=run.rooms[0].venue,
                room=run.rooms[0],
                operation=operation,
            )
        )
    for cycle in Cycle.objects.bulk_create(new_cycles):
        cycles[cycle.code] = cycle
    slots = [Slot(0, dt.time(17), dt.time(20)), Slot(2, dt.time(17), dt.time(20))]
    lessons = []
    new_codes = {c.code for c in new_cycles}
    for code in sorted(new_codes):
        cycle = cycles[code]
        teacher = run.teachers[cycle.pk % len(run.teachers)]
        days = islice(
            meeting_days(
                starts_on=cycle.starts_on, ends_on=cycle.ends_on, slots=slots, country="GR"
            ),
            ARCHIVE_LESSONS,
        )
        lessons += [
            Lesson(
                cycle=cycle,
                date=day,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                hours=Decimal(3),
                status=Lesson.Status.HELD,
                topic=topic_for(a1, n),
                room=cycle.room,
                teacher=teacher,
            )
            for n, (day, slot) in enumerate(days)
        ]
    Lesson.objects.bulk_create(lessons, batch_size=5000)
    Cycle.teachers.through.objects.bulk_create(
        [
            Cycle.teachers.through(
                cycle_id=cycles[c].pk,
                teacher_id=run.teachers[cycles[c].pk % len(run.teachers)].pk,
            )
            for c in new_codes
        ]
    )
    lessons_by_cycle: dict[int, list[tuple[int, dt.date]]] = {}
    for cycle_id, lesson_id, day in (
        Lesson.objects.filter(cycle__code__in=codes.values(), cycle__school=run.school)
        .order_by("date", "starts_at")
        .values_list("cycle_id", "id", "date")
    ):
        lessons_by_cycle.setdefault(cycle_id, []).append((lesson_id, day))

    enrollments = []
    marks_of: list[list[str]] = []
    for index, student in students.items():
        cycle = cycles[codes[(index - BASE_STUDENTS) // COHORT_SIZE]]
        held = lessons_by_cycle[cycle.pk]
        rng = random.Random(f"attendance-{index}")
        marks = [rng.choice(MARKS) for _lesson in held]
        marks_of.append(marks)
        entry = first_attended([day for _id, day in held], marks)
        withdrawn = index % 17 == 0
        enrollments.append(
            Enrollment(
                student=student,
                cycle=cycle,
                status=Enrollment.Status.WITHDRAWN if withdrawn else Enrollment.Status.COMPLETED,
                withdrawal_reason="Μετακόμισε σε άλλη πόλη" if withdrawn else "",
                entry_date=entry,
                # As the services do: no exit for someone who never entered.
                exit_date=held[-1][1] if entry else None,
            )
        )
    Enrollment.objects.bulk_create(enrollments, batch_size=2000)
    now = timezone.now()
    rows = []
    for enrollment, marks in zip(enrollments, marks_of, strict=True):
        rows += [
            Attendance(enrollment_id=enrollment.pk, lesson_id=lesson_id, status=mark, marked_at=now)
            for (lesson_id, _day), mark in zip(
                lessons_by_cycle[enrollment.cycle_id], marks, strict=True
            )
        ]
    Attendance.objects.bulk_create(rows, batch_size=10_000)
    # Each one who attended is a participant (their entry form frozen as of entry); each one
    # who entered left when the cycle ended or they withdrew.
    participations_sync([e.pk for e in enrollments])
    participation_of = dict(
        Participation.objects.filter(
            operation=operation, student_id__in=[e.student_id for e in enrollments]
        ).values_list("student_id", "pk")
    )
    Exit.objects.bulk_create(
        [
            Exit(
                participation_id=participation_of[e.student_id],
                date=e.exit_date,
                reason=ExitReason.WITHDREW if e.status == "withdrawn" else ExitReason.COMPLETED,
            )
            for e in enrollments
            if e.exit_date is not None and e.student_id in participation_of
        ],
        batch_size=5000,
    )


def certificates(run: DemoRun) -> None:
    """One certificate of completion, of last spring's cycle, to check at /verify/<code>
    (the demo student asks for their own on /me/)."""
    enrollment = (
        Enrollment.objects.filter(
            cycle__school=run.school,
            status=Enrollment.Status.COMPLETED,
            student__user__isnull=True,
            certificates__isnull=True,
        )
        .order_by("pk")
        .first()
    )
    if enrollment is not None:
        services.certificate_issue(
            enrollment=enrollment, kind=Certificate.Kind.COMPLETION, issued_by=None
        )


def register() -> None:
    demo_part_register(
        DemoPart(
            "courses",
            20,
            prepare=prepare,
            everyday_student=everyday_student,
            archive=archive,
            finish=certificates,
        )
    )
