"""A plausible, entirely fictional school for trying the product and for benchmarks.

Every name is a made-up combination of common given names and surnames; phone numbers and
e-mail addresses are in ranges reserved for examples. Student ``i`` is always generated the same
way, so a second run adds nothing and ``--students N`` only adds the students beyond those there.

Students 0-59 make the everyday demo: 18 finished last spring's A1 cycle, sat the May exam and
now attend the A2 cycle; 22 applied to the first A1 cycle (20 seats, so two wait); 20 attend the
second A1 cycle. From student 60 on, students come in archive cohorts of 20, each in a past A1
cycle of 60 held three-hour lessons with attendance: 50,000 students make about 3 million
attendance rows.
"""

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice

from django.db import transaction
from django.utils import timezone

from courses.calendar import Slot, meeting_days
from courses.models import Attendance, Cycle, Enrollment, Lesson, Level, TimetableSlot
from courses.services import lessons_generate
from exams.models import ExamRegistration, ExamRound, ExamScheme
from exams.services import exam_result_record, pass_rates_recompute
from school.choices import Answer, Gender, LabourMarketStatus, Role
from school.models import Room, School, Student, Teacher, User, Venue
from school.services import user_upsert

SCHOOL_NAME = "Demo Social School of Greek"
BASE_STUDENTS = 60
COHORT_SIZE = 20
ARCHIVE_LESSONS = 60
PASSWORDS = {
    "coordinator": "demo-coordinator",
    "teacher": "demo-teacher",
    "teacher2": "demo-teacher",
    "student": "demo-student",
    "auditor": "demo-auditor",
}

# nationality: (language of messages, given names, surnames) in the script people write them in.
PEOPLE: dict[str, tuple[str, list[str], list[str]]] = {
    "SY": (
        "ar",
        ["أحمد", "فاطمة", "محمد", "ليلى", "عمر", "ريم", "يوسف", "نور"],
        ["الحسن", "الخطيب", "العلي", "حداد", "الشامي"],
    ),
    "IQ": ("ar", ["علي", "زينب", "حسين", "مريم", "كريم"], ["الجبوري", "العبيدي", "الربيعي"]),
    "AF": (
        "fa",
        ["احمد", "زهرا", "مریم", "علی", "فرشته", "حمید", "نرگس"],
        ["رحیمی", "احمدی", "کریمی", "نوری", "صدیقی"],
    ),
    "IR": ("fa", ["سارا", "رضا", "مهسا", "امید"], ["حسینی", "محمدی", "رضایی"]),
    "UA": (
        "uk",
        ["Олена", "Андрій", "Марія", "Тарас", "Ірина", "Оксана"],
        ["Коваленко", "Шевчук", "Бондаренко", "Мельник"],
    ),
    "CD": (
        "fr",
        ["Grâce", "Jean-Pierre", "Esther", "Patrick", "Merveille"],
        ["Mbala", "Kabongo", "Ilunga", "Tshibangu"],
    ),
    "CM": ("fr", ["Aïcha", "Serge", "Brigitte"], ["Nkoulou", "Fotso", "Ngono"]),
    "NG": ("en", ["Chinedu", "Amina", "Blessing", "Emeka"], ["Okafor", "Adeyemi", "Eze", "Bello"]),
    "PK": ("en", ["Ayesha", "Bilal", "Imran", "Sana"], ["Khan", "Malik", "Hussain"]),
    "AL": ("en", ["Arben", "Elira", "Besnik", "Mirela"], ["Hoxha", "Shehu", "Leka"]),
    "GE": ("en", ["ნინო", "გიორგი", "თამარ"], ["ბერიძე", "კაპანაძე", "მაისურაძე"]),
    "SO": ("ar", ["Hodan", "Abdi", "Faadumo"], ["Warsame", "Farah", "Jama"]),
}
NATIONALITIES = list(PEOPLE)
TOPICS = [
    "Greetings and introductions",
    "Numbers and prices",
    "At the market",
    "Family",
    "My neighbourhood",
    "At the doctor",
    "Public services",
    "Days, months and seasons",
    "Looking for work",
    "Transport in the city",
    "Greek history: the Revolution of 1821",
    "Greek history: Ancient Athens",
]
MARKS = ["present"] * 16 + ["late"] * 2 + ["absent"] * 2 + ["excused"]


