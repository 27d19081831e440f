"""The funder's exports against a bare openpyxl dump of the same cells (``make bench-export``).

For each database (10,000 and 50,000 students, ``seed_demo --students N``) and for each of the
esf-participants and attendance-sheets reports over the whole history:

- the export as the worker builds it (``school.reports.report_write``), timed in a fresh
  subprocess whose peak memory (``ru_maxrss``) is the report's;
- a bare dump: another subprocess first collects every cell value the export writes into
  in-memory tuples (not timed), then times openpyxl write-only writing exactly those tuples,
  sheet by sheet, with lxml.

The ratio export / dump is the cost of reading the database and shaping the rows. Environment:
``BENCH_DATABASE_10K`` and ``BENCH_DATABASE_50K`` (database URLs), ``BENCH_RUNS`` (default 1).
"""

import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

DATABASES = {
    "10k": os.environ.get(
        "BENCH_DATABASE_10K", "postgres://postgres@127.0.0.1:5432/school_office_bench_10k"
    ),
    "50k": os.environ.get(
        "BENCH_DATABASE_50K", "postgres://postgres@127.0.0.1:5432/school_office_bench"
    ),
}
KINDS = ["esf-participants", "attendance-sheets"]
RUNS = int(os.environ.get("BENCH_RUNS", "1"))
START, END = dt.date(2000, 1, 1), dt.date(2030, 12, 31)


def _request() -> Any:
    import django

    django.setup()
    from school.models import School
    from school.reports import ReportRequest

    school = School.objects.get(name="Demo Social School of Greek")
    return ReportRequest(school=school, start=START, end=END)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_export(kind: str) -> dict[str, float]:
    request = _request()
    from school.reports import report_write

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "export.xlsx")
        start = time.perf_counter()
        report_write(kind=kind, request=request, path=path, progress=lambda p: None)
        seconds = time.perf_counter() - start
        size = os.path.getsize(path)
    return {"seconds": seconds, "peak_mb": _peak_mb(), "bytes": size}


def one_dump(kind: str) -> dict[str, float]:
    request = _request()
    from openpyxl import Workbook

    from school.reports import report_kind
    from school.spreadsheets import StreamedWorkbook

    class Sheet:
        def __init__(self, rows: list[tuple]) -> None:
            self.rows = rows
            self.sheet = None

        def append(self, values: Any, **kwargs: Any) -> None:
            self.rows.append(tuple(values))

        def styled(self, values: Any, **kwargs: Any) -> None:
            self.rows.append(tuple(values))

        def looked(self, values: Any, look: Any, **kwargs: Any) -> None:
            self.rows.append(tuple(values))

        def cell(self, value: Any, look: Any) -> Any:
            return value  # the bare dump writes the value, unstyled

        def page_break_after_row(self, *args: Any) -> None: ...
        def widths(self, *args: Any) -> None: ...
        def freeze(self, *args: Any) -> None: ...
        def print_setup(self, **kwargs: Any) -> None: ...
        def bar_chart(self, *args: Any) -> None: ...
        def close(self) -> None: ...

    class Recording(StreamedWorkbook):
        def __init__(self) -> None:
            super().__init__()
            self.sheets: list[tuple[str, list[tuple]]] = []

        def sheet(self, title: str) -> Any:
            rows: list[tuple] = []
            self.sheets.append((self._unique_title(title), rows))
            return Sheet(rows)

    recording = Recording()
    report_kind(kind).build(request, recording, lambda p: None)
    cells = sum(len(row) for _title, rows in recording.sheets for row in rows)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "dump.xlsx")
        start = time.perf_counter()
        book = Workbook(write_only=True)
        for title, rows in recording.sheets:
            sheet = book.create_sheet(title)
            for row in rows:
                sheet.append(row)
            sheet.close()
        book.save(path)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": _peak_mb(), "cells": cells}


def run(what: str, kind: str, database: str) -> dict[str, float]:
    env = {**os.environ, "DATABASE_URL": database}
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    out = subprocess.run(
        [sys.executable, "-m", "tests.bench.export", what, kind],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    results: dict[tuple[str, str], dict[str, Any]] = {}
    for size, database in DATABASES.items():
        for kind in KINDS:
            exports, dumps = [], []
            for _ in range(RUNS):  # alternately, so drift in the machine's load hits both
                exports.append(run("export", kind, database))
                dumps.append(run("dump", kind, database))
            results[size, kind] = {
                "export": statistics.median(r["seconds"] for r in exports),
                "dump": statistics.median(r["seconds"] for r in dumps),
                "peak": max(r["peak_mb"] for r in exports),
                "cells": dumps[0]["cells"],
            }
            print(size, kind, results[size, kind], flush=True)
    print(f"\nmedian of {RUNS} run(s) each, export and dump alternately\n")
    print("| students | report | cells | export s | bare dump s | ratio | export peak MB |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for (size, kind), r in results.items():
        print(
            f"| {size} | {kind} | {r['cells']:,} | {r['export']:.1f} | {r['dump']:.1f} | "
            f"{r['export'] / r['dump']:.2f} | {r['peak']:.0f} |"
        )
    for size in DATABASES:
        export = sum(results[size, kind]["export"] for kind in KINDS)
        dump = sum(results[size, kind]["dump"] for kind in KINDS)
        print(f"| {size} | both | | {export:.1f} | {dump:.1f} | {export / dump:.2f} | |")
    for kind in KINDS:
        small, big = results["10k", kind]["peak"], results["50k", kind]["peak"]
        print(f"peak memory {kind}: 10k {small:.0f} MB, 50k {big:.0f} MB ({big / small - 1:+.0%})")


if __name__ == "__main__":
    if len(sys.argv) == 3:
        print(json.dumps({"export": one_export, "dump": one_dump}[sys.argv[1]](sys.argv[2])))
    else:
        main()
