from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from school.backups import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write one dated archive (the database, the media files and a manifest with row counts "
        "and checksums) into BACKUP_DIR or --to DIR, and print its path. Encrypted with age "
        "when BACKUP_KEY is set."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", type=Path, help="the folder (default: BACKUP_DIR)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path = backup_create(directory=options["to"] or settings.BACKUP_DIR)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(path))
