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
from courses.selectors import ATTENDED
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


# Given names (women's, men's) and surnames of each nationality, in the script people write
# them in, with the language their messages come in.
@dataclass(frozen=True)
class Names:
    language: str
    women: tuple[str, ...]
    men: tuple[str, ...]
    surnames: tuple[str, ...]


PEOPLE: dict[str, Names] = {
    "SY": Names(
        "ar",
        ("فاطمة", "ليلى", "ريم", "نور"),
        ("أحمد", "محمد", "عمر", "يوسف"),
        ("الحسن", "الخطيب", "العلي", "حداد", "الشامي"),
    ),
    "IQ": Names("ar", ("زينب", "مريم"), ("علي", "حسين", "كريم"), ("الجبوري", "العبيدي", "الربيعي")),
    "AF": Names(
        "fa",
        ("زهرا", "مریم", "فرشته", "نرگس"),
        ("احمد", "علی", "حمید"),
        ("رحیمی", "احمدی", "کریمی", "نوری", "صدیقی"),
    ),
    "IR": Names("fa", ("سارا", "مهسا"), ("رضا", "امید"), ("حسینی", "محمدی", "رضایی")),
    "UA": Names(
        "uk",
        ("Олена", "Марія", "Ірина", "Оксана"),
        ("Андрій", "Тарас"),
        ("Коваленко", "Шевчук", "Бондаренко", "Мельник"),
    ),
    "CD": Names(
        "fr",
        ("Grâce", "Esther", "Merveille"),
        ("Jean-Pierre", "Patrick"),
        ("Mbala", "Kabongo", "Ilunga", "Tshibangu"),
    ),
    "CM": Names("fr", ("Aïcha", "Brigitte"), ("Serge",), ("Nkoulou", "Fotso", "Ngono")),
    "NG": Names(
        "en", ("Amina", "Blessing"), ("Chinedu", "Emeka"), ("Okafor", "Adeyemi", "Eze", "Bello")
    ),
    "PK": Names("en", ("Ayesha", "Sana"), ("Bilal", "Imran"), ("Khan", "Malik", "Hussain")),
    "AL": Names("en", ("Elira", "Mirela"), ("Arben", "Besnik"), ("Hoxha", "Shehu", "Leka")),
    "GE": Names("en", ("ნინო", "თამარ"), ("გიორგი",), ("ბერიძე", "კაპანაძე", "მაისურაძე")),
    "SO": Names("ar", ("Hodan", "Faadumo"), ("Abdi",), ("Warsame", "Farah", "Jama")),
}
NATIONALITIES = list(PEOPLE)
# Each name written in another script as a passport or residence permit gives it in Latin
# letters, so that a Greek teacher can read the roster aloud.
LATIN = {
    # Arabic (Syria, Iraq)
    "فاطمة": "Fatima", "ليلى": "Layla", "ريم": "Reem", "نور": "Nour", "أحمد": "Ahmad",
    "محمد": "Mohammad", "عمر": "Omar", "يوسف": "Yousef", "زينب": "Zainab", "مريم": "Maryam",
    "علي": "Ali", "حسين": "Hussein", "كريم": "Karim", "الحسن": "Al-Hassan",
    "الخطيب": "Al-Khatib", "العلي": "Al-Ali", "حداد": "Haddad", "الشامي": "Al-Shami",
    "الجبوري": "Al-Jubouri", "العبيدي": "Al-Obaidi", "الربيعي": "Al-Rubaie",
    # Persian (Afghanistan, Iran)
    "زهرا": "Zahra", "مریم": "Maryam", "فرشته": "Fereshteh", "نرگس": "Narges", "احمد": "Ahmad",
    "علی": "Ali", "حمید": "Hamid", "سارا": "Sara", "مهسا": "Mahsa", "رضا": "Reza",
    "امید": "Omid", "رحیمی": "Rahimi", "احمدی": "Ahmadi", "کریمی": "Karimi", "نوری": "Nouri",
    "صدیقی": "Sediqi", "حسینی": "Hosseini", "محمدی": "Mohammadi", "رضایی": "Rezaei",
    # Ukrainian (the national transliteration of Ukrainian passports)
    "Олена": "Olena", "Марія": "Mariia", "Ірина": "Iryna", "Оксана": "Oksana",
    "Андрій": "Andrii", "Тарас": "Taras", "Коваленко": "Kovalenko", "Шевчук": "Shevchuk",
    "Бондаренко": "Bondarenko", "Мельник": "Melnyk",
    # Georgian
    "ნინო": "Nino", "თამარ": "Tamar", "გიორგი": "Giorgi", "ბერიძე": "Beridze",
    "კაპანაძე": "Kapanadze", "მაისურაძე": "Maisuradze",
}  # fmt: skip
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


