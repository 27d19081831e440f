"""Everything that writes schools and people."""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from school.choices import ProgrammePeriod, Role
from school.models import (
    CalendarFeed,
    School,
    SignInLink,
    SpecialCategoryData,
    SpecialCategoryRead,
    Student,
    Teacher,
    User,
)
from school.two_factor import token_matches


@transaction.atomic
def school_create(
    *,
    name: str,
    country: str,
    programme_period: str = ProgrammePeriod.ESF_2021_2027,
    operation_code: str = "",
    time_zone: str = "Europe/Athens",
    slug: str = "",
) -> School:
    school = School(
        name=name,
        slug=slug,
        country=country.upper(),
        programme_period=programme_period,
        operation_code=operation_code,
        time_zone=time_zone,
    )
    school.fill_slug()
    school.full_clean()
    school.save()
    return school


@transaction.atomic
def user_upsert(
    *,
    username: str,
    password: str | None,
    role: str,
    school: School,
    student: Student | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    language: str | None = None,
) -> User:
    """Create a user with one role in one school, or update the user of that name.

    1. Check the role and, for a student account, that its student record is in the school.
    2. Create or update the user; coordinators and auditors may open the admin.
    3. Put the user in exactly the group of their role (the group carries the permissions).
    4. Give a teacher their teacher profile; link a student account to its student record.
    """
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role %(role)s.") % {"role": role}})
    if role == Role.STUDENT:
        if student is None:
            raise ValidationError({"student": _("A student account needs its student record.")})
        if student.school_id != school.pk:
            raise ValidationError({"student": _("That student is not in this school.")})

    user = User.objects.select_for_update().filter(username=username).first()
    if user is None:
        user = User(username=username)
    user.school = school
    user.role = role
    user.is_staff = role in (Role.COORDINATOR, Role.AUDITOR)
    if first_name or not user.pk:
        user.first_name = first_name or (student.first_name if student else "")
    if last_name or not user.pk:
        user.last_name = last_name or (student.last_name if student else "")
    if email:
        user.email = email
    if language:
        user.language = language
    elif student is not None and not user.pk:
        user.language = student.language
    if password:
        user.set_password(password)
    elif not user.pk:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()

    group, _created = Group.objects.get_or_create(name=role)
    user.groups.set([group])

    if role == Role.TEACHER:
        Teacher.objects.update_or_create(user=user, defaults={"school": school})
    if student is not None and role == Role.STUDENT:
        # One account per student record: take it over from any earlier account.
        Student.objects.filter(user=user).exclude(pk=student.pk).update(user=None)
        student.user = user
        student.save(update_fields=["user", "updated_at"])
    return user


STUDENT_FIELDS = {f.name for f in Student._meta.fields} - {
    "id",
    "school",
    "user",
    "created_at",
    "updated_at",
}


@transaction.atomic
def student_create(*, school: School, **fields: object) -> Student:
    unknown = set(fields) - STUDENT_FIELDS
    if unknown:
        raise ValueError(f"not student fields: {sorted(unknown)}")
    student = Student(school=school, **fields)
    student.full_clean()
    student.save()
    return student


