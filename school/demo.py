"""A plausible, entirely fictional school for trying the product and for benchmarks: the
school, its places and people, and the registry through which each app adds its part.

Every name is a made-up combination of common given names and surnames; phone numbers and
e-mail addresses are in ranges reserved for examples. Student ``i`` is always generated the same
way, so a second run adds nothing and ``--students N`` only adds the students beyond those there.

Students 0-59 make the everyday demo: 18 finished last spring's A1 cycle, sat the May exam and
now attend the A2 cycle; 22 applied to the first A1 cycle (20 seats, so two wait); 20 attend the
second A1 cycle. From student 60 on, students come in archive cohorts of 20, each in a past A1
cycle of 60 held three-hour lessons with attendance: 50,000 students make about 3 million
attendance rows.

This app makes the school, its venues, rooms, staff and students; the apps above add theirs
(``courses.demo``: cycles, lessons, enrollments and attendance; ``exams.demo``: rounds,
registrations and results) by registering a ``DemoPart`` in their ``AppConfig.ready()``.
"""

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.db import transaction

from school.choices import Answer, Gender, Role
from school.models import Room, School, Student, Teacher, User, Venue
from school.services import user_upsert
from school.services.participation import age_on, labour_market_status_derive

SCHOOL_NAME = "Demo Social School of Greek"
# The application page is /apply/demo/.
DEMO_SLUG = "demo"
BASE_STUDENTS = 60
ENTRY_FORM_ON = dt.date(2026, 1, 5)
# Archive students are added in batches of this many, each in its own transaction.
BATCH = 1000
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


@dataclass
class DemoRun:
    """One run of the seeder: the day it pretends is today, the school with its teachers and
    rooms, and what each app's part made before the students came (by the part's name)."""

    today: dt.date
    school: School
    teachers: list[Teacher]
    rooms: list[Room]
    made: dict[str, Any] = field(default_factory=dict)


def _nothing(*args: Any) -> None:
    return None


def _none(school: School) -> int:
    return 0


@dataclass(frozen=True)
class DemoPart:
    """An app's part of the demo, run in ``order``.

    - ``prepare``: what comes before any student (cycles and their lessons, exam rounds);
    - ``everyday_student``: one of the everyday demo's students (0-59), just made;
    - ``archive``: a batch of archive students (by index), just made, in bulk;
    - ``finish``: once every student is in (figures worked out from them);
    - ``own_students``: how many students the part made itself (applicants who accepted a
      seat): ``--students N`` counts only the generated ones, so student ``i`` stays the same.
    """

    name: str
    order: int
    prepare: Callable[[DemoRun], None] = _nothing
    everyday_student: Callable[[DemoRun, int, Student], None] = _nothing
    archive: Callable[[DemoRun, dict[int, Student]], None] = _nothing
    finish: Callable[[DemoRun], None] = _nothing
    own_students: Callable[[School], int] = _none


_PARTS: dict[str, DemoPart] = {}


def demo_part_register(part: DemoPart) -> None:
    _PARTS[part.name] = part


def demo_parts() -> list[DemoPart]:
    return sorted(_PARTS.values(), key=lambda part: (part.order, part.name))


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


