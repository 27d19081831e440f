"""Everything that reads schools and people with a shape."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from school.choices import Role
from school.models import SpecialCategoryData, Student, Teacher, User
from school.permissions import sees_special_category
from school.services import special_category_reads_record


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


def special_category_read(*, user: User, student: Student, via: str) -> SpecialCategoryData:
    """A student's special-category data for a user allowed to see it; the read is recorded.

    Callers check ``sees_special_category`` first; this refuses anyone else as a last guard.
    """
    if not sees_special_category(user):
        raise PermissionDenied
    data = SpecialCategoryData.objects.filter(student=student).first()
    special_category_reads_record(user=user, students=[student], via=via)
    return data or SpecialCategoryData(student=student)