@transaction.atomic
def student_update(*, student: Student, **fields: object) -> Student:
    unknown = set(fields) - STUDENT_FIELDS
    if unknown:
        raise ValueError(f"not student fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(student, name, value)
    student.full_clean()
    student.save()
    return student


def special_category_reads_record(*, user: User, students: list[Student], via: str) -> None:
    """Keep who read which students' special-category data, when and through what.

    A row per student in ``SpecialCategoryRead``; nothing of the data itself, and nothing in
    the log files, so the trail can be shown without showing what was read.
    """
    SpecialCategoryRead.objects.bulk_create(
        SpecialCategoryRead(school_id=student.school_id, student=student, user=user, via=via)
        for student in students
    )


SPECIAL_CATEGORY_FIELDS = {f.name for f in SpecialCategoryData._meta.fields if f.name != "student"}


@transaction.atomic
def special_category_update(*, student: Student, **fields: object) -> SpecialCategoryData:
    unknown = set(fields) - SPECIAL_CATEGORY_FIELDS
    if unknown:
        raise ValueError(f"not special-category fields: {sorted(unknown)}")
    data, _created = SpecialCategoryData.objects.select_for_update().get_or_create(student=student)
    for name, value in fields.items():
        setattr(data, name, value)
    data.full_clean()
    data.save()
    return data


@transaction.atomic
def user_language_set(*, user: User, language: str) -> User:
    """Keep a user's language on their profile; a student's messages follow it too."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Unknown language.")})
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
    if user.role == Role.STUDENT:
        Student.objects.filter(user=user).update(language=language)
    return user


# -- the secret calendar address -------------------------------------------------------------


def calendar_feed_token(feed: CalendarFeed) -> str:
    """The feed's secret: its public id and an HMAC (SHA-256) of its key under SECRET_KEY."""
    digest = salted_hmac(
        "school.calendar_feed", f"{feed.public_id}:{feed.key}", algorithm="sha256"
    ).hexdigest()
    return f"{feed.public_id}{digest}"


@transaction.atomic
def calendar_feed_renew(*, user: User) -> CalendarFeed:
    """A new secret address; the old one stops working at once."""
    feed, _created = CalendarFeed.objects.select_for_update().get_or_create(
        user=user,
        defaults={"public_id": secrets.token_hex(8), "key": secrets.token_urlsafe(32)},
    )
    if not _created:
        feed.public_id = secrets.token_hex(8)
        feed.key = secrets.token_urlsafe(32)
        feed.save(update_fields=["public_id", "key", "renewed_at"])
    return feed


# -- one-time sign-in links ------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in_link_create(*, user: User, expires_at: dt.datetime | None = None) -> str:
    """A new one-time sign-in token for a user (only its hash is stored), living
    ``SIGN_IN_LINK_MINUTES`` unless it is given a later end (a questionnaire's link lives while
    the questionnaire is open)."""
    token = secrets.token_urlsafe(32)
    # Dead links are of no use to anyone: clear a day's worth out as new ones are made.
    SignInLink.objects.filter(expires_at__lt=timezone.now() - dt.timedelta(days=1)).delete()
    SignInLink.objects.create(
        user=user,
        token_hash=_token_hash(token),
        expires_at=expires_at
        or timezone.now() + dt.timedelta(minutes=settings.SIGN_IN_LINK_MINUTES),
    )
    return token


def sign_in_link_use(*, token: str) -> User | None:
    """The user a token signs in, once: a conditional UPDATE that only one request can win.

    Unknown, expired and used tokens all give None; so does an account that was disabled.
    """
    if not token or len(token) > 100:
        return None
    now = timezone.now()
    with transaction.atomic():
        link = (
            SignInLink.objects.select_for_update()
            .filter(token_hash=_token_hash(token), used_at__isnull=True, expires_at__gt=now)
            .select_related("user")
            .first()
        )
        if link is None or not link.user.is_active:
            return None
        link.used_at = now
        link.save(update_fields=["used_at"])
        # Old links of the same user are of no more use once they are signed in.
        SignInLink.objects.filter(user=link.user, used_at__isnull=True).update(used_at=now)
    return link.user


@transaction.atomic
def api_token_issue(*, user: User, otp: str = "") -> Token:
    """The API token of a user who gave their password.

    1. A coordinator of a school that asks for a second factor also gives a current code from
       their authenticator app.
    2. The user's token, made the first time they ask.
    """
    if (
        user.role == Role.COORDINATOR
        and user.school is not None
        and user.school.coordinators_two_factor
        and not token_matches(user=user, token=otp)
    ):
        raise ValidationError(
            {"otp": [_("Your school asks for the code from your authenticator app.")]}
        )
    token, _created = Token.objects.get_or_create(user=user)
    return token
