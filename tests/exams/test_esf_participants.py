"""The ESF participants workbook against an independent recomputation of every indicator over
the raw fixture data, on participants built to hit each counting rule of DOMAIN.md §2: entry
vs active, an exit answered late, two exits of one student, a status changed after entry, two
adjacent periods adding up to their union, the under-25 and 25+ long-term thresholds, a
re-entry into the same operation and a new operation."""

import datetime as dt
from collections import Counter

import pytest
from openpyxl import load_workbook

from school.models import EU_MEMBER_STATES, Operation
from school.reports import ReportRequest, report_write
from school.services import participation as participations
from tests.factories import CycleFactory, EnrollmentFactory, StudentFactory, on_factory_day

pytestmark = [pytest.mark.django_db, on_factory_day]
GENDERS = ["female", "male", "other", "undisclosed"]
D = dt.date
Q1, Q2, Q3 = (
    (D(2026, 1, 1), D(2026, 3, 31)),
    (D(2026, 4, 1), D(2026, 6, 30)),
    (D(2026, 7, 1), D(2026, 9, 30)),
)
H1 = (D(2026, 1, 1), D(2026, 6, 30))
YEAR = (D(2026, 1, 1), D(2026, 11, 23))
NO_ANSWERS = {
    "household_jobless": "no", "household_dependent_children": "no",
    "household_single_adult": "no", "foreign_background": "no", "other_disadvantage": "no",
    "homeless": "no", "rural_area": False, "isced_level": 3,
}  # fmt: skip

# The raw fixture: each participant of the new operation as plain data.
PEOPLE = [
    # Entrant in Q1, 23 at entry, 8 months unemployed: long-term (more than 6 under 25).
    {"key": "young", "gender": "female", "born": D(2002, 6, 1), "entries": [D(2026, 1, 12)],
     "answers": {"labour_market_status": "unemployed", "unemployed_months": 8}},
    # Entrant in Q1, 30 at entry, 8 months: not long-term (more than 12 from 25).
    {"key": "thirty", "gender": "male", "born": D(1995, 6, 1), "entries": [D(2026, 2, 2)],
     "answers": {"labour_market_status": "unemployed", "unemployed_months": 8,
                 "household_jobless": "yes", "household_dependent_children": "declined"}},
    # 25+ and 13 months: long-term; a single adult, homeless declined; left in Q1 answering on time.
    {"key": "long", "gender": "other", "born": D(1980, 1, 1), "entries": [D(2026, 1, 12)],
     "answers": {"labour_market_status": "unemployed", "unemployed_months": 13,
                 "household_single_adult": "yes", "homeless": "declined"},
     "exits": [(D(2026, 3, 20), "completed", D(2026, 4, 10), {"employed": True, "in_education": False, "job_searching": False})]},
    # Active in 2026 but entered in 2025: never an entrant of 2026; left in Q2 answering on time.
    {"key": "active", "gender": "female", "born": D(1990, 1, 1), "entries": [D(2025, 11, 3)],
     "answers": {"labour_market_status": "inactive_in_education"},
     "exits": [(D(2026, 5, 15), "withdrew", D(2026, 5, 20), {"in_education": True, "employed": False, "job_searching": True})]},
    # Left in Q1, answered 35 days later: late, so "not collected".
    {"key": "late", "gender": "male", "born": D(1985, 3, 3), "entries": [D(2026, 1, 19)],
     "answers": {"labour_market_status": "employed", "foreign_background": "yes"},
     "exits": [(D(2026, 3, 2), "found_work", D(2026, 4, 6), {"employed": True})]},
    # Two exits, re-entry in the same operation: one participant, the last exit and its answers.
    {"key": "twice", "gender": "female", "born": D(1970, 1, 1), "entries": [D(2026, 1, 12), D(2026, 4, 6)],
     "answers": {"labour_market_status": "inactive"},
     "exits": [(D(2026, 2, 20), "withdrew", D(2026, 2, 25), {"employed": True}),
               (D(2026, 5, 29), "completed", D(2026, 6, 5), {"employed": False, "job_searching": True})]},
    # Re-entered after an exit and still in: has not left.
    {"key": "back", "gender": "male", "born": D(2000, 9, 9), "entries": [D(2026, 1, 12), D(2026, 10, 5)],
     "answers": {"labour_market_status": "employed"},
     "exits": [(D(2026, 3, 27), "completed", D(2026, 3, 30), {"employed": True})]},
    # 55 at entry in Q2, disability yes, minority declined; left in Q3; followed up in time.
    {"key": "senior", "gender": "undisclosed", "born": D(1971, 4, 1), "entries": [D(2026, 4, 6)],
     "answers": {"labour_market_status": "unemployed", "unemployed_months": 2, "disability": "yes",
                 "minority": "declined", "rural_area": True},
     "exits": [(D(2026, 1 + 6, 3), "withdrew", D(2026, 7, 10), {"job_searching": True})]},
    # Left in January; the six months fall in Q3, answered within the window.
    {"key": "followed", "gender": "female", "born": D(1992, 2, 2), "entries": [D(2026, 1, 5)],
     "answers": {"labour_market_status": "unemployed", "unemployed_months": 3},
     "exits": [(D(2026, 1, 30), "moved", D(2026, 2, 2), {"employed": False})],
     "follow_up": (D(2026, 8, 10), {"employed": True, "improved_situation": True})},
    # Left in February; follow-up answered far outside the window: unknown.
    {"key": "unfollowed", "gender": "male", "born": D(1992, 2, 2), "entries": [D(2026, 1, 5)],
     "answers": {"labour_market_status": "employed"},
     "exits": [(D(2026, 2, 15), "withdrew", None, {})],
     "follow_up": (D(2026, 10, 1), {"employed": True, "improved_situation": False})},
    # No entry answers at all: every output unknown.
    {"key": "silent", "gender": "male", "born": None, "entries": [D(2026, 5, 4)], "answers": None},
    # In the earlier operation too: a new participation here, with its own (new) answers.
    {"key": "again", "gender": "female", "born": D(1988, 8, 8), "entries": [D(2026, 2, 2)],
     "answers": {"labour_market_status": "employed"}, "earlier": True},
]  # fmt: skip


