"""Importing a round's results from a workbook (exams.imports.results_import)."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from exams.imports import results_import
from exams.models import ExamRegistration
from tests.exams.candidates import SKILLS
from tests.factories import ExamRegistrationFactory, ExamRoundFactory

pytestmark = pytest.mark.django_db


def results_sheet(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["first_name", "last_name", "date_of_birth", *SKILLS, "certificate_number"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def test_results_import_reports_every_row(school):
    exam_round = ExamRoundFactory(school=school)
    a = ExamRegistrationFactory(
        exam_round=exam_round,
        student__first_name="Amina",
        student__last_name="Haddad",
        student__date_of_birth=dt.date(1990, 4, 1),
    )
    b = ExamRegistrationFactory(
        exam_round=exam_round,
        student__first_name="Omid",
        student__last_name="Nouri",
        student__date_of_birth=dt.date(1985, 1, 2),
    )
    rows = [
        ["Amina", "Haddad", dt.datetime(1990, 4, 1), 20, 20, 20, 20, "GR-1"],
        ["omid", "NOURI", "1985-01-02", 25, 30, 20, 20, None],  # writing out of range
        ["Nobody", "Known", "1999-01-01", 20, 20, 20, 20, None],
        ["Amina", "Haddad", "1990-04-01", 20, 20, 20, 20, None],  # twice
    ]
    report = results_import(exam_round=exam_round, upload=results_sheet(rows))
    assert report.recorded == 1
    assert [(p.row, p.field) for p in report.problems] == [
        (3, "writing"),
        (4, "candidate"),
        (5, "candidate"),
    ]
    assert a.__class__.objects.get(pk=a.pk).result.certificate_number == "GR-1"
    assert not hasattr(ExamRegistration.objects.get(pk=b.pk), "result")
    again = results_import(exam_round=exam_round, upload=results_sheet(rows[:1]))
    assert again.recorded == 1
    assert a.__class__.objects.get(pk=a.pk).result.history.count() == 2
