"""gunicorn's settings for the web process (``gunicorn -c python:config.gunicorn``).

The request-latency histograms of /metrics are shared by every worker through
prometheus-client's multiprocess mode: a folder of memory-mapped files named by
``PROMETHEUS_MULTIPROC_DIR`` (``var/prometheus`` unless set), emptied when gunicorn starts.
"""

import os
import shutil
from pathlib import Path
from typing import Any

from prometheus_client import multiprocess

BASE_DIR = Path(__file__).resolve().parent.parent


def on_starting(server: Any) -> None:
    folder = os.environ.setdefault(
        "PROMETHEUS_MULTIPROC_DIR",
        str(Path(os.environ.get("VAR_DIR", BASE_DIR / "var")) / "prometheus"),
    )
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
