import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from school.retention import anonymise_expired, students_past_retention


class Command(BaseCommand):
    help = (
        "Anonymise the students whose programme period's retention has ended (Admin → "
        "Retention periods); aggregate figures stay the same."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="only say how many would be anonymised"
        )
        parser.add_argument("--today", type=dt.date.fromisoformat, help="YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["today"] or timezone.localdate()
        if options["dry_run"]:
            count = students_past_retention(today=today).count()
            self.stdout.write(f"{count} students would be anonymised.")
            return
        count = anonymise_expired(today=today)
        self.stdout.write(f"{count} students anonymised.")
