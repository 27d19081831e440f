"""Backups that restore (school.backups, manage.py backup and restore): a seeded school is backed
up, everything is dropped, and the restore brings back every row, the same ESF report and the
same pages; a damaged or foreign archive is refused before anything is touched."""

import datetime as dt
import difflib
import hashlib
import json
import re
import shutil
import tarfile
from io import BytesIO, StringIO
from pathlib import Path

import pyrage
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from openpyxl import load_workbook

from school.backups import MANIFEST, backup_create, backups_in, backups_prune
from school.models import Report, School, Student, User
from school.reports import ReportRequest, report_build, report_write
from tests.conftest import stored_files

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # The clock stands still: pages compared before and after must not cross a minute.
    pytest.mark.time_machine(dt.datetime(2026, 11, 24, 18, 0, tzinfo=dt.UTC), tick=False),
]
TODAY = "2026-11-24"
PAGES = {
    "coordinator": ["/office/", "/office/cycles/", "/office/at-risk/", "/office/exams/"],
    "teacher": ["/teach/"],
    "student": ["/me/"],
}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|csrftoken=[^;"]*')


def tables() -> list[str]:
    return sorted(connection.introspection.table_names())


def table_fingerprints() -> dict[str, tuple[int, str]]:
    """Every table's row count and a checksum of its rows (in a stable order)."""
    found = {}
    with connection.cursor() as cursor:
        for table in tables():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = sorted(repr(row) for row in cursor.fetchall())
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            found[table] = (len(rows), digest)
    return found


def esf_cells(tmp_path: Path, school: School) -> dict[str, list[tuple]]:
    path = tmp_path / f"esf-{len(list(tmp_path.glob('esf-*')))}.xlsx"
    request = ReportRequest(school=school, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    report_write(kind="esf-participants", request=request, path=str(path), progress=lambda p: 0)
    book = load_workbook(path, read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def pages(clients: dict[str, Client]) -> dict[str, str]:
    seen = {}
    for role, urls in PAGES.items():
        for url in urls:
            response = clients[role].get(url)
            assert response.status_code == 200, (role, url, response.status_code)
            seen[f"{role} {url}"] = CSRF.sub("", response.content.decode())
    return seen


def drop_everything(media: Path) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys = OFF")
        for table in tables():
            cascade = " CASCADE" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TABLE {connection.ops.quote_name(table)}{cascade}")
    shutil.rmtree(media)
    assert tables() == []


@pytest.fixture
def seeded_school(media, tmp_path):
    call_command("seed_demo", "--today", TODAY, verbosity=0, stdout=StringIO())
    school = School.objects.get()
    coordinator = User.objects.get(username="coordinator")
    report = Report.objects.create(
        school=school, kind="esf-participants", period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31), requested_by=coordinator,
    )  # fmt: skip
    assert report_build(report_id=report.pk) == "done"
    (media / "certificates").mkdir(exist_ok=True)
    (media / "certificates" / "extra-copy.pdf").write_bytes(b"%PDF-1.4 a certificate\n")
    return school


def test_a_seeded_school_backed_up_dropped_and_restored_is_the_same(
    seeded_school, media, tmp_path, settings
):
    clients = {}
    for role in PAGES:
        clients[role] = Client()
        clients[role].force_login(User.objects.get(username=role))
    pages_before = pages(clients)
    report_before = esf_cells(tmp_path, seeded_school)
    files_before = {p.relative_to(media): p.read_bytes() for p in stored_files(media)}
    before = table_fingerprints()
    assert before["courses_attendance"][0] > 100 and before["school_student"][0] >= 60

    out = StringIO()
    call_command("backup", "--to", str(tmp_path / "backups"), stdout=out)
    archive = Path(out.getvalue().strip())
    assert archive.parent == tmp_path / "backups"
    assert re.fullmatch(r"school-office-2026-11-24-\d{6}\.tar", archive.name)
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile(MANIFEST))  # type: ignore[arg-type]
    assert manifest["tables"] == {table: rows for table, (rows, _) in before.items()}
    assert "courses.0001_initial" in manifest["migrations"]
    assert manifest["database"] == connection.vendor
    assert {"media/certificates/extra-copy.pdf"} < set(manifest["files"])

    drop_everything(media)

    out = StringIO()
    call_command("restore", str(archive), stdout=out)
    rows = sum(rows for rows, _ in before.values())
    assert f"{len(before)} tables, {rows} rows, {len(files_before)} files." in out.getvalue()
    assert table_fingerprints() == before
    assert {p.relative_to(media): p.read_bytes() for p in stored_files(media)} == files_before
    assert esf_cells(tmp_path, School.objects.get()) == report_before
    pages_after = pages(clients)
    for page, html in pages_before.items():
        diff = "\n".join(
            difflib.unified_diff(
                html.splitlines(), pages_after[page].splitlines(), lineterm="", n=1
            )
        )
        assert not diff, f"{page} differs after the restore:\n{diff}"


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(seeded_school, tmp_path):
    archive = backup_create(directory=tmp_path)
    student = Student.objects.filter(school=seeded_school).first()
    student.first_name = "Changed"
    student.save()
    with pytest.raises(CommandError, match="empty database"):
        call_command("restore", str(archive), stdout=StringIO())
    student.refresh_from_db()
    assert student.first_name == "Changed"

    call_command("restore", str(archive), "--force", stdout=StringIO())
    student.refresh_from_db()
    assert student.first_name != "Changed"


def test_a_damaged_archive_is_refused_before_anything_is_touched(seeded_school, tmp_path):
    archive = backup_create(directory=tmp_path)
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "media/certificates/extra-copy.pdf":
                data = data.replace(b"certificate", b"forgery!!!!")
            member.size = len(data)
            target.addfile(member, BytesIO(data))
    before = table_fingerprints()
    with pytest.raises(CommandError, match=r"Checksum of media/certificates/extra-copy\.pdf"):
        call_command("restore", str(damaged), "--force", stdout=StringIO())
    assert table_fingerprints() == before


def test_an_encrypted_backup_needs_its_key(seeded_school, tmp_path, settings):
    key = str(pyrage.x25519.Identity.generate())
    settings.BACKUP_KEY = key
    archive = backup_create(directory=tmp_path)
    assert archive.name.endswith(".tar.age")
    assert not tarfile.is_tarfile(archive)
    before = table_fingerprints()

    settings.BACKUP_KEY = str(pyrage.x25519.Identity.generate())
    with pytest.raises(CommandError, match="cannot be decrypted"):
        call_command("restore", str(archive), "--force", stdout=StringIO())
    settings.BACKUP_KEY = ""
    with pytest.raises(CommandError, match="set BACKUP_KEY"):
        call_command("restore", str(archive), "--force", stdout=StringIO())

    settings.BACKUP_KEY = key
    call_command("restore", str(archive), "--force", stdout=StringIO())
    assert table_fingerprints() == before


def test_the_nightly_job_keeps_seven_daily_and_four_weekly_archives(tmp_path):
    # Two archives a day for 60 days, the newest on Tuesday 24 November 2026.
    newest = dt.datetime(2026, 11, 24, 1, 0)
    for day in range(60):
        for hour in (1, 13):
            when = newest - dt.timedelta(days=day) + dt.timedelta(hours=hour - 1)
            (tmp_path / f"school-office-{when:%Y-%m-%d-%H%M%S}.tar").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("not an archive")

    backups_prune(directory=tmp_path, keep_daily=7, keep_weekly=4)

    kept = [when for when, _path in backups_in(tmp_path)]
    # The newest of each of the last 7 days (18-24 November) ...
    daily = [dt.datetime(2026, 11, day, 13, 0) for day in range(24, 17, -1)]
    # ... and of each of the last 4 weeks: this week and last week are among the days; then
    # Sundays 15 and 8 November.
    weekly = [dt.datetime(2026, 11, 15, 13, 0), dt.datetime(2026, 11, 8, 13, 0)]
    assert kept == daily + weekly
    assert (tmp_path / "notes.txt").exists()
