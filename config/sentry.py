"""Error reports to Sentry (``SENTRY_DSN``) without personal data.

sentry-sdk is started with ``send_default_pii=False`` (no cookies, no user's address or
username), no request bodies and no local variables; ``scrub_event`` then removes what could
still name a person: the user but their id, query strings, headers but a few harmless ones, the
text of exceptions and the arguments of log messages (either may quote a name), any value under
a personal or special-category key, and phone numbers and e-mail addresses inside messages,
breadcrumbs and extra data. What is left to debug with: the exception's type, the stack, the code
lines, the view, the request id.
"""

import re
from typing import Any

FILTERED = "[Filtered]"
# Keys whose values are personal or special-category data wherever they appear.
PERSONAL_KEYS = {
    "first_name", "last_name", "first_name_latin", "last_name_latin", "name", "full_name",
    "phone", "email", "address", "date_of_birth", "username", "password", "token", "otp",
    "body", "text", "subject", "disability", "minority", "hospitalisation",
    "hospitalization", "special_category", "reason", "notes", "data", "cookies",
    "authorization", "sessionid", "csrftoken", "ip_address", "remote_addr",
}  # fmt: skip
HEADERS_KEPT = {"user-agent", "content-type", "content-length", "accept-language", "x-request-id"}
BREADCRUMB_KEPT = ("type", "category", "level", "timestamp")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# International or local phone numbers: a + or a digit, then 7 or more digits with spaces,
# dots, dashes or brackets between them.
PHONE = re.compile(r"(?<![\w/])\+?\d[\d\s().-]{6,}\d(?![\w/])")


def scrub_text(text: str) -> str:
    return PHONE.sub(FILTERED, EMAIL.sub(FILTERED, text))


def scrub(value: Any) -> Any:
    """Personal keys emptied and phone numbers and addresses blanked, all the way down."""
    if isinstance(value, dict):
        return {
            key: FILTERED if str(key).lower() in PERSONAL_KEYS else scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    if isinstance(value, str):
        return scrub_text(value)
    return value


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """sentry-sdk's ``before_send``: the event as it will be sent, without personal data."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies", "query_string", "env"):
            request.pop(key, None)
        headers = request.get("headers") or {}
        request["headers"] = {k: v for k, v in headers.items() if k.lower() in HEADERS_KEPT}
        if isinstance(request.get("url"), str):
            request["url"] = scrub_text(request["url"].split("?", 1)[0])
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    for exception in (event.get("exception") or {}).get("values") or []:
        # An exception's text may quote whatever it was given (a name, an answer): the type,
        # the stack and the code lines say where it happened; the text stays here.
        if exception.get("value"):
            exception["value"] = FILTERED
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    for thread in (event.get("threads") or {}).get("values") or []:
        for frame in (thread.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        # The message's template is code; its arguments and the formatted text are data.
        event["logentry"] = {
            "message": scrub_text(str(logentry.get("message", ""))),
            "params": [FILTERED for _param in logentry.get("params") or []],
        }
    if isinstance(event.get("message"), str):
        event["message"] = scrub_text(event["message"])
    for key in ("extra", "contexts", "tags"):
        if key in event:
            event[key] = scrub(event[key])
    # Breadcrumbs (earlier log lines, queries) keep what happened and when, not their text.
    breadcrumbs = event.get("breadcrumbs")
    crumbs = breadcrumbs.get("values") if isinstance(breadcrumbs, dict) else breadcrumbs
    if isinstance(crumbs, list):
        kept = [
            {key: crumb[key] for key in BREADCRUMB_KEPT if key in crumb}
            for crumb in crumbs
            if isinstance(crumb, dict)
        ]
        if isinstance(breadcrumbs, dict):
            breadcrumbs["values"] = kept
        else:
            event["breadcrumbs"] = kept
    # The request id ties the report to the log lines of the request and of its tasks.
    from config.request_id import current

    if current.get():
        event["tags"] = {**(event.get("tags") or {}), "request_id": current.get()}
    return event