def student_for(index: int, school: School) -> Student:
    """Student ``index``: always the same made-up person."""
    rng = random.Random(index)
    nationality = NATIONALITIES[index % len(NATIONALITIES)]
    names = PEOPLE[nationality]
    # The status is asked, long-term unemployment worked out from the months and the age on the
    # day of the entry form, as the funder's rule says: no record contradicts itself.
    asked = rng.choice(
        ["employed", "unemployed", "unemployed", "inactive_in_education", "inactive"]
    )
    months = rng.randint(1, 30) if asked == "unemployed" else None
    born = dt.date(rng.randint(1966, 2007), rng.randint(1, 12), rng.randint(1, 28))
    status, months = labour_market_status_derive(asked, months, age_on(born, ENTRY_FORM_ON))
    gender = gender_for(index, rng)
    given = {"female": names.women, "male": names.men}.get(gender, names.women + names.men)
    first_name, last_name = rng.choice(given), rng.choice(names.surnames)
    return Student(
        school=school,
        first_name=first_name,
        last_name=last_name,
        first_name_latin=LATIN.get(first_name, ""),
        last_name_latin=LATIN.get(last_name, ""),
        date_of_birth=born,
        gender=gender,
        nationality=nationality,
        language=names.language,
        phone=f"+30699{index % 10_000_000:07d}",
        email=f"student{index}@example.org",
        # One in five would rather read e-mail: the demo shows both channels in the message log.
        contact_channel="email" if index % 5 == 0 else "sms",
        entry_form_on=ENTRY_FORM_ON,
        labour_market_status=status,
        unemployed_months=months,
        isced_level=rng.randint(0, 7),
        household_jobless=rng.choice(Answer.values),
        household_dependent_children=rng.choice(Answer.values),
        household_single_adult=rng.choice([Answer.NO, Answer.NO, Answer.YES]),
        foreign_background=Answer.YES,
        other_disadvantage=rng.choice(Answer.values),
        homeless=rng.choice([Answer.NO, Answer.NO, Answer.NO, Answer.YES, Answer.DECLINED]),
        rural_area=rng.random() < 0.1,
    )


@transaction.atomic
def demo_school(*, today: dt.date) -> DemoRun:
    """The school, its venues and rooms, and its staff's sign-ins."""
    school, _ = School.objects.get_or_create(
        name=SCHOOL_NAME,
        defaults={
            "country": "GR",
            "programme_period": "2014-2020",
            "operation_code": "DEMO-5001234",
            "slug": DEMO_SLUG,
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
        Room.objects.get_or_create(venue=library, name="Αναγνωστήριο", defaults={"seats": 25})[0],
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
    return DemoRun(today=today, school=school, teachers=teachers, rooms=rooms)


def demo_seed(*, today: dt.date, students: int, progress: Callable[[int], None]) -> int:
    """Bring the demo school up to ``students`` students; return how many were added.

    1. The school, its places and staff (always: a second run finds them).
    2. Nothing more when the school has the students already.
    3. Each app's part prepares (cycles, exam rounds), in one transaction.
    4. The everyday students (0-59), each made and then taken by every part in turn.
    5. The archive students, in batches of a thousand, each batch in its own transaction.
    6. Each part finishes (the pass rates from the results).
    """
    run = demo_school(today=today)
    parts = demo_parts()
    have = Student.objects.filter(school=run.school).count()
    have -= sum(part.own_students(run.school) for part in parts)
    if have >= students:
        return 0
    with transaction.atomic():
        for part in parts:
            part.prepare(run)
    everyday = range(have, min(students, BASE_STUDENTS))
    if everyday:
        _everyday_students(run, parts, everyday)
        progress(len(everyday))
    for batch in chunked(range(max(have, BASE_STUDENTS), students), BATCH):
        _archive_students(run, parts, batch)
        progress(len(batch))
    for part in parts:
        part.finish(run)
    return students - have


@transaction.atomic
def _everyday_students(run: DemoRun, parts: list[DemoPart], indexes: range) -> None:
    made = Student.objects.bulk_create([student_for(i, run.school) for i in indexes])
    for index, student in zip(indexes, made, strict=True):
        for part in parts:
            part.everyday_student(run, index, student)
        if index == 0:
            user_upsert(
                username="student",
                password=PASSWORDS["student"],
                role=Role.STUDENT,
                school=run.school,
                student=student,
            )


@transaction.atomic
def _archive_students(run: DemoRun, parts: list[DemoPart], indexes: range) -> None:
    made = Student.objects.bulk_create(
        [student_for(i, run.school) for i in indexes], batch_size=2000
    )
    students = dict(zip(indexes, made, strict=True))
    for part in parts:
        part.archive(run, students)