def answers_of(person):
    if person["answers"] is None:
        return None
    return {**NO_ANSWERS, **person["answers"]}


@pytest.fixture
def world(school):
    earlier = Operation.objects.create(
        school=school, code="MIS-2019", programme_period="2014-2020", starts_on=D(2019, 1, 1),
        ends_on=D(2025, 12, 31),
    )  # fmt: skip
    operation = Operation.objects.create(
        school=school, code="MIS-2026", programme_period="2021-2027", starts_on=D(2025, 9, 1)
    )
    cycle = CycleFactory(school=school, code="A1-2026", operation=operation)
    students = {}
    for person in PEOPLE:
        student = StudentFactory(
            school=school, gender=person["gender"], date_of_birth=person["born"], nationality="SY"
        )
        students[person["key"]] = student
        EnrollmentFactory(cycle=cycle, student=student, entry_date=person["entries"][0])
        if person.get("earlier"):
            before = participations.participation_entered(
                student=student, operation=earlier, first_entry=D(2019, 3, 4),
                last_entry=D(2019, 3, 4),
            )  # fmt: skip
            participations.entry_answers_record(
                before, {"labour_market_status": "inactive"}, answered_on=D(2019, 3, 4)
            )
            participations.exit_record(before, date=D(2019, 6, 28), reason="completed")
        participation = participations.participation_entered(
            student=student, operation=operation, first_entry=person["entries"][0],
            last_entry=person["entries"][-1],
        )  # fmt: skip
        if person["answers"] is not None:
            participations.entry_answers_record(
                participation, answers_of(person), answered_on=person["entries"][0]
            )
        for day, reason, answered_on, answers in person.get("exits", []):
            exit_ = participations.exit_record(participation, date=day, reason=reason)
            if answered_on is not None:
                participations.exit_answers_record(exit_, answers, answered_on=answered_on)
        if "follow_up" in person:
            answered_on, answers = person["follow_up"]
            participations.follow_up_record(exit_, answers, answered_on=answered_on)
    # A status changed after entry: the record moves on, the entry answers do not.
    students["young"].labour_market_status = "employed"
    students["young"].save()
    operation.students = students  # type: ignore[attr-defined]
    return operation


# -- the independent computation ----------------------------------------------------------------


def age(born, day):
    if born is None:
        return None
    return day.year - born.year - (1 if (day.month, day.day) < (born.month, born.day) else 0)


def yn(value):
    return {"yes": True, "no": False, "declined": "declined"}.get(value)


def either(*values):
    if True in values:
        return True
    if "declined" in values:
        return "declined"
    return False if False in values else None


def both(*values):
    if all(v is True for v in values):
        return True
    if False in values:
        return False
    return "declined" if "declined" in values else None


