"""Every API endpoint, read from the URL configuration (so a new one cannot be missed)."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

API_PREFIX = "api/v1/"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # "students/{pk}/special-category/", relative to /api/v1/

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _route(pattern: object) -> str:
    text = str(pattern)
    text = text.lstrip("^").rstrip("$")
    # DRF routers write regexes: (?P<pk>[^/.]+) becomes {pk}; path converters <int:pk> too.
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)


def _walk(patterns: list, prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + _route(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + _route(entry.pattern), entry.callback


def _methods(callback: object) -> list[str]:
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    allowed = getattr(view_class, "http_method_names", [m.lower() for m in METHODS])
    actions = getattr(callback, "actions", None)
    if actions:  # a DRF viewset route: {"get": "list", "post": "create"}
        return sorted(m.upper() for m in actions if m.upper() in METHODS and m in allowed)
    if view_class is None:
        return ["GET"]
    return sorted(
        m.upper() for m in allowed if m.upper() in METHODS and hasattr(view_class, m.lower())
    )


def api_endpoints() -> list[Endpoint]:
    found = set()
    for route, callback in _walk(get_resolver().url_patterns):
        if route.startswith(API_PREFIX):
            for method in _methods(callback):
                found.add(Endpoint(method, route.removeprefix(API_PREFIX)))
    return sorted(found, key=lambda e: (e.path, e.method))
