"""The ESF participants workbook: every indicator checked against an independent computation
over the raw rows, on data built to hit each counting rule (DOMAIN.md §2)."""

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from courses.models import Attendance, Enrollment, Lesson
from exams.services import exam_result_record
from school.models import EU_MEMBER_STATES, SpecialCategoryData, Student
from school.reports import ReportRequest, report_write
from tests.factories import (
    CycleFactory,
    EnrollmentFactory,
    ExamRegistrationFactory,
    ExamRoundFactory,
    LessonFactory,
    SchoolFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db
START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
GENDERS = ["female", "male", "other", "undisclosed"]


def build(tmp_path, school, special=True, **extra):
    path = tmp_path / "esf.xlsx"
    request = ReportRequest(school=school, start=START, end=END, special_category=special, **extra)
    report_write(kind="esf-participants", request=request, path=str(path), progress=lambda p: None)
    return load_workbook(path)


def student(school, **fields):
    defaults = {
        "labour_market_status": "unemployed",
        "isced_level": 3,
        "household_jobless": "no",
        "household_dependent_children": "no",
        "household_single_adult": "no",
        "foreign_background": "no",
        "other_disadvantage": "no",
        "homeless": "no",
        "rural_area": False,
        "nationality": "SY",
    }
    return StudentFactory(school=school, **{**defaults, **fields})


@pytest.fixture
def data(school):
    """Participants that hit each rule, and people who are not participants of the period."""
    spring = CycleFactory(school=school, code="SPRING", starts_on=dt.date(2026, 1, 5),
                          ends_on=dt.date(2026, 3, 27))  # fmt: skip
    autumn = CycleFactory(school=school, code="AUTUMN", starts_on=dt.date(2026, 10, 5),
                          ends_on=dt.date(2026, 12, 18))  # fmt: skip
    old = CycleFactory(school=school, code="OLD", starts_on=dt.date(2025, 9, 1),
                       ends_on=dt.date(2025, 12, 19))  # fmt: skip

    def enroll(cycle, who, entry, exit_=None, status="completed"):
        return EnrollmentFactory(
            cycle=cycle, student=who, status=status, entry_date=entry, exit_date=exit_,
            withdrawal_reason="Moved away" if status == "withdrawn" else "",
        )  # fmt: skip

    # Re-enters: one record, first entry (exactly 25 that day), last exit (still in: none).
    reentry = student(school, gender="female", date_of_birth=dt.date(2001, 1, 12),
                      household_jobless="yes", household_dependent_children="declined",
                      foreign_background="yes", isced_level=2)  # fmt: skip
    first = enroll(spring, reentry, dt.date(2026, 1, 12), dt.date(2026, 3, 25))
    second = enroll(autumn, reentry, dt.date(2026, 10, 7), None, "enrolled")
    # Exactly 54 at entry (55 the next day): not "above 54", not "55 and above".
    fifty_four = student(school, gender="male", date_of_birth=dt.date(1971, 2, 3),
                         labour_market_status="inactive", isced_level=0, homeless="declined",
                         nationality="DE", exit_job_searching=True, exit_in_education=False,
                         exit_employed=False)  # fmt: skip
    enroll(spring, fifty_four, dt.date(2026, 2, 2), dt.date(2026, 3, 2), "withdrawn")
    # 55 at entry, inactive not in education: CO07 and CO08; left with a job and a certificate.
    fifty_five = student(school, gender="other", date_of_birth=dt.date(1971, 2, 2),
                         labour_market_status="inactive", isced_level=5, rural_area=True,
                         exit_employed=True, exit_in_education=False,
                         exit_job_searching=False)  # fmt: skip
    enroll(spring, fifty_five, dt.date(2026, 2, 2), dt.date(2026, 3, 25))
    exam_round = ExamRoundFactory(school=school, exam_date=dt.date(2026, 5, 16),
                                  registration_deadline=dt.date(2026, 3, 31),
                                  results_published_on=dt.date(2026, 7, 20))  # fmt: skip
    registration = ExamRegistrationFactory(exam_round=exam_round, student=fifty_five, cycle=spring)
    exam_result_record(registration=registration, points=dict.fromkeys(
        ("reading", "writing", "listening", "speaking"), 20), certificate_number="GR-0001")  # fmt: skip
    # 24 at entry; employed; refuses the special-category and disadvantage questions.
    twenty_four = student(school, gender="undisclosed", date_of_birth=dt.date(2001, 1, 13),
                          labour_market_status="employed", isced_level=7,
                          other_disadvantage="declined", nationality="")  # fmt: skip
    enroll(spring, twenty_four, dt.date(2026, 1, 12), None, "enrolled")
    SpecialCategoryData.objects.create(student=twenty_four, disability="yes",
                                       disability_asked_on=dt.date(2026, 1, 12),
                                       minority="declined",
                                       minority_asked_on=dt.date(2026, 1, 12))  # fmt: skip
    # 17 at entry, long-term unemployed, with a single-adult household.
    young = student(school, gender="female", date_of_birth=dt.date(2008, 10, 8),
                    labour_market_status="long_term_unemployed", unemployed_months=14,
                    household_single_adult="yes", isced_level=None)  # fmt: skip
    enroll(autumn, young, dt.date(2026, 10, 7), None, "enrolled")
    # Never asked: no labour-market status, no birth date.
    unknown = student(school, gender="male", date_of_birth=None, labour_market_status="",
                      isced_level=None, household_jobless="", rural_area=None)  # fmt: skip
    enroll(autumn, unknown, dt.date(2026, 10, 7), None, "enrolled")
    # Not participants of the period: left before it, entered after it, never attended,
    # another school's.
    enroll(old, student(school), dt.date(2025, 9, 3), dt.date(2025, 12, 19))
    enroll(autumn, student(school), dt.date(2027, 1, 10), None, "enrolled")
    EnrollmentFactory(cycle=autumn, student=student(school), status="waitlisted",
                      waitlist_position=1)  # fmt: skip
    other = CycleFactory(school=SchoolFactory())
    EnrollmentFactory(cycle=other, entry_date=dt.date(2026, 2, 2))
    # Hours: lessons of different lengths, late counts, excused and absent do not, a cancelled
    # lesson does not.
    for enrollment, plan in (
        (first, [("held", 3, "present"), ("held", 2, "late"), ("held", 1.5, "absent")]),
        (second, [("held", 3, "excused"), ("held", 2, "present"), ("cancelled", 3, "present")]),
    ):
        for day, (status, hours, mark) in enumerate(plan):
            lesson = LessonFactory(
                cycle=enrollment.cycle, date=enrollment.entry_date + dt.timedelta(days=day),
                status=status, hours=Decimal(str(hours)), starts_at=dt.time(9),
                ends_at=(dt.datetime(2026, 1, 1, 9) + dt.timedelta(hours=hours)).time(),
            )  # fmt: skip
            Attendance.objects.create(enrollment=enrollment, lesson=lesson, status=mark)
    return {"reentry": reentry, "fifty_four": fifty_four, "fifty_five": fifty_five}


# -- the independent computation ----------------------------------------------------------------


def age(born, day):
    if born is None:
        return None
    years = day.year - born.year
    if day < born.replace(year=day.year):
        years -= 1
    return years


def records(school):
    """Each participant of the period from the raw rows: first entry, last exit."""
    out = {}
    for e in Enrollment.objects.filter(cycle__school=school, entry_date__isnull=False):
        out.setdefault(e.student_id, []).append(e)
    result = {}
    for student_id, enrollments in out.items():
        entry = min(e.entry_date for e in enrollments if e.entry_date <= END) if any(
            e.entry_date <= END for e in enrollments) else None  # fmt: skip
        if entry is None:
            continue
        exits = [e.exit_date for e in enrollments if e.entry_date <= END]
        exit_ = None if None in exits else max(exits)
        if exit_ is not None and exit_ < START:
            continue
        hours = sum(
            (a.lesson.hours for e in enrollments for a in e.attendance.all()
             if a.status in ("present", "late") and a.lesson.status == "held"
             and START <= a.lesson.date <= END),
            Decimal(0),
        )  # fmt: skip
        result[student_id] = (Student.objects.get(pk=student_id), entry, exit_, hours)
    return result


def expected(school, special):
    """{code: Counter(gender or 'declined' or 'unknown')} by the published rules."""
    counts: dict[str, Counter] = {}
    rows = {}

    def count(code, s, value):
        key = {True: s.gender, "declined": "declined", None: "unknown"}.get(value)
        counts.setdefault(code, Counter())
        if key is not None:
            counts[code][key] += 1
        rows.setdefault(s.pk, {})[code] = {True: 1, False: 0, "declined": "declined"}.get(value)

    def yn(value):
        return {"yes": True, "no": False, "declined": "declined", "": None}[value]

    for s, entry, exit_, _hours in records(school).values():
        special_data = getattr(s, "special_category", None)
        minority = special_data.minority if special_data else ""
        disability = special_data.disability if special_data else ""
        years = age(s.date_of_birth, entry)
        lms = s.labour_market_status or None
        left = exit_ is not None and exit_ <= END
        third = None if not s.nationality else s.nationality not in EU_MEMBER_STATES
        answers = [third, yn(s.foreign_background), yn(minority)]
        migrant = (
            True
            if True in answers
            else ("declined" if "declined" in answers else (False if False in answers else None))
        )
        disadvantaged_parts = [yn(s.household_jobless), yn(s.household_single_adult), migrant,
                               yn(disability), yn(s.other_disadvantage), yn(s.homeless)]  # fmt: skip
        disadvantaged = (
            True
            if True in disadvantaged_parts
            else (
                "declined"
                if "declined" in disadvantaged_parts
                else (False if False in disadvantaged_parts else None)
            )
        )
        qualification = s.qualification_gained_on is not None and s.qualification_gained_on <= END
        results = [s.exit_job_searching, s.exit_in_education, qualification, s.exit_employed]
        any_result = True in results
        if school.programme_period == "2014-2020":
            count("CO01", s, lms and lms in ("unemployed", "long_term_unemployed"))
            count("CO02", s, lms and lms == "long_term_unemployed")
            count("CO03", s, lms and lms.startswith("inactive"))
            count("CO04", s, lms and lms == "inactive")
            count("CO05", s, lms and lms == "employed")
            count("CO06", s, None if years is None else years <= 24)
            count("CO07", s, None if years is None else years >= 55)
            count(
                "CO08",
                s,
                None
                if years is None or lms is None
                else (years >= 55 and lms in ("unemployed", "long_term_unemployed", "inactive")),
            )
            count("CO09", s, None if s.isced_level is None else s.isced_level in (1, 2))
            count("CO10", s, None if s.isced_level is None else s.isced_level in (3, 4))
            count("CO11", s, None if s.isced_level is None else s.isced_level >= 5)
            count("CO12", s, yn(s.household_jobless))
            jobless, children = yn(s.household_jobless), yn(s.household_dependent_children)
            count(
                "CO13",
                s,
                True
                if (jobless is True and children is True)
                else (
                    False
                    if False in (jobless, children)
                    else ("declined" if "declined" in (jobless, children) else None)
                ),
            )
            count("CO14", s, yn(s.household_single_adult))
            if special:
                count("CO15", s, migrant)
                count("CO16", s, yn(disability))
            count("CO17", s, yn(s.other_disadvantage))
            count("CO18", s, yn(s.homeless))
            count("CO19", s, s.rural_area)
            count(
                "CR01",
                s,
                (lms is not None and lms.startswith("inactive") and s.exit_job_searching is True)
                if left
                else None,
            )
            count("CR02", s, s.exit_in_education if left else None)
            count("CR03", s, qualification if left else None)
            count("CR04", s, s.exit_employed if left else None)
            if special:
                count(
                    "CR05",
                    s,
                    (
                        True
                        if disadvantaged is True and any_result
                        else (
                            "declined"
                            if disadvantaged == "declined" and any_result
                            else (None if disadvantaged is None else False)
                        )
                    )
                    if left
                    else None,
                )
        else:
            count("EECO01", s, True)
            count("EECO02", s, lms and lms in ("unemployed", "long_term_unemployed"))
            count("EECO03", s, lms and lms == "long_term_unemployed")
            count("EECO04", s, lms and lms.startswith("inactive"))
            count("EECO05", s, lms and lms == "employed")
            count("EECO06", s, None if years is None else years <= 17)
            count("EECO07", s, None if years is None else 18 <= years < 30)
            count("EECO08", s, None if years is None else years > 54)
            count("EECO09", s, None if s.isced_level is None else s.isced_level <= 2)
            count("EECO10", s, None if s.isced_level is None else s.isced_level in (3, 4))
            count("EECO11", s, None if s.isced_level is None else s.isced_level >= 5)
            if special:
                count("EECO12", s, yn(disability))
                count("EECO15", s, yn(minority))
            count("EECO13", s, third)
            count("EECO14", s, yn(s.foreign_background))
            count("EECO16", s, yn(s.homeless))
            count("EECO17", s, s.rural_area)
            count("EECR01", s, s.exit_job_searching if left else None)
            count("EECR02", s, s.exit_in_education if left else None)
            count("EECR03", s, qualification if left else None)
            count("EECR04", s, s.exit_employed if left else None)
    return counts, rows


def sheet_rows(book, name):
    return [list(row) for row in book[name].iter_rows(values_only=True)]


def indicator_table(book):
    rows = sheet_rows(book, "Indicators")
    start = next(i for i, row in enumerate(rows) if row[:2] == ["Code", "Indicator"])
    table = {}
    for row in rows[start + 1 :]:
        if not row or not any(row):
            break  # the table ends at the first empty row
        table[row[0] or "participants"] = row
    return table


@pytest.mark.parametrize("period", ["2014-2020", "2021-2027"])
@pytest.mark.parametrize("special", [True, False])
def test_every_indicator_matches_an_independent_count(tmp_path, school, data, period, special):
    school.programme_period = period
    school.save()
    book = build(tmp_path, school, special=special)
    assert book.sheetnames == ["Participants", "Indicators"]
    counts, flags = expected(school, special)
    table = indicator_table(book)
    participants = records(school)
    by_gender = Counter(s.gender for s, *_ in participants.values())
    assert table["participants"][2:7] == [len(participants), *[by_gender[g] for g in GENDERS]]
    for code, counter in counts.items():
        row = table[code]
        genders = [counter[g] for g in GENDERS]
        assert row[2:9] == [sum(genders), *genders, counter["declined"], counter["unknown"]], code
    # Every indicator of the period is listed; special-category ones only for those allowed.
    special_codes = {"CO15", "CO16", "CR05", "EECO12", "EECO15"}
    listed = {code for code in table if code != "participants" and not code.startswith("Check")}
    for code in listed - set(counts):
        assert table[code][2] is None, code
        assert table[code][9], code  # a note says why
    if not special:
        assert special_codes & listed <= {c for c in listed if table[c][2] is None}
    # The participants sheet: one row per participant, with the same flags.
    rows = sheet_rows(book, "Participants")
    heading, body = rows[0], rows[1:]
    assert len(body) == len(participants)
    assert ("Minority" in heading) is special and ("Disability" in heading) is special
    for row in body:
        record = dict(zip(heading, row, strict=True))
        s, entry, exit_, hours = participants[record["Participant id"]]
        assert record["Operation code"] == school.operation_code
        assert record["Entry date"].date() == entry
        assert (record["Exit date"].date() if record["Exit date"] else None) == exit_
        assert record["Age at entry"] == age(s.date_of_birth, entry)
        assert Decimal(str(record["Hours attended"])) == hours
        for code, value in flags[s.pk].items():
            assert record[code] == value, (code, s.pk)


def test_rules_at_the_edges(tmp_path, school, data):
    school.programme_period = "2014-2020"
    school.save()
    rows = sheet_rows(build(tmp_path, school), "Participants")
    by_id = {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    reentry = by_id[data["reentry"].pk]
    assert reentry["Age at entry"] == 25 and reentry["CO06"] == 0  # 25 is not "below 25"
    assert reentry["Cycles"] == "SPRING, AUTUMN" and reentry["Exit date"] is None
    assert reentry["Entry date"].date() == dt.date(2026, 1, 12)
    assert reentry["Hours attended"] == 7  # 3 present + 2 late + 2 present; excused does not count
    assert reentry["CO13"] == "declined"  # jobless, dependent children declined
    fifty_four = by_id[data["fifty_four"].pk]
    assert fifty_four["Age at entry"] == 54 and fifty_four["CO07"] == 0
    assert fifty_four["CO18"] == "declined" and fifty_four["CR01"] == 1
    fifty_five = by_id[data["fifty_five"].pk]
    assert fifty_five["Age at entry"] == 55 and fifty_five["CO07"] == 1 and fifty_five["CO08"] == 1
    assert fifty_five["CR03"] == 1 and fifty_five["Certificate number"] == "GR-0001"
    assert fifty_five["Certificate gained on"].date() == dt.date(2026, 7, 20)
    table = indicator_table(build(tmp_path, school))
    # One labour-market status each: the three statuses add up, except the one never asked.
    assert table["CO01"][2] + table["CO03"][2] + table["CO05"][2] == table["participants"][2] - 1


def test_certificate_does_not_count_when_the_school_says_so(tmp_path, school, data):
    school.programme_period = "2014-2020"
    school.qualification_counts_as_result = False
    school.save()
    table = indicator_table(build(tmp_path, school))
    assert table["CR03"][2] == 0 and "does not count" in table["CR03"][9]


def test_one_cycle_only(tmp_path, school, data):
    book = build(tmp_path, school, cycle_code="AUTUMN")
    ids = {row[1] for row in sheet_rows(book, "Participants")[1:]}
    assert data["reentry"].pk in ids and data["fifty_five"].pk not in ids
    assert len(ids) == 3


def test_a_period_without_participants_says_so(tmp_path, school):
    book = build(tmp_path, school)
    rows = sheet_rows(book, "Participants")
    assert "No participant in this period" in rows[1][0]
    assert indicator_table(book)["participants"][2] == 0


def test_lessons_of_another_period_do_not_add_hours(tmp_path, school, data):
    for n, lesson in enumerate(Lesson.objects.filter(cycle__code="SPRING")):
        lesson.date = dt.date(2025, 12, 1 + n)
        lesson.save()
    rows = sheet_rows(build(tmp_path, school), "Participants")
    by_id = {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_id[data["reentry"].pk]["Hours attended"] == 2
