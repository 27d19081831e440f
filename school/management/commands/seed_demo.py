import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.utils import timezone
from tqdm import tqdm

from school.demo import BASE_STUDENTS, PASSWORDS, demo_seed


class Command(BaseCommand):
    help = (
        "Create a fictional demo school with cycles, lessons, students, attendance and an exam "
        "round. Idempotent; --students N adds students up to N (50,000 for benchmarks)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--students", type=int, default=BASE_STUDENTS)
        parser.add_argument("--today", type=dt.date.fromisoformat, help="pretend today is this day")

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["today"] or timezone.localdate()
        wanted = options["students"]
        with tqdm(
            total=wanted,
            unit="students",
            disable=options["verbosity"] < 1 or wanted <= BASE_STUDENTS,
            file=self.stderr,
        ) as bar:
            added = demo_seed(today=today, students=wanted, progress=bar.update)
        if added and connection.vendor == "postgresql":
            # Fresh statistics after a bulk load, or the planner guesses badly for a while.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(f"Added {added} students." if added else "Demo data already there.")
        self.stdout.write("Demo sign-ins (username / password):")
        for username, password in PASSWORDS.items():
            self.stdout.write(f"  {username:<12} {password}")
