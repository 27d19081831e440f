import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from courses.models import Cycle
from school.models import School
from school.permissions import special_category_reader
from school.reports import (
    ReportRequest,
    report_kind,
    report_kinds,
    report_period_check,
    report_write,
)


class Command(BaseCommand):
    help = (
        "Build a funding report into an .xlsx file, here and now, with the same code as the "
        "background job: esf-participants, attendance-sheets or exam-results."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help=", ".join(kind.code for kind in report_kinds()))
        parser.add_argument("--from", dest="start", required=True, type=dt.date.fromisoformat)
        parser.add_argument("--to", dest="end", required=True, type=dt.date.fromisoformat)
        parser.add_argument("--cycle", default="", help="only this cycle (its code)")
        parser.add_argument("--school", type=int, help="the school's id (needed with several)")
        parser.add_argument(
            "--special-category",
            action="store_true",
            help="include disability and minority (special-category data); off by default; "
            "needs --as",
        )
        parser.add_argument(
            "--as",
            dest="reader",
            metavar="USERNAME",
            help="the coordinator the special-category reads are recorded for",
        )
        parser.add_argument("-o", "--output", required=True, type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report_kind(options["kind"])
            report_period_check(options["start"], options["end"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        school = self._school(options["school"])
        if (
            options["cycle"]
            and not Cycle.objects.filter(school=school, code=options["cycle"]).exists()
        ):
            raise CommandError(f"No cycle {options['cycle']} in {school}.")
        reader = None
        if options["special_category"]:
            if not options["reader"]:
                raise CommandError("--special-category needs --as USERNAME: whose reads they are.")
            try:
                reader = special_category_reader(username=options["reader"], school=school)
            except ValueError as error:
                raise CommandError(str(error)) from None
        output: Path = options["output"]
        # Built beside the output and renamed when complete: never a half-written file there.
        handle, partial = tempfile.mkstemp(
            prefix=".export-", suffix=".xlsx", dir=output.parent.resolve()
        )
        os.close(handle)
        request = ReportRequest(
            school=school,
            start=options["start"],
            end=options["end"],
            cycle_code=options["cycle"],
            special_category=options["special_category"],
            reader=reader,
        )
        with tqdm(total=100, unit="%", disable=options["verbosity"] < 1, file=self.stderr) as bar:

            def progress(percent: int) -> None:
                bar.update(max(0, percent - bar.n))

            try:
                report_write(kind=options["kind"], request=request, path=partial, progress=progress)
            except BaseException:
                os.unlink(partial)
                raise
            bar.update(100 - bar.n)
        os.replace(partial, output)
        self.stdout.write(f"Wrote {output}.")

    def _school(self, school_id: int | None) -> School:
        schools = School.objects.all()
        if school_id is not None:
            schools = schools.filter(pk=school_id)
        found = list(schools[:2])
        if not found:
            raise CommandError("No such school.")
        if len(found) > 1:
            raise CommandError("Several schools: name one with --school ID.")
        return found[0]