@dataclass(frozen=True)
class Demo:
    school: School
    teachers: list[Teacher]
    rooms: list[Room]
    a1: Level
    a2: Level


def monday_on_or_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def chunked(iterable: range, size: int) -> Iterator[range]:
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield range(batch[0], batch[-1] + 1)


def student_for(index: int, school: School) -> Student:
    """Student ``index``: always the same made-up person."""
    rng = random.Random(index)
    nationality = NATIONALITIES[index % len(NATIONALITIES)]
    language, given, family = PEOPLE[nationality]
    status = rng.choice(LabourMarketStatus.values)
    return Student(
        school=school,
        first_name=rng.choice(given),
        last_name=rng.choice(family),
        date_of_birth=dt.date(rng.randint(1966, 2007), rng.randint(1, 12), rng.randint(1, 28)),
        gender=rng.choice(
            [
                Gender.FEMALE,
                Gender.FEMALE,
                Gender.MALE,
                Gender.MALE,
                Gender.OTHER,
                Gender.UNDISCLOSED,
            ]
        ),
        nationality=nationality,
        language=language,
        phone=f"+30699{index % 10_000_000:07d}",
        email=f"student{index}@example.org",
        # One in five would rather read e-mail: the demo shows both channels in the message log.
        contact_channel="email" if index % 5 == 0 else "sms",
        entry_form_on=dt.date(2026, 1, 5),
        labour_market_status=status,
        unemployed_months=rng.randint(1, 30)
        if status in ("unemployed", "long_term_unemployed")
        else None,
        isced_level=rng.randint(0, 7),
        household_jobless=rng.choice(Answer.values),
        household_dependent_children=rng.choice(Answer.values),
        household_single_adult=rng.choice([Answer.NO, Answer.NO, Answer.YES]),
        foreign_background=Answer.YES,
        other_disadvantage=rng.choice(Answer.values),
        homeless=rng.choice([Answer.NO, Answer.NO, Answer.NO, Answer.YES, Answer.DECLINED]),
        rural_area=rng.random() < 0.1,
    )


