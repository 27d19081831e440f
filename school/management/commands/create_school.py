from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from school.choices import ProgrammePeriod
from school.services import school_create


class Command(BaseCommand):
    help = "Create a school (a tenant) and print its id."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--country", required=True, help="ISO 3166 alpha-2, e.g. GR")
        parser.add_argument("--period", choices=ProgrammePeriod.values, default="2021-2027")
        parser.add_argument("--operation-code", default="")
        parser.add_argument("--time-zone", default="Europe/Athens")
        parser.add_argument(
            "--slug",
            default="",
            help="the application page's address, /apply/<slug>/ (default: from the name)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            school = school_create(
                name=options["name"],
                country=options["country"],
                programme_period=options["period"],
                operation_code=options["operation_code"],
                time_zone=options["time_zone"],
                slug=options["slug"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(str(school.pk))
