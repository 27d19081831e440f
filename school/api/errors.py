"""One error shape for the whole API: ``{"field": ["message"]}`` or ``{"detail": "..."}``."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from school.errors import ConflictError


class Conflict(exceptions.APIException):
    """409: the request is well-formed but clashes with the current state (a full cycle, a
    registration after the deadline)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state.")
    default_code = "conflict"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    # Services raise Django's ValidationError; the API answers it as DRF would its own.
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, ConflictError):
        exc = Conflict(exc.message)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        # Keep the service's reason ("attendance older than 7 days is corrected by a
        # coordinator"); a bare refusal gets DRF's generic text.
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, DataError):
        # A value the database cannot hold (a time-zone offset beyond ±15:59, a year past
        # its range) that passed the form checks: the input is at fault, not the server.
        exc = exceptions.ValidationError({"detail": _("A value is out of the range allowed.")})
    elif isinstance(exc, IntegrityError):
        # A race lost against a database constraint: the state changed under the request.
        exc = Conflict()
    return drf_exception_handler(exc, context)