class DemoSeeder:
    def __init__(self, *, today: dt.date, progress: Callable[[int], None] = lambda n: None):
        self.today = today
        self.progress = progress

    # -- the school, its people and places --------------------------------------------------
    @transaction.atomic
    def school(self) -> Demo:
        school, _ = School.objects.get_or_create(
            name=SCHOOL_NAME,
            defaults={
                "country": "GR",
                "programme_period": "2014-2020",
                "operation_code": "DEMO-5001234",
            },
        )
        centre, _ = Venue.objects.get_or_create(
            school=school, name="Community Centre North", defaults={"address": "1 Example Street"}
        )
        library, _ = Venue.objects.get_or_create(
            school=school, name="Municipal Library", defaults={"address": "2 Example Square"}
        )
        rooms = [
            Room.objects.get_or_create(venue=centre, name="Room 1", defaults={"seats": 25})[0],
            Room.objects.get_or_create(venue=centre, name="Room 2", defaults={"seats": 20})[0],
            Room.objects.get_or_create(venue=library, name="Reading room", defaults={"seats": 25})[
                0
            ],
        ]
        if not User.objects.filter(username="coordinator").exists():
            user_upsert(
                username="coordinator",
                password=PASSWORDS["coordinator"],
                role=Role.COORDINATOR,
                school=school,
                first_name="Katerina",
                last_name="Demou",
            )
            user_upsert(
                username="auditor",
                password=PASSWORDS["auditor"],
                role=Role.AUDITOR,
                school=school,
                first_name="Nikos",
                last_name="Elegchou",
            )
            user_upsert(
                username="teacher",
                password=PASSWORDS["teacher"],
                role=Role.TEACHER,
                school=school,
                first_name="Eleni",
                last_name="Daskalou",
            )
            user_upsert(
                username="teacher2",
                password=PASSWORDS["teacher2"],
                role=Role.TEACHER,
                school=school,
                first_name="Yannis",
                last_name="Grammatikos",
            )
        teachers = list(
            Teacher.objects.filter(school=school).select_related("user").order_by("user__username")
        )
        return Demo(
            school, teachers, rooms, Level.objects.get(code="A1"), Level.objects.get(code="A2")
        )

    def base_cycles(self, demo: Demo) -> dict[str, Cycle]:
        """Last spring's A1 cycle (finished) and this term's two A1 cycles and one A2 cycle."""
        start = monday_on_or_before(self.today) - dt.timedelta(weeks=7)
        year = start.year
        spring = monday_on_or_before(dt.date(year if self.today.month > 6 else year - 1, 2, 2))
        plans = {
            "past": (
                f"A1-{spring.year}-SPRING",
                demo.a1,
                spring,
                spring + dt.timedelta(weeks=14, days=4),
                [(0, "17:00", "20:00"), (2, "17:00", "20:00")],
                demo.teachers[0],
                demo.rooms[0],
                25,
            ),
            "a1a": (
                f"A1-{year}-A",
                demo.a1,
                start,
                start + dt.timedelta(weeks=16, days=4),
                [(0, "17:00", "20:00"), (2, "17:00", "20:00")],
                demo.teachers[0],
                demo.rooms[0],
                20,
            ),
            "a1b": (
                f"A1-{year}-B",
                demo.a1,
                start,
                start + dt.timedelta(weeks=16, days=4),
                [(1, "10:00", "13:00"), (3, "10:00", "13:00")],
                demo.teachers[1],
                demo.rooms[2],
                22,
            ),
            "a2": (
                f"A2-{year}",
                demo.a2,
                start,
                start + dt.timedelta(weeks=16, days=4),
                [(1, "17:00", "20:00"), (3, "17:00", "20:00")],
                demo.teachers[0],
                demo.rooms[1],
                20,
            ),
        }
        cycles = {}
        for key, (code, level, starts_on, ends_on, slots, teacher, room, capacity) in plans.items():
            cycle, created = Cycle.objects.get_or_create(
                school=demo.school,
                code=code,
                defaults={
                    "level": level,
                    "starts_on": starts_on,
                    "ends_on": ends_on,
                    "capacity": capacity,
                    "total_hours": Decimal(1),
                    "venue": room.venue,
                    "room": room,
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
        return cycles

    # -- students -------------------------------------------------------------------------------
    def run(self, *, students: int) -> int:
        """Bring the demo school up to ``students`` students; return how many were added."""
        demo = self.school()
        have = Student.objects.filter(school=demo.school).count()
        if have >= students:
            return 0
        with transaction.atomic():
            cycles = self.base_cycles(demo)
            self.exam_round(demo, cycles["past"])
            self.upcoming_rounds(demo)
        base = range(have, min(students, BASE_STUDENTS))
        if base:
            self.base_students(demo, cycles, base)
            self.progress(len(base))
        for batch in chunked(range(max(have, BASE_STUDENTS), students), 1000):
            self.archive_students(demo, batch)
            self.progress(len(batch))
        # The dashboard's pass rates come from the stored table; fill it now, not at 02:30.
        pass_rates_recompute(school_id=demo.school.pk)
        return students - have

    @transaction.atomic
    def base_students(self, demo: Demo, cycles: dict[str, Cycle], indexes: range) -> None:
        made = Student.objects.bulk_create([student_for(i, demo.school) for i in indexes])
        by_index = dict(zip(indexes, made, strict=True))
        for index, student in by_index.items():
            if index < 18:
                self.enroll_completed(cycles["past"], student)
                self.register_and_score(demo, cycles["past"], student, index)
                self.enroll_with_attendance(cycles["a2"], student, index)
            elif index < 40:
                self.enroll_with_attendance(cycles["a1a"], student, index)
            else:
                self.enroll_with_attendance(cycles["a1b"], student, index)
            if index == 0:
                user_upsert(
                    username="student",
                    password=PASSWORDS["student"],
                    role=Role.STUDENT,
                    school=demo.school,
                    student=student,
                )

    def enroll_completed(self, cycle: Cycle, student: Student) -> None:
        lessons = list(cycle.lessons.order_by("date"))
        enrollment = Enrollment.objects.create(
            student=student,
            cycle=cycle,
            status=Enrollment.Status.COMPLETED,
            entry_date=lessons[0].date,
            exit_date=lessons[-1].date,
        )
        cycle.lessons.update(status=Lesson.Status.HELD)
        Attendance.objects.bulk_create(
            Attendance(enrollment=enrollment, lesson=lesson, status="present") for lesson in lessons
        )

    def enroll_with_attendance(self, cycle: Cycle, student: Student, index: int) -> None:
        taken = cycle.enrollments.filter(status=Enrollment.Status.ENROLLED).count()
        if taken >= cycle.capacity:
            position = cycle.enrollments.filter(status=Enrollment.Status.WAITLISTED).count() + 1
            Enrollment.objects.create(
                student=student,
                cycle=cycle,
                status=Enrollment.Status.WAITLISTED,
                waitlist_position=position,
            )
            return
        # The latest past lesson stays unmarked, so the demo teacher has attendance to take.
        held = list(cycle.lessons.filter(date__lt=self.today).order_by("date", "starts_at"))[:-1]
        rng = random.Random(f"attendance-{index}")
        enrollment = Enrollment.objects.create(
            student=student,
            cycle=cycle,
            status=Enrollment.Status.ENROLLED,
            entry_date=held[0].date if held else None,
        )
        for number, lesson in enumerate(held):
            if lesson.status != Lesson.Status.HELD:
                lesson.status = Lesson.Status.HELD
                lesson.topic = TOPICS[number % len(TOPICS)]
                lesson.save(update_fields=["status", "topic"])
        Attendance.objects.bulk_create(
            Attendance(enrollment=enrollment, lesson=lesson, status=rng.choice(MARKS))
            for lesson in held
        )

    def exam_round(self, demo: Demo, past: Cycle) -> ExamRound:
        year = past.ends_on.year
        scheme = ExamScheme.objects.get(exam_type__code="ellinomatheia", level=demo.a1)
        exam_round, _ = ExamRound.objects.get_or_create(
            school=demo.school,
            scheme=scheme,
            name=f"Certificate of Greek A1, May {year}",
            defaults={
                "registration_deadline": dt.date(year, 3, 31),
                "exam_date": dt.date(year, 5, 16),
                "centre": "Exam centre (demo)",
                "results_published_on": dt.date(year, 7, 20),
            },
        )
        return exam_round

    def upcoming_rounds(self, demo: Demo) -> None:
        """Next spring's rounds, open for registration, for the coordinator to register cycles."""
        year = self.today.year + 1
        for level, day in ((demo.a1, 15), (demo.a2, 16)):
            scheme = ExamScheme.objects.get(exam_type__code="ellinomatheia", level=level)
            ExamRound.objects.get_or_create(
                school=demo.school,
                scheme=scheme,
                name=f"Certificate of Greek {level.code}, May {year}",
                defaults={
                    "registration_deadline": dt.date(year, 3, 31),
                    "exam_date": dt.date(year, 5, day),
                    "centre": "Exam centre (demo)",
                },
            )

    def register_and_score(self, demo: Demo, past: Cycle, student: Student, index: int) -> None:
        exam_round = ExamRound.objects.get(
            school=demo.school, scheme__level=demo.a1, name__endswith=str(past.ends_on.year)
        )
        registration = ExamRegistration.objects.create(
            exam_round=exam_round, student=student, cycle=past
        )
        rng = random.Random(f"exam-{index}")
        # About nine in ten pass, as the school's last rounds did.
        low = 10 if index % 10 == 7 else 15
        points = {
            skill: Decimal(rng.randint(low, 25))
            for skill in ("reading", "writing", "listening", "speaking")
        }
        if index % 10 == 7:
            points["writing"] = Decimal(12)
        exam_result_record(registration=registration, points=points)

    # -- archive cohorts, in bulk -----------------------------------------------------------------
    @transaction.atomic
    def archive_students(self, demo: Demo, indexes: range) -> None:
        """Students of past cohorts with their cycles, lessons and attendance, in bulk inserts."""
        cohorts = sorted({(i - BASE_STUDENTS) // COHORT_SIZE for i in indexes})
        codes = {k: f"A1-ARCHIVE-{k:05d}" for k in cohorts}
        cycles = {
            c.code: c for c in Cycle.objects.filter(school=demo.school, code__in=codes.values())
        }
        new_cycles = []
        for k in cohorts:
            if codes[k] in cycles:
                continue
            # Cohorts spread over past years, two evenings a week, three hours an evening.
            start = monday_on_or_before(dt.date(2015, 1, 5) + dt.timedelta(weeks=(k % 300) * 2))
            new_cycles.append(
                Cycle(
                    school=demo.school,
                    level=demo.a1,
                    code=codes[k],
                    starts_on=start,
                    ends_on=start + dt.timedelta(weeks=40),
                    capacity=COHORT_SIZE,
                    total_hours=Decimal(3 * ARCHIVE_LESSONS),
                    venue=demo.rooms[0].venue,
                    room=demo.rooms[0],
                )
            )
        for cycle in Cycle.objects.bulk_create(new_cycles):
            cycles[cycle.code] = cycle
        slots = [Slot(0, dt.time(17), dt.time(20)), Slot(2, dt.time(17), dt.time(20))]
        lessons = []
        new_codes = {c.code for c in new_cycles}
        for code in sorted(new_codes):
            cycle = cycles[code]
            teacher = demo.teachers[cycle.pk % len(demo.teachers)]
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
                    topic=TOPICS[n % len(TOPICS)],
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
                    teacher_id=demo.teachers[cycles[c].pk % len(demo.teachers)].pk,
                )
                for c in new_codes
            ]
        )
        lessons_by_cycle: dict[int, list[tuple[int, dt.date]]] = {}
        for cycle_id, lesson_id, day in (
            Lesson.objects.filter(cycle__code__in=codes.values(), cycle__school=demo.school)
            .order_by("date", "starts_at")
            .values_list("cycle_id", "id", "date")
        ):
            lessons_by_cycle.setdefault(cycle_id, []).append((lesson_id, day))

        students = Student.objects.bulk_create(
            [student_for(i, demo.school) for i in indexes], batch_size=2000
        )
        enrollments = []
        for index, student in zip(indexes, students, strict=True):
            cycle = cycles[codes[(index - BASE_STUDENTS) // COHORT_SIZE]]
            held = lessons_by_cycle[cycle.pk]
            withdrawn = index % 17 == 0
            enrollments.append(
                Enrollment(
                    student=student,
                    cycle=cycle,
                    status=Enrollment.Status.WITHDRAWN
                    if withdrawn
                    else Enrollment.Status.COMPLETED,
                    withdrawal_reason="Moved to another city" if withdrawn else "",
                    entry_date=held[0][1],
                    exit_date=held[-1][1],
                )
            )
        Enrollment.objects.bulk_create(enrollments, batch_size=2000)
        now = timezone.now()
        rows = []
        for index, enrollment in zip(indexes, enrollments, strict=True):
            rng = random.Random(f"attendance-{index}")
            rows += [
                Attendance(
                    enrollment_id=enrollment.pk,
                    lesson_id=lesson_id,
                    status=rng.choice(MARKS),
                    marked_at=now,
                )
                for lesson_id, _day in lessons_by_cycle[enrollment.cycle_id]
            ]
        Attendance.objects.bulk_create(rows, batch_size=10_000)
