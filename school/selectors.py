"""Everything that reads schools and people with a shape."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    When,
)
from django.db.models.functions import ExtractYear
from django.utils.crypto import constant_time_compare
from phonenumber_field.phonenumber import PhoneNumber

from school.choices import Role
from school.models import (
    EU_MEMBER_STATES,
    CalendarFeed,
    Report,
    SpecialCategoryData,
    Student,
    Teacher,
    User,
)
from school.permissions import sees_special_category
from school.scoping import Scope, of_school, visible_to
from school.services import special_category_reads_record


def user_profile(*, user_id: int) -> User:
    """The signed-in user with the profile links ``/api/v1/me/`` shows, in one query."""
    return User.objects.select_related("school", "teacher", "student").get(pk=user_id)


# The school's teachers, for everyone on its staff (``school.scoping``).
TEACHERS = Scope(Teacher, dict.fromkeys(Role.STAFF, of_school()))


def teachers_visible_to(*, user: User) -> QuerySet[Teacher]:
    """The teachers the user may see, with their user: one query."""
    return visible_to(user, TEACHERS).select_related("user")


# The school's funding reports, for its office.
REPORTS = Scope(Report, dict.fromkeys(Role.OFFICE, of_school()))


def reports_visible_to(*, user: User) -> QuerySet[Report]:
    return visible_to(user, REPORTS)


def report_list(*, user: User) -> QuerySet[Report]:
    """The reports the user may see, newest first, with who asked: one query."""
    return (
        reports_visible_to(user=user).select_related("requested_by").order_by("-created_at", "-pk")
    )


def students_of_school(*, school_id: int) -> QuerySet[Student]:
    return Student.objects.filter(school_id=school_id)


def special_category_read(*, user: User, student: Student, via: str) -> SpecialCategoryData:
    """A student's special-category data for a user allowed to see it; the read is recorded.

    Callers check ``sees_special_category`` first; this refuses anyone else as a last guard.
    """
    if not sees_special_category(user):
        raise PermissionDenied
    data = SpecialCategoryData.objects.filter(student=student).first()
    special_category_reads_record(user=user, students=[student], via=via)
    return data or SpecialCategoryData(student=student)


def age_in_sql(born: str, day: str) -> Case:
    """Age in whole years on ``day``, in SQL: years between, less one before the birthday."""
    before_birthday = Q(**{f"{born}__month__gt": F(f"{day}__month")}) | Q(
        **{f"{born}__month": F(f"{day}__month"), f"{born}__day__gt": F(f"{day}__day")}
    )
    years = ExtractYear(day) - ExtractYear(born)
    return Case(When(before_birthday, then=years - 1), default=years, output_field=IntegerField())


def participant_indicators(*, school_id: int) -> dict[str, int]:
    """Counts of the funder's common participant indicators (DOMAIN.md §2), in one query.

    Ages are taken on the entry form's date. These are the figures that must not move when
    personal data are anonymised.
    """
    age = age_in_sql("date_of_birth", "entry_form_on")
    yes = "yes"
    eu = sorted(EU_MEMBER_STATES)
    counts: dict[str, Any] = {
        "participants": Count("pk"),
        "women": Count("pk", filter=Q(gender="female")),
        "men": Count("pk", filter=Q(gender="male")),
        "other_gender": Count("pk", filter=Q(gender="other")),
        "unemployed": Count("pk", filter=Q(labour_market_status="unemployed")),
        "long_term_unemployed": Count("pk", filter=Q(labour_market_status="long_term_unemployed")),
        "inactive": Count(
            "pk", filter=Q(labour_market_status__in=["inactive", "inactive_in_education"])
        ),
        "employed": Count("pk", filter=Q(labour_market_status="employed")),
        "under_18": Count("pk", filter=Q(age__lt=18)),
        "aged_18_29": Count("pk", filter=Q(age__gte=18, age__lte=29)),
        "under_25": Count("pk", filter=Q(age__lt=25)),
        "over_54": Count("pk", filter=Q(age__gt=54)),
        "isced_0_2": Count("pk", filter=Q(isced_level__lte=2)),
        "isced_3_4": Count("pk", filter=Q(isced_level__in=[3, 4])),
        "isced_5_8": Count("pk", filter=Q(isced_level__gte=5)),
        "third_country": Count("pk", filter=~Q(nationality="") & ~Q(nationality__in=eu)),
        "foreign_background": Count("pk", filter=Q(foreign_background=yes)),
        "minority": Count("pk", filter=Q(special_category__minority=yes)),
        "disability": Count("pk", filter=Q(special_category__disability=yes)),
        "homeless": Count("pk", filter=Q(homeless=yes)),
        "rural": Count("pk", filter=Q(rural_area=True)),
        "jobless_household": Count("pk", filter=Q(household_jobless=yes)),
        "qualification_gained": Count("pk", filter=Q(qualification_gained_on__isnull=False)),
        "employed_on_exit": Count("pk", filter=Q(exit_employed=True)),
    }
    return Student.objects.filter(school_id=school_id).annotate(age=age).aggregate(**counts)


FEED_ID_LENGTH = 16


def calendar_feed_user(*, token: str) -> User | None:
    """The user of a secret calendar address, or None. The id finds the row; the rest is
    compared in constant time, so answers take as long for a near miss as for a wild guess."""
    from school.services import calendar_feed_token

    if len(token) != FEED_ID_LENGTH + 64:
        return None
    feed = (
        CalendarFeed.objects.select_related("user__school")
        .filter(public_id=token[:FEED_ID_LENGTH], user__is_active=True)
        .first()
    )
    if feed is None or not constant_time_compare(calendar_feed_token(feed), token):
        return None
    return feed.user


def student_accounts_for_address(*, address: str, region: str = "GR") -> list[User]:
    """Active student accounts whose student record has this phone or e-mail (a family may
    share a phone). Anything that is neither gives nobody."""
    address = address.strip()[:254]
    if "@" in address:
        match = Q(email__iexact=address)
    else:
        try:
            phone = PhoneNumber.from_string(address, region=region)
        except Exception:
            return []
        if not phone.is_valid():
            return []
        match = Q(phone=phone.as_e164)
    students = (
        Student.objects.filter(match, user__is_active=True, user__role=Role.STUDENT)
        .select_related("user", "school")
        .order_by("pk")[:5]
    )
    accounts = []
    for student in students:
        user = student.user
        assert user is not None
        user.student = student
        accounts.append(user)
    return accounts


def report_builds_by_status() -> dict[str, int]:
    """Funding reports per status (pending, running, done, failed): one query."""
    counts = dict.fromkeys(Report.Status.values, 0)
    rows = Report.objects.order_by().values_list("status").annotate(count=Count("pk"))
    counts.update(dict(rows))
    return counts


def report_build_durations(*, buckets: list[float]) -> tuple[list[int], int, float]:
    """How long finished builds took, as a histogram: the number of builds at or under each
    bucket's seconds, the number of builds and their total seconds. One query."""
    finished = Report.objects.filter(
        status__in=[Report.Status.DONE, Report.Status.FAILED],
        started_at__isnull=False,
        finished_at__isnull=False,
    )
    took = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    figures = finished.aggregate(
        count=Count("pk"),
        total=Sum(took),
        **{
            f"le{index}": Count(
                "pk", filter=Q(finished_at__lte=F("started_at") + dt.timedelta(seconds=bound))
            )
            for index, bound in enumerate(buckets)
        },
    )
    total = figures["total"].total_seconds() if figures["total"] else 0.0
    return [figures[f"le{index}"] for index in range(len(buckets))], figures["count"], total
