"""Backups that restore: one dated archive holding the database, the media files (reports,
certificates) and a manifest, and the restore that checks the manifest before touching anything.

An archive is a tar file ``school-office-YYYY-MM-DD-HHMMSS.tar`` with:

- ``manifest.json``: the format, the application's version, when and from which database it
  was made, the applied migrations, the row count of every table and the SHA-256 and size of
  every other file in the archive;
- ``database.pgdump`` (PostgreSQL: ``pg_dump --format=custom``, taken in the same snapshot as
  the row counts) or ``database.sqlite3`` (SQLite: a copy made with SQLite's online backup API);
- ``media/...``: every file under ``MEDIA_ROOT``.

With ``BACKUP_KEY`` set (an age identity, ``AGE-SECRET-KEY-1...``) the tar is encrypted with
age (``pyrage``) into ``...tar.age``; the restore needs the same key.
"""

import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

logger = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.pgdump"
SQLITE_COPY = "database.sqlite3"
MEDIA = "media"
PREFIX = "school-office-"
# school-office-2026-11-30-013000.tar or .tar.age
ARCHIVE_NAME = re.compile(r"^school-office-(\d{4}-\d{2}-\d{2}-\d{6})\.tar(\.age)?$")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message says why."""


@dataclass
class Restored:
    tables: int
    rows: int
    files: int
    created_at: str
    per_table: dict[str, int] = field(default_factory=dict)


# -- what is in the database -----------------------------------------------------------------


def table_row_counts(cursor: Any, tables: list[str]) -> dict[str, int]:
    """Rows per table, one COUNT(*) each (a backup's manifest, and the check after a restore)."""
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        counts[table] = int(cursor.fetchone()[0])
    return counts


def applied_migrations(cursor: Any) -> list[str]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [f"{app}.{name}" for app, name in cursor.fetchall()]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def application_version() -> str:
    try:
        return metadata.version("school-office")
    except metadata.PackageNotFoundError:
        return "unknown"


# -- backup ------------------------------------------------------------------------------------


def backup_create(*, directory: Path | str | None = None, now: dt.datetime | None = None) -> Path:
    """Write one dated archive into ``directory`` (``BACKUP_DIR``) and return its path.

    1. Copy the database into a working folder beside the archive: PostgreSQL with ``pg_dump``
       in a read-only snapshot shared with the row counts (so the counts describe the dump
       exactly), SQLite with its online backup API (the counts are taken from the copy).
    2. Copy the media files and write the manifest with the checksum of every file.
    3. Pack the tar under a temporary name, encrypt it if ``BACKUP_KEY`` is set, and only then
       give it its final name: a half-written archive never looks like a backup.
    """
    target = Path(directory or settings.BACKUP_DIR)
    target.mkdir(parents=True, exist_ok=True)
    now = now or timezone.now()
    stamp = timezone.localtime(now).strftime("%Y-%m-%d-%H%M%S")
    name = f"{PREFIX}{stamp}.tar"
    key = settings.BACKUP_KEY
    final = target / (name + (".age" if key else ""))
    with tempfile.TemporaryDirectory(dir=target, prefix=".backup-") as work_dir:
        work = Path(work_dir)
        if connection.vendor == "postgresql":
            database_file, counts, migrations = _dump_postgresql(work)
        elif connection.vendor == "sqlite":
            database_file, counts, migrations = _copy_sqlite(work)
        else:
            raise BackupError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")
        files = {database_file: _file_entry(work / database_file)}
        media_root = Path(settings.MEDIA_ROOT)
        media_files = sorted(p for p in media_root.rglob("*") if p.is_file())
        manifest = {
            "format": FORMAT,
            "version": application_version(),
            "created_at": now.isoformat(),
            "database": connection.vendor,
            "migrations": migrations,
            "tables": counts,
            "files": files,
        }
        packed = work / name
        with tarfile.open(packed, "w") as tar:
            tar.add(work / database_file, arcname=database_file)
            for path in media_files:
                arcname = f"{MEDIA}/{path.relative_to(media_root).as_posix()}"
                files[arcname] = _file_entry(path)
                tar.add(path, arcname=arcname)
            manifest_path = work / MANIFEST
            manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True), "utf-8")
            tar.add(manifest_path, arcname=MANIFEST)
        partial = target / f".{final.name}.partial"
        if key:
            import pyrage

            recipient = pyrage.x25519.Identity.from_str(key).to_public()
            pyrage.encrypt_file(str(packed), str(partial), [recipient])
        else:
            shutil.move(packed, partial)
        os.replace(partial, final)
    logger.info("backup written: %s (%d tables, %d files)", final, len(counts), len(files) - 1)
    return final


def _file_entry(path: Path) -> dict[str, Any]:
    return {"sha256": sha256_of(path), "size": path.stat().st_size}