def facts(person):
    """What the rules need, worked out from the raw data by hand."""
    entry = person["entries"][0]
    answers = answers_of(person) or {}
    years = age(person["born"], entry)
    status = answers.get("labour_market_status")
    months = answers.get("unemployed_months")
    if status == "unemployed" and months is not None:
        limit = 6 if years is not None and years < 25 else 12
        status = "long_term_unemployed" if months > limit else "unemployed"
    exits = sorted(person.get("exits", []))
    last = exits[-1] if exits else None
    if last is not None and last[0] < person["entries"][-1]:
        last = None  # re-entered after it
    on_time = last is not None and last[2] is not None and 0 <= (last[2] - last[0]).days <= 28
    exit_answers = last[3] if on_time else None
    due = follow = None
    if last is not None:
        month = last[0].month + 6
        due = last[0].replace(year=last[0].year + (month - 1) // 12, month=(month - 1) % 12 + 1)
        if "follow_up" in person and abs((person["follow_up"][0] - due).days) <= 28:
            follow = person["follow_up"][1]
    has = bool(answers)
    third = True  # every participant here is Syrian
    return {
        "entry": entry, "exit": last[0] if last else None, "due": due, "years": years,
        "status": status if has else None, "answers": answers, "has": has,
        "exit_answers": exit_answers, "follow": follow, "third": third, "gender": person["gender"],
    }  # fmt: skip


def output_flags(f):
    a, s, y = f["answers"], f["status"], f["years"]
    has = f["has"]

    def st(*names):
        return None if s is None else s in names

    isced = a.get("isced_level") if has else None
    return {
        "EECO01": True,
        "EECO02": st("unemployed", "long_term_unemployed"),
        "EECO03": st("long_term_unemployed"),
        "EECO04": st("inactive", "inactive_in_education"),
        "EECO05": st("employed"),
        "EECO06": None if y is None else y < 18,
        "EECO07": None if y is None else 18 <= y <= 29,
        "EECO08": None if y is None else y >= 55,
        "EECO09": None if isced is None else isced <= 2,
        "EECO10": None if isced is None else 3 <= isced <= 4,
        "EECO11": None if isced is None else isced >= 5,
        "EECO12": yn(a.get("disability")),
        "EECO13": f["third"],
        "EECO14": yn(a.get("foreign_background")),
        "EECO15": yn(a.get("minority")),
        "EECO16": yn(a.get("homeless")),
        "EECO17": a.get("rural_area") if has else None,
    }


def result_flags(f):
    e = f["exit_answers"]
    follow = f["follow"]
    return {
        "EECR01": None if e is None else e.get("job_searching"),
        "EECR02": None if e is None else e.get("in_education"),
        "EECR03": None if f["exit"] is None else False,  # nobody here gained a certificate
        "EECR04": None if e is None else e.get("employed"),
        "EECR05": None if follow is None else follow.get("employed"),
        "EECR06": None if follow is None else follow.get("improved_situation"),
    }


def expected(start, end):
    """{code: Counter(gender / 'declined' / 'unknown')} and the group sizes, by hand."""
    counts: dict[str, Counter] = {}
    groups = Counter()
    for person in PEOPLE:
        f = facts(person)
        flags = {}
        if start <= f["entry"] <= end:
            groups["entered"] += 1
            flags.update(output_flags(f))
        if f["exit"] is not None and start <= f["exit"] <= end:
            groups["left"] += 1
            flags.update({k: v for k, v in result_flags(f).items() if k <= "EECR04"})
        if f["due"] is not None and start <= f["due"] <= end:
            groups["six months"] += 1
            flags.update({k: v for k, v in result_flags(f).items() if k >= "EECR05"})
        for code, value in flags.items():
            key = {True: f["gender"], "declined": "declined", None: "unknown"}.get(value)
            counts.setdefault(code, Counter())
            if key is not None:
                counts[code][key] += 1
    return counts, groups


# -- the workbook ---------------------------------------------------------------------------------


def build(tmp_path, school, period, special=True, **extra):
    path = tmp_path / "esf.xlsx"
    request = ReportRequest(
        school=school, start=period[0], end=period[1], special_category=special, **extra
    )
    report_write(kind="esf-participants", request=request, path=str(path), progress=lambda p: None)
    return load_workbook(path)


def sheet_rows(book, name):
    return [list(row) for row in book[name].iter_rows(values_only=True)]


def indicator_table(book):
    rows = sheet_rows(book, "Indicators")
    start = next(i for i, row in enumerate(rows) if row[:2] == ["Code", "Indicator"])
    table = {}
    for row in rows[start + 1 :]:
        if not row or not any(row):
            break
        table[row[0] or row[1]] = row
    return table


CODES = [*output_flags(facts(PEOPLE[0])), *result_flags(facts(PEOPLE[0]))]


@pytest.mark.parametrize("period", [Q1, Q2, Q3, H1, YEAR])
def test_every_indicator_matches_an_independent_count(tmp_path, school, world, period):
    book = build(tmp_path, school, period)
    assert book.sheetnames == ["Participants", "Indicators", "Missing data"]
    table = indicator_table(book)
    counts, groups = expected(*period)
    assert table["Participants who entered"][2] == groups["entered"]
    assert table["Participants who left"][2] == groups["left"]
    assert table["Participants six months after leaving"][2] == groups["six months"]
    for code in CODES:
        counter = counts.get(code, Counter())
        genders = [counter[g] for g in GENDERS]
        assert table[code][2:9] == [
            sum(genders),
            *genders,
            counter["declined"],
            counter["unknown"],
        ], code
        assert table[code][11] == "yes", code  # yes + no + declined + unknown = the group
    # Cumulative since the operation began: the same count from its start.
    cumulative, _groups = expected(world.starts_on, period[1])
    for code in CODES:
        assert table[code][9] == sum(cumulative.get(code, Counter())[g] for g in GENDERS), code
    rows = sheet_rows(book, "Participants")
    assert rows[1][0] == "MIS-2026" or "No participant" in rows[1][0]


def test_two_adjacent_periods_add_up_to_their_union(tmp_path, school, world):
    tables = [indicator_table(build(tmp_path, school, period)) for period in (Q1, Q2, H1)]
    for code in CODES:
        q1, q2, h1 = (t[code][2:9] for t in tables)
        assert [a + b for a, b in zip(q1, q2, strict=True)] == h1, code


def test_rules_at_the_edges(tmp_path, school, world):
    rows = sheet_rows(build(tmp_path, school, YEAR), "Participants")
    keys = {student.pk: key for key, student in world.students.items()}
    by_key = {}
    for row in rows[1:]:
        record = dict(zip(rows[0], row, strict=True))
        by_key[keys[record["Participant id"]]] = record
    assert by_key["young"]["EECO03"] == 1  # long-term at 23 with 8 months
    assert by_key["young"]["Labour-market status"] == "Long-term unemployed"  # not the record's
    assert by_key["thirty"]["EECO03"] == 0  # not long-term at 30 with 8 months
    assert by_key["late"]["EECR04"] == "not collected"
    assert by_key["twice"]["Exit date"].date() == D(2026, 5, 29)
    assert by_key["twice"]["EECR04"] == 0  # the last exit's answers, not the first's
    assert by_key["back"]["Exit date"] is None  # re-entered: has not left
    assert by_key["again"]["EECO05"] == 1  # this operation's answers, not the earlier ones
    assert by_key["silent"]["EECO02"] is None
    assert by_key["senior"]["EECO08"] == 1
    missing = sheet_rows(build(tmp_path, school, YEAR), "Missing data")
    lacking = {keys[row[0]]: row[3] for row in missing[1:]}
    assert "entry answers" in lacking["silent"]
    assert "late" in lacking["late"]
    assert "exit answers" in lacking["unfollowed"] and "young" not in lacking


def test_special_category_indicators_need_the_opt_in(tmp_path, school, world):
    table = indicator_table(build(tmp_path, school, YEAR, special=False))
    for code in ("EECO12", "EECO15"):
        assert table[code][2] is None and "Special-category" in table[code][12]
    heading = sheet_rows(build(tmp_path, school, YEAR, special=False), "Participants")[0]
    assert "Disability" not in heading


def test_one_cycle_only(tmp_path, school, world):
    other = CycleFactory(school=school, code="A2-2026", operation=world)
    student = StudentFactory(school=school)
    EnrollmentFactory(cycle=other, student=student, entry_date=D(2026, 2, 2))
    participations.participation_entered(
        student=student, operation=world, first_entry=D(2026, 2, 2), last_entry=D(2026, 2, 2)
    )
    ids = {
        row[1]
        for row in sheet_rows(build(tmp_path, school, YEAR, cycle_code="A2-2026"), "Participants")[
            1:
        ]
    }
    assert ids == {student.pk}


def test_a_period_without_participants_says_so(tmp_path, school):
    book = build(tmp_path, school, Q1)
    assert "No participant in this period" in sheet_rows(book, "Participants")[1][0]
    assert indicator_table(book)["Participants who entered"][2] == 0


def test_third_country_nationals_are_not_eu_citizens():
    assert "SY" not in EU_MEMBER_STATES and "GR" in EU_MEMBER_STATES
