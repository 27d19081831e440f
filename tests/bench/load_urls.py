"""The site's URLs and, for ``make bench-load`` only, a minimal roster to measure the real one
against: the same rows, each student's rate and at-risk flag, from one ``.values()`` query with
one GROUP BY over the cycle's marks."""

from decimal import Decimal

from django.db.models import F, Max, Q, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, JsonResponse
from django.urls import path

from config.urls import handler500  # noqa: F401
from config.urls import urlpatterns as site
from courses.models import Enrollment, Lesson

ATTENDED = ["present", "late"]
MISSED = ["absent", "excused"]


def minimal_roster(request: HttpRequest, pk: int) -> JsonResponse:
    lesson = Lesson.objects.select_related("cycle__school").get(pk=pk)
    cycle = lesson.cycle
    percent = cycle.absence_limit_percent or cycle.school.absence_limit_percent
    limit = cycle.total_hours * Decimal(percent) / 100
    held = Q(attendance__lesson__status="held")
    rows = (
        Enrollment.objects.filter(cycle_id=lesson.cycle_id, status="enrolled")
        .values("pk", "student_id", "student__first_name", "student__last_name")
        .annotate(
            held_hours=Coalesce(Sum("attendance__lesson__hours", filter=held), Decimal(0)),
            attended_hours=Coalesce(
                Sum("attendance__lesson__hours", filter=held & Q(attendance__status__in=ATTENDED)),
                Decimal(0),
            ),
            missed_hours=Coalesce(
                Sum("attendance__lesson__hours", filter=held & Q(attendance__status__in=MISSED)),
                Decimal(0),
            ),
            mark=Max("attendance__status", filter=Q(attendance__lesson_id=pk)),
        )
        .order_by(F("student__last_name"), "student__first_name", "pk")
    )
    return JsonResponse(
        [
            {
                "enrollment": row["pk"],
                "student": row["student_id"],
                "name": f"{row['student__first_name']} {row['student__last_name']}",
                "status": row["mark"],
                "attendance_rate": (
                    float(row["attended_hours"] / row["held_hours"]) if row["held_hours"] else None
                ),
                "at_risk": row["missed_hours"] > limit,
            }
            for row in rows
        ],
        safe=False,
    )


urlpatterns = [path("bench/minimal-roster/<int:pk>/", minimal_roster), *site]
