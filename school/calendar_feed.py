"""A user's lessons and exams as iCalendar (RFC 5545), for phones that subscribe to it: the
calendar itself, its two doors (the secret address and the API) and the link on the student's
page.

This app makes the calendar and knows no lesson or exam: the apps that hold them register
their events at start-up (``calendar_part_register`` in their ``AppConfig.ready()``).
"""

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import icalendar
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from school.choices import Role
from school.models import CalendarFeed, School, Student, Teacher, User
from school.permissions import request_user
from school.selectors import calendar_feed_user
from school.services import calendar_feed_token

PAST_DAYS = 60
FUTURE_DAYS = 366
# UIDs stay the same for the life of a lesson or registration, so a calendar app updates the
# event in place when a lesson moves or is cancelled instead of adding a second one.
UID_DOMAIN = "school-office"


@dataclass(frozen=True)
class CalendarOwner:
    """Whose calendar is being made, and the days it covers (in the school's time zone)."""

    user: User
    school: School
    student: Student | None
    teacher: Teacher | None
    start: dt.date
    end: dt.date
    # The moment the calendar is made (each event's DTSTAMP).
    stamp: dt.datetime


@dataclass(frozen=True)
class CalendarPart:
    name: str
    order: int
    events: Callable[[CalendarOwner], Iterable[icalendar.Event]]


_PARTS: dict[str, CalendarPart] = {}


def calendar_part_register(part: CalendarPart) -> None:
    _PARTS[part.name] = part


def calendar_for(*, user: User) -> bytes:
    """The user's calendar: a student's lessons and exams, a teacher's lessons, in the school's
    time zone (with its VTIMEZONE) and in the user's language. Nothing for other roles."""
    school = user.school
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//School office//Lessons and exams//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    with translation.override(user.language):
        calendar.add("x-wr-calname", _("My Greek lessons"))
        if school is None:
            return calendar.to_ical()
        calendar.add("x-wr-timezone", school.time_zone)
        calendar.add("refresh-interval", dt.timedelta(hours=6), parameters={"VALUE": "DURATION"})
        today = school.today()
        owner = CalendarOwner(
            user=user,
            school=school,
            student=getattr(user, "student", None) if user.role == Role.STUDENT else None,
            teacher=getattr(user, "teacher", None) if user.role == Role.TEACHER else None,
            start=today - dt.timedelta(days=PAST_DAYS),
            end=today + dt.timedelta(days=FUTURE_DAYS),
            stamp=timezone.now().replace(microsecond=0),
        )
        for part in sorted(_PARTS.values(), key=lambda part: (part.order, part.name)):
            for event in part.events(owner):
                calendar.add_component(event)
        calendar.add_missing_timezones()
    return calendar.to_ical()


def _ics(body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="lessons.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The calendar behind a secret address, for calendar apps that cannot sign in. A wrong or
    renewed address is a plain 404 (the log filter keeps the token out of the logs)."""
    user = calendar_feed_user(token=token)
    if user is None:
        raise Http404
    return _ics(calendar_for(user=user))


class ICalendarRenderer(BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        # Only errors reach the renderer (the view returns the calendar itself): plain JSON.
        return data if isinstance(data, bytes) else json.dumps(data).encode()


class MyCalendarView(APIView):
    """The signed-in user's lessons and exams as iCalendar (text/calendar), in the school's
    time zone; cancelled lessons have STATUS:CANCELLED."""

    renderer_classes = [ICalendarRenderer]

    @extend_schema(
        responses={
            (200, "text/calendar"): OpenApiResponse(OpenApiTypes.STR, description="iCalendar")
        }
    )
    def get(self, request: Request) -> HttpResponse:
        return _ics(calendar_for(user=request_user(request)))


def calendar_link(request: HttpRequest, student: Student, today: dt.date) -> dict[str, Any]:
    """The student page's part: the secret calendar address, once the student asked for one."""
    feed = CalendarFeed.objects.filter(user=request_user(request)).first()
    if feed is None:
        return {"feed_url": None}
    feed_url = request.build_absolute_uri(
        reverse("calendar-feed", args=[calendar_feed_token(feed)])
    )
    # webcal:// makes phones subscribe (and keep the calendar up to date), not download.
    return {"feed_url": feed_url, "webcal_url": "webcal://" + feed_url.split("://", 1)[1]}
