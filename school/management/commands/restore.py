from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from school.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore an archive made by `backup` into an empty database and media folder (--force "
        "replaces what is there). The manifest's checksums are checked before anything is "
        "touched."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the tables and media files that are there",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restored = backup_restore(archive=options["archive"], force=options["force"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        if options["verbosity"] > 1:
            for table, rows in restored.per_table.items():
                self.stdout.write(f"  {table}: {rows} rows")
        self.stdout.write(
            f"Restored the backup of {restored.created_at}: {restored.tables} tables, "
            f"{restored.rows} rows, {restored.files} files."
        )
