"""The export_report command builds the same workbook as the report job, and says what is
wrong with its arguments."""

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def test_command_builds_the_same_workbook(school, participant, tmp_path):
    out = tmp_path / "esf.xlsx"
    call_command(
        "export_report", "esf-participants", "--from", "2026-01-01", "--to", "2026-12-31",
        "--school", str(school.pk), "-o", str(out), verbosity=0,
    )  # fmt: skip
    book = load_workbook(out)
    assert book.sheetnames == ["Participants", "Indicators", "Missing data"]
    assert [row[1] for row in book["Participants"].iter_rows(min_row=2, values_only=True)] == [
        participant.student_id
    ]
    for args, message in (
        (["nothing"], "Unknown report kind"),
        (["exam-results", "--cycle", "NOPE"], "No cycle NOPE"),
        (["esf-participants", "--special-category"], "needs --as"),
        (["esf-participants", "--special-category", "--as", "nobody"], "No user nobody"),
    ):
        with pytest.raises(CommandError, match=message):
            call_command(
                "export_report", *args[:1], "--from", "2026-01-01", "--to", "2026-12-31",
                "--school", str(school.pk), "-o", str(tmp_path / "x.xlsx"), *args[1:],
            )  # fmt: skip
    with pytest.raises(CommandError, match="starts after it ends"):
        call_command("export_report", "exam-results", "--from", "2026-12-31", "--to",
                     "2026-01-01", "-o", str(tmp_path / "x.xlsx"))  # fmt: skip
    assert not (tmp_path / "x.xlsx").exists()
