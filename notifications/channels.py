"""Where messages leave the machine: e-mail through Django's backends, SMS through a
pluggable backend (console or file locally, a generic HTTP gateway in production)."""

import json
import logging
import smtplib
from pathlib import Path
from typing import Any

import urllib3
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class TransientError(Exception):
    """Trying again later may work: a gateway timeout or 5xx, an SMTP hiccup."""


class PermanentError(Exception):
    """Trying again will not help: a rejected number or address."""


class ConsoleSMSBackend:
    """Writes each SMS to the log (local development)."""

    def send(self, *, to: str, text: str, reference: str) -> None:
        logger.info("SMS to %s [%s]: %s", to, reference, text)


class FileSMSBackend:
    """Appends each SMS as a JSON line to ``SMS_FILE_PATH`` (local development, demos)."""

    def send(self, *, to: str, text: str, reference: str) -> None:
        path = Path(settings.SMS_FILE_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(
                json.dumps({"to": to, "text": text, "reference": reference}, ensure_ascii=False)
                + "\n"
            )


class HttpSMSBackend:
    """A generic HTTP SMS gateway: POSTs JSON built from ``SMS_GATEWAY_BODY`` (a JSON template
    whose string values may use ``{to}``, ``{text}`` and ``{reference}``) to ``SMS_GATEWAY_URL``,
    with ``SMS_GATEWAY_AUTH_HEADER`` (``Name: value``). The reference lets a gateway drop a
    repeat of a message it already accepted (a worker that died between sending and recording)."""

    def send(self, *, to: str, text: str, reference: str) -> None:
        body = _fill(
            json.loads(settings.SMS_GATEWAY_BODY), {"to": to, "text": text, "reference": reference}
        )
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if settings.SMS_GATEWAY_AUTH_HEADER:
            name, _, value = settings.SMS_GATEWAY_AUTH_HEADER.partition(":")
            headers[name.strip()] = value.strip()
        try:
            response = _gateway_pool().request(
                "POST",
                settings.SMS_GATEWAY_URL,
                body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                headers=headers,
                timeout=settings.SMS_GATEWAY_TIMEOUT,
                retries=False,  # the outbox retries, with backoff and a record of each attempt
            )
        except urllib3.exceptions.HTTPError as error:  # refused, reset, timed out
            raise TransientError(f"gateway unreachable: {error}") from error
        if response.status == 429 or response.status >= 500:
            raise TransientError(f"gateway answered {response.status}")
        if response.status >= 400:
            raise PermanentError(f"gateway refused: {response.status} {response.data[:200]!r}")


_pool: urllib3.PoolManager | None = None


def _gateway_pool() -> urllib3.PoolManager:
    """One pool of kept-alive connections per worker process (made after the fork): a TLS
    handshake per message would cost more than the message."""
    global _pool
    if _pool is None:
        _pool = urllib3.PoolManager(maxsize=4)
    return _pool


def _fill(template: Any, values: dict[str, str]) -> Any:
    if isinstance(template, str):
        return template.format_map(values)
    if isinstance(template, dict):
        return {key: _fill(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [_fill(item, values) for item in template]
    return template


def send_sms(*, to: str, text: str, reference: str) -> None:
    import_string(settings.SMS_BACKEND)().send(to=to, text=text, reference=reference)


def send_email(*, to: str, subject: str, text: str) -> None:
    try:
        EmailMessage(subject=subject, body=text, to=[to]).send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        raise PermanentError(f"address refused: {to}") from error
    except (smtplib.SMTPException, OSError) as error:
        raise TransientError(f"mail server: {error}") from error
