"""Keep secrets that travel in URL paths out of the logs."""

import logging
import re

# The secret calendar address and the one-time sign-in link (school/urls.py and
# notifications/urls.py).
SECRET_PATH = re.compile(r"(/calendar/|/signin/link/)[A-Za-z0-9_\-]{8,}")


def redact(text: str) -> str:
    return SECRET_PATH.sub(r"\1[hidden]", text)


class SecretPathFilter(logging.Filter):
    """Rewrites a record's message and arguments with the tokens blanked out; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            record.args = {
                k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        elif record.args:
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        request = getattr(record, "request", None)
        if SECRET_PATH.search(str(getattr(request, "path", ""))):
            # Error mails and handlers that print the request read it from the record.
            record.request = None
        return True
