"""Everything that reads schools and people with a shape."""

from django.db.models import Q, QuerySet
from django.utils.crypto import constant_time_compare
from phonenumber_field.phonenumber import PhoneNumber

from school.choices import Role
from school.models import CalendarFeed, Student, Teacher, User


def user_profile(*, user_id: int) -> User:
    """The signed-in user with the profile links ``/api/v1/me/`` shows, in one query."""
    return User.objects.select_related("school", "teacher", "student").get(pk=user_id)


def teachers_visible_to(*, user: User) -> QuerySet[Teacher]:
    qs = Teacher.objects.select_related("user")
    if user.is_superuser:
        return qs
    if user.role in (Role.COORDINATOR, Role.AUDITOR, Role.TEACHER):
        return qs.filter(school=user.school)
    return qs.none()


def students_of_school(*, school_id: int) -> QuerySet[Student]:
    return Student.objects.filter(school_id=school_id)


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