EXAM_CENTRE = "Εξεταστικό κέντρο Ελληνομάθειας (επίδειξη)"
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


def gender_for(index: int, rng: random.Random) -> str:
    """Women and men about equally; one person in fifty non-binary, one in twenty-five who
    would rather not say (as a school's intake forms show)."""
    if index % 50 == 23:
        return Gender.OTHER
    if index % 25 == 11:
        return Gender.UNDISCLOSED
    return rng.choice([Gender.FEMALE, Gender.MALE])


def first_attended(dates: list[dt.date], marks: list[str]) -> dt.date | None:
    """The ESF entry date: the first lesson attended (present or late), as the attendance
    service records it; ``None`` for a student who has not come yet."""
    return next((day for day, mark in zip(dates, marks, strict=True) if mark in ATTENDED), None)


def student_for(index: int, school: School) -> Student:
    """Student ``index``: always the same made-up person."""
    rng = random.Random(index)
    nationality = NATIONALITIES[index % len(NATIONALITIES)]
    names = PEOPLE[nationality]
    status = rng.choice(LabourMarketStatus.values)
    gender = gender_for(index, rng)
    given = {"female": names.women, "male": names.men}.get(gender, names.women + names.men)
    first_name, last_name = rng.choice(given), rng.choice(names.surnames)
    return Student(
        school=school,
        first_name=first_name,
        last_name=last_name,
        first_name_latin=LATIN.get(first_name, ""),
        last_name_latin=LATIN.get(last_name, ""),
        date_of_birth=dt.date(rng.randint(1966, 2007), rng.randint(1, 12), rng.randint(1, 28)),
        gender=gender,
        nationality=nationality,
        language=names.language,
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
        # Made-up places on a made-up street: the lessons happen in Greece.
        centre, _ = Venue.objects.get_or_create(
            school=school,
            name="Κέντρο Κοινότητας Βόρειου Τομέα",
            defaults={"address": "Οδός Παραδείγματος 1"},
        )
        library, _ = Venue.objects.get_or_create(
            school=school,
            name="Δημοτική Βιβλιοθήκη",
            defaults={"address": "Πλατεία Παραδείγματος 2"},
        )
        rooms = [
            Room.objects.get_or_create(venue=centre, name="Αίθουσα 1", defaults={"seats": 25})[0],
            Room.objects.get_or_create(venue=centre, name="Αίθουσα 2", defaults={"seats": 20})[0],
            Room.objects.get_or_create(venue=library, name="Αναγνωστήριο", defaults={"seats": 25})[
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
        if lessons[0].status != Lesson.Status.HELD:
            for number, lesson in enumerate(lessons):
                lesson.status = Lesson.Status.HELD
                lesson.topic = topic_for(cycle.level, number)
            Lesson.objects.bulk_update(lessons, ["status", "topic"])
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
                "centre": EXAM_CENTRE,
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
                    "centre": EXAM_CENTRE,
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
                    topic=topic_for(demo.a1, n),
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
        marks_of: list[list[str]] = []
        for index, student in zip(indexes, students, strict=True):
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
                    status=Enrollment.Status.WITHDRAWN
                    if withdrawn
                    else Enrollment.Status.COMPLETED,
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
                Attendance(
                    enrollment_id=enrollment.pk, lesson_id=lesson_id, status=mark, marked_at=now
                )
                for (lesson_id, _day), mark in zip(
                    lessons_by_cycle[enrollment.cycle_id], marks, strict=True
                )
            ]
        Attendance.objects.bulk_create(rows, batch_size=10_000)