def _pg_environment() -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump and pg_restore from DATABASES (password in the
    environment, never on the command line)."""
    database = settings.DATABASES["default"]
    arguments = ["--dbname", str(database["NAME"])]
    if database.get("HOST"):
        arguments += ["--host", str(database["HOST"])]
    if database.get("PORT"):
        arguments += ["--port", str(database["PORT"])]
    if database.get("USER"):
        arguments += ["--username", str(database["USER"])]
    environment = dict(os.environ)
    if database.get("PASSWORD"):
        environment["PGPASSWORD"] = str(database["PASSWORD"])
    return arguments, environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    try:
        finished = subprocess.run(  # noqa: S603
            command, env=environment, capture_output=True, text=True, check=False
        )
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed: {error}") from error
    if finished.returncode != 0:
        raise BackupError(f"{command[0]} failed: {finished.stderr.strip()[:2000]}")


def _dump_postgresql(work: Path) -> tuple[str, dict[str, int], list[str]]:
    arguments, environment = _pg_environment()
    outermost = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if outermost:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = table_row_counts(cursor, connection.introspection.table_names(cursor))
        migrations = applied_migrations(cursor)
        _run(
            [
                "pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                f"--snapshot={snapshot}", "--file", str(work / PG_DUMP), *arguments,
            ],
            environment,
        )  # fmt: skip
    return PG_DUMP, counts, migrations


def _copy_sqlite(work: Path) -> tuple[str, dict[str, int], list[str]]:
    connection.ensure_connection()
    copy = sqlite3.connect(work / SQLITE_COPY)
    try:
        connection.connection.backup(copy)
        cursor = copy.cursor()
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        counts = table_row_counts(cursor, tables)
        migrations = applied_migrations(cursor)
    finally:
        copy.close()
    return SQLITE_COPY, counts, migrations


# -- restore -----------------------------------------------------------------------------------


def backup_restore(*, archive: Path | str, force: bool = False) -> Restored:
    """Restore an archive into this installation's database and media folder.

    1. Decrypt it if it is an ``.age`` archive (``BACKUP_KEY``), unpack it into a working
       folder and check the manifest: every file present with its checksum, nothing extra,
       the same kind of database, no migration this code does not know. Until this passes
       nothing is touched.
    2. Refuse a database that has tables or a media folder that has files, unless ``force``:
       then both are emptied first.
    3. Load the database (``pg_restore`` in one transaction, or SQLite's backup API), copy the
       media files, and check every table's row count against the manifest.
    """
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"No archive at {archive}.")
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="restore-") as work_dir:
        work = Path(work_dir)
        manifest = _unpack_and_check(archive, work)
        tables = connection.introspection.table_names()
        media_files = (
            [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []
        )
        if (tables or media_files) and not force:
            raise BackupError(
                f"The database has {len(tables)} tables and the media folder {len(media_files)} "
                "files: restore into an empty database and media folder, or pass --force to "
                "replace them."
            )
        if manifest["database"] == "postgresql":
            _restore_postgresql(work / PG_DUMP, drop=bool(tables))
        else:
            _restore_sqlite(work / SQLITE_COPY)
        if media_root.exists():
            shutil.rmtree(media_root)
        media_root.mkdir(parents=True, exist_ok=True)
        unpacked_media = work / MEDIA
        if unpacked_media.exists():
            shutil.copytree(unpacked_media, media_root, dirs_exist_ok=True)
    with connection.cursor() as cursor:
        counts = table_row_counts(cursor, list(manifest["tables"]))
    if counts != manifest["tables"]:
        wrong = sorted(t for t in counts if counts[t] != manifest["tables"][t])
        raise BackupError(f"Row counts differ from the manifest after the restore: {wrong}")
    return Restored(
        tables=len(counts),
        rows=sum(counts.values()),
        files=sum(1 for name in manifest["files"] if name.startswith(f"{MEDIA}/")),
        created_at=manifest["created_at"],
        per_table=counts,
    )


def _unpack_and_check(archive: Path, work: Path) -> dict[str, Any]:
    tar_path = archive
    if archive.name.endswith(".age"):
        if not settings.BACKUP_KEY:
            raise BackupError(
                "This archive is encrypted: set BACKUP_KEY to the key it was made with."
            )
        import pyrage

        tar_path = work / "archive.tar"
        try:
            identity = pyrage.x25519.Identity.from_str(settings.BACKUP_KEY)
            pyrage.decrypt_file(str(archive), str(tar_path), [identity])
        except Exception as error:
            raise BackupError(
                f"The archive cannot be decrypted with BACKUP_KEY: {error}"
            ) from error
    unpacked = work / "unpacked"
    unpacked.mkdir()
    try:
        with tarfile.open(tar_path, "r") as tar:
            # The "data" filter refuses absolute paths, links out of the folder and devices.
            tar.extractall(unpacked, filter="data")
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"{archive} is not a readable archive: {error}") from error
    if tar_path != archive:
        tar_path.unlink()
    try:
        manifest = json.loads((unpacked / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"{archive} has no readable manifest: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown archive format {manifest.get('format')!r}.")
    found = {p.relative_to(unpacked).as_posix() for p in unpacked.rglob("*") if p.is_file()} - {
        MANIFEST
    }
    listed = set(manifest["files"])
    if found != listed:
        raise BackupError(
            f"The archive does not match its manifest: missing {sorted(listed - found)[:5]}, "
            f"unexpected {sorted(found - listed)[:5]}."
        )
    for name, entry in manifest["files"].items():
        if sha256_of(unpacked / name) != entry["sha256"]:
            raise BackupError(
                f"Checksum of {name} differs from the manifest: the archive is damaged."
            )
    if manifest["database"] != connection.vendor:
        raise BackupError(
            f"The archive holds a {manifest['database']} database; this installation uses "
            f"{connection.vendor}."
        )
    known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
    unknown = sorted(set(manifest["migrations"]) - known)
    if unknown:
        raise BackupError(
            f"The archive was made by a newer version (migrations {unknown[:5]}): install "
            f"version {manifest['version']} or later first."
        )
    # Move what was checked to where the restore reads it.
    for entry in unpacked.iterdir():
        shutil.move(entry, work / entry.name)
    return manifest


def _restore_postgresql(dump: Path, *, drop: bool) -> None:
    if drop:
        with transaction.atomic(), connection.cursor() as cursor:
            names = connection.introspection.table_names(cursor, include_views=True)
            views = {
                info.name
                for info in connection.introspection.get_table_list(cursor)
                if info.type == "v"
            }
            for name in names:
                kind = "VIEW" if name in views else "TABLE"
                cursor.execute(f"DROP {kind} IF EXISTS {connection.ops.quote_name(name)} CASCADE")
    arguments, environment = _pg_environment()
    _run(
        [
            "pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
            "--single-transaction", *arguments, str(dump),
        ],
        environment,
    )  # fmt: skip


def _restore_sqlite(copy: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(copy)
    try:
        # The backup API replaces every page of the destination: tables that were there go.
        source.backup(connection.connection)
    finally:
        source.close()


# -- keeping 7 daily and 4 weekly ------------------------------------------------------------


def backups_in(directory: Path | str) -> list[tuple[dt.datetime, Path]]:
    """The archives in a folder, newest first (by the time in their name)."""
    found = []
    folder = Path(directory)
    if not folder.is_dir():
        return []
    for path in folder.iterdir():
        match = ARCHIVE_NAME.match(path.name)
        if match and path.is_file():
            when = dt.datetime.strptime(match.group(1), "%Y-%m-%d-%H%M%S")
            found.append((when, path))
    return sorted(found, reverse=True)


def backups_prune(
    *, directory: Path | str, keep_daily: int = 7, keep_weekly: int = 4
) -> list[Path]:
    """Delete the archives that neither the last ``keep_daily`` days nor the last
    ``keep_weekly`` weeks need (the newest archive of each day and of each week stays);
    return what was deleted."""
    archives = backups_in(directory)
    keep: set[Path] = set()
    days: set[dt.date] = set()
    weeks: set[tuple[int, int]] = set()
    for when, path in archives:
        day = when.date()
        if day not in days and len(days) < keep_daily:
            days.add(day)
            keep.add(path)
        week = tuple(when.isocalendar())[:2]
        if week not in weeks and len(weeks) < keep_weekly:
            weeks.add(week)  # type: ignore[arg-type]
            keep.add(path)
    deleted = []
    for _when, path in archives:
        if path not in keep:
            path.unlink()
            deleted.append(path)
    return deleted


def backup_nightly() -> Path:
    """The nightly job: one archive in BACKUP_DIR, then keep 7 daily and 4 weekly."""
    path = backup_create(directory=settings.BACKUP_DIR)
    deleted = backups_prune(
        directory=settings.BACKUP_DIR,
        keep_daily=settings.BACKUP_KEEP_DAILY,
        keep_weekly=settings.BACKUP_KEEP_WEEKLY,
    )
    for old in deleted:
        logger.info("old backup removed: %s", old)
    return path


def last_backup_at(directory: Path | str | None = None) -> dt.datetime | None:
    """When the newest archive in BACKUP_DIR was made (its file's time), or None."""
    archives = backups_in(directory or settings.BACKUP_DIR)
    if not archives:
        return None
    return dt.datetime.fromtimestamp(archives[0][1].stat().st_mtime, tz=dt.UTC)
