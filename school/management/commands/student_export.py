from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from school.models import Student
from school.permissions import special_category_reader
from school.retention import student_export_data, student_export_json, student_export_xlsx


class Command(BaseCommand):
    help = (
        "Everything held about one student (a data-subject request): JSON on standard output, "
        "or --xlsx FILE for a workbook. Special-category answers only with --special-category "
        "--as USERNAME (a coordinator allowed to read them; the read is recorded as theirs)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("student", type=int, help="the student's id")
        parser.add_argument("--xlsx", type=Path, help="write a workbook to this file as well")
        parser.add_argument(
            "--special-category",
            action="store_true",
            help="include disability, minority and hospitalisation (GDPR art. 9); needs --as",
        )
        parser.add_argument(
            "--as",
            dest="reader",
            metavar="USERNAME",
            help="the coordinator the special-category read is recorded for",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        student = (
            Student.objects.select_related("user", "school").filter(pk=options["student"]).first()
        )
        if student is None:
            raise CommandError(f"No student with id {options['student']}.")
        reader = None
        if options["special_category"]:
            if not options["reader"]:
                raise CommandError("--special-category needs --as USERNAME: whose read it is.")
            try:
                reader = special_category_reader(username=options["reader"], school=student.school)
            except ValueError as error:
                raise CommandError(str(error)) from None
        data = student_export_data(
            student=student,
            include_special_category=options["special_category"],
            reader=reader,
            via="command",
        )
        if options["xlsx"]:
            options["xlsx"].write_bytes(student_export_xlsx(data))
            self.stderr.write(f"Wrote {options['xlsx']}")
        self.stdout.write(student_export_json(data))
