from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from courses.imports import report_workbook, students_import
from courses.models import Cycle
from school.models import School


class Command(BaseCommand):
    help = "Import applicants from an .xlsx sheet (see the README for its columns), optionally into a cycle."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--cycle", help="enroll (or waitlist) every imported student in this cycle"
        )
        parser.add_argument(
            "--school", type=int, help="the school's id (needed when there are several)"
        )
        parser.add_argument(
            "--report", type=Path, help="also write the per-row report to this .xlsx"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        school = self._school(options["school"])
        cycle = None
        if options["cycle"]:
            cycle = Cycle.objects.filter(school=school, code=options["cycle"]).first()
            if cycle is None:
                raise CommandError(f"{school.name} has no cycle {options['cycle']}.")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        with path.open("rb") as upload:
            report = students_import(school=school, upload=upload, cycle=cycle)
        for problem in report.problems:
            self.stdout.write(f"row {problem.row}: {problem.field}: {problem.message}")
        self.stdout.write(
            f"Imported {report.created}, already there {report.already_there}, "
            f"enrolled {report.enrolled}, waitlisted {report.waitlisted}, rows rejected {report.rejected_rows}."
        )
        if options["report"]:
            options["report"].write_bytes(report_workbook(report))
        if report.problems and report.problems[0].row == 0:
            raise CommandError(report.problems[0].message)

    def _school(self, school_id: int | None) -> School:
        if school_id is not None:
            school = School.objects.filter(pk=school_id).first()
            if school is None:
                raise CommandError(f"No school with id {school_id}.")
            return school
        schools = list(School.objects.all()[:2])
        if len(schools) != 1:
            raise CommandError("Name the school with --school ID.")
        return schools[0]
