"""Dates, times and numbers the way the reader's language writes them (CLDR, via Babel)."""

import datetime as dt
from decimal import Decimal

from babel.dates import format_date, format_interval, format_skeleton
from babel.numbers import format_decimal, format_percent
from django import template
from django.utils import translation

register = template.Library()


def _locale() -> str:
    return (translation.get_language() or "en").replace("-", "_")


@register.filter
def local_date(value: dt.date | None, skeleton: str = "MMMEd") -> str:
    """A date in the reader's language: ``MMMEd`` gives "Mon, Nov 23" / "الاثنين، 23 نوفمبر"."""
    if value is None:
        return ""
    if skeleton == "full":
        # Weekday, day, month and year in words: "lundi 23 novembre 2026".
        return format_date(value, "full", locale=_locale())
    return format_skeleton(skeleton, value, locale=_locale())


@register.simple_tag
def local_time_range(starts_at: dt.time, ends_at: dt.time) -> str:
    """17:00–20:00, with the locale's own range sign (Persian writes "17:00 تا 20:00")."""
    return format_interval(starts_at, ends_at, "Hm", locale=_locale())


@register.filter
def local_percent(value: Decimal | float | None) -> str:
    if value is None:
        return ""
    return format_percent(value, locale=_locale(), numbering_system="default")


@register.filter
def local_number(value: Decimal | float | int | None) -> str:
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.#", locale=_locale(), numbering_system="default")
