"""A request id on every log line, in the web process and in the Celery tasks it queues.

The id comes from the ``X-Request-ID`` header (a proxy's) when it is a plain token, or is made
here; it is sent back in the response's ``X-Request-ID``. A task queued during the request
carries it in its message headers (``request_id``), and the worker logs the task's lines with it.
"""

import contextvars
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from celery import signals
from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
TASK_HEADER = "request_id"
# What a proxy may hand us: letters, digits and - _ . : (no spaces, no newlines in the logs).
ACCEPTED = re.compile(r"^[A-Za-z0-9._:\-]{1,100}$")

current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def request_id_for(given: str | None) -> str:
    return given if given and ACCEPTED.match(given) else uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request.headers.get(HEADER))
        token = current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record (empty outside a request or a task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current.get()
        return True


@signals.before_task_publish.connect
def _send_request_id(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    request_id = current.get()
    if request_id and headers is not None:
        headers[TASK_HEADER] = request_id


@signals.task_prerun.connect
def _receive_request_id(task: Any = None, **kwargs: Any) -> None:
    request_id = getattr(task.request, TASK_HEADER, None) if task else None
    if request_id is None and task is not None:
        request_id = (getattr(task.request, "headers", None) or {}).get(TASK_HEADER)
    current.set(request_id_for(request_id) if request_id else "")


@signals.task_postrun.connect
def _forget_request_id(**kwargs: Any) -> None:
    current.set("")
