"""The exam results workbook: points per skill, results, pass rates by level and cycle, charts."""

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from exams.models import ExamResult, ExamScheme
from exams.services import exam_result_record
from school.reports import ReportRequest, report_write
from tests.factories import CycleFactory, ExamRegistrationFactory, ExamRoundFactory, level

pytestmark = pytest.mark.django_db
START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
SKILLS = ("reading", "writing", "listening", "speaking")


def build(tmp_path, school, **extra):
    path = tmp_path / "results.xlsx"
    request = ReportRequest(school=school, start=START, end=END, **extra)
    report_write(kind="exam-results", request=request, path=str(path), progress=lambda p: None)
    return load_workbook(path)


@pytest.fixture
def rounds(school):
    a1 = ExamRoundFactory(school=school, name="A1 May 2026", exam_date=dt.date(2026, 5, 16),
                          registration_deadline=dt.date(2026, 3, 31))  # fmt: skip
    a2 = ExamRoundFactory(
        school=school, name="A2 May 2026", exam_date=dt.date(2026, 5, 17),
        registration_deadline=dt.date(2026, 3, 31),
        scheme=ExamScheme.objects.get(exam_type__code="ellinomatheia", level__code="A2"),
    )  # fmt: skip
    ExamRoundFactory(school=school, name="A1 May 2025", exam_date=dt.date(2025, 5, 16),
                     registration_deadline=dt.date(2025, 3, 31))  # fmt: skip
    north = CycleFactory(school=school, code="NORTH")
    south = CycleFactory(school=school, code="SOUTH", level=level("A2"))
    plans = [
        (a1, north, dict.fromkeys(SKILLS, 20)),  # pass
        (a1, north, {**dict.fromkeys(SKILLS, 24), "writing": Decimal("14.5")}),  # fail: writing
        (a1, south, dict.fromkeys(SKILLS, 25)),  # pass, excellent
        (a2, south, dict.fromkeys(SKILLS, 16)),  # pass
        (a2, south, dict.fromkeys(SKILLS, 10)),  # fail
    ]
    for exam_round, cycle, points in plans:
        registration = ExamRegistrationFactory(exam_round=exam_round, cycle=cycle)
        exam_result_record(registration=registration, points=points)
    ExamRegistrationFactory(exam_round=a2, cycle=south)  # registered, no result yet
    return a1, a2


def rows_of(book, name):
    return [list(row) for row in book[name].iter_rows(values_only=True)]


def test_results_per_round_and_pass_rates_with_charts(tmp_path, school, rounds):
    book = build(tmp_path, school)
    assert book.sheetnames == ["Pass rates", "A1 May 2026", "A2 May 2026"]
    for exam_round in rounds:
        rows = rows_of(book, exam_round.name)
        heading = rows[3]
        assert heading[4:8] == ["Reading", "Writing", "Listening", "Speaking"]
        body = [row for row in rows[4:] if row and isinstance(row[0], int)]
        results = {
            r.registration.student_id: r
            for r in ExamResult.objects.filter(registration__exam_round=exam_round)
        }
        assert len(body) == exam_round.registrations.count()
        for row in body:
            result = results.get(row[1])
            if result is None:
                assert row[10] == "no result"
                continue
            points = {s.skill.code: s.points for s in result.scores.select_related("skill")}
            assert row[4:8] == [float(points[skill]) for skill in SKILLS]
            assert row[8] == float(result.total) and row[9] == float(result.max_total)
            assert row[10] == ("pass" if result.passed else "fail")
        sat, passed = len(results), sum(r.passed for r in results.values())
        summary = {
            row[2]: row[3] for row in rows if row and row[2] in ("Sat", "Passed", "Pass rate")
        }
        assert summary == {
            "Sat": sat,
            "Passed": passed,
            "Pass rate": round(passed / sat, 4),
        }
        pass_rate = next(c for c in book[exam_round.name]["D"] if c.value == summary["Pass rate"])
        assert pass_rate.number_format == "0.0%"
        # Names in the attendance sheets' order and form: last name first.
        names = [row[2] for row in body]
        assert names == sorted(names)
        student = ExamResult.objects.filter(registration__exam_round=exam_round).first()
        full = f"{student.registration.student.last_name} {student.registration.student.first_name}"
        assert full in names

    rows = rows_of(book, "Pass rates")
    tables: dict[str, dict] = {}
    current = None
    for row in rows:
        if row and row[1] == "Candidates":
            current = tables.setdefault(row[0], {})
        elif current is not None and row and row[0]:
            current[row[0]] = row[1:4]
    # An independent count over the raw results.
    expected_level: dict[str, list[int]] = {}
    expected_cycle: dict[str, list[int]] = {}
    for result in ExamResult.objects.select_related(
        "registration__exam_round__scheme__level", "registration__cycle"
    ).filter(registration__exam_round__exam_date__range=(START, END)):
        for table, key in ((expected_level, result.registration.exam_round.scheme.level.code),
                           (expected_cycle, result.registration.cycle.code)):  # fmt: skip
            table.setdefault(key, [0, 0])
            table[key][0] += 1
            table[key][1] += result.passed
    for name, expected in (("By level", expected_level), ("By cycle", expected_cycle)):
        assert tables[name] == {key: [c, p, round(p / c, 4)] for key, (c, p) in expected.items()}
    assert tables["By level"] == {"A1": [3, 2, 0.6667], "A2": [2, 1, 0.5]}
    charts = book["Pass rates"]._charts
    assert len(charts) == 2 and all(chart.tagname == "barChart" for chart in charts)
    # The second chart starts below the first one's last row: they never overlap.
    first, second = (chart.anchor for chart in charts)
    assert second._from.row > first._from.row + first.ext.height / 360000 / 0.53  # EMU per cm


def test_one_cycle_only_and_empty_period(tmp_path, school, rounds):
    book = build(tmp_path, school, cycle_code="NORTH")
    rows = rows_of(book, "Pass rates")
    assert ["NORTH", 2, 1, 0.5] in [row[:4] for row in rows]
    assert all(row[0] != "SOUTH" for row in rows)
    empty = load_workbook(_empty(tmp_path, school), read_only=True)
    assert any(
        "No exam result in this period" in str(row[0])
        for row in empty["Pass rates"].iter_rows(values_only=True)
        if row
    )


def _empty(tmp_path, school):
    path = tmp_path / "empty.xlsx"
    request = ReportRequest(school=school, start=dt.date(2020, 1, 1), end=dt.date(2020, 12, 31))
    report_write(kind="exam-results", request=request, path=str(path), progress=lambda p: None)
    return path


def test_workbook_language_does_not_follow_whatever_is_active(tmp_path, school, rounds):
    from django.utils import translation

    with translation.override("el"):
        book = build(tmp_path, school)
    rows = rows_of(book, "A1 May 2026")
    assert [row[2] for row in rows[-3:]] == ["Sat", "Passed", "Pass rate"]
