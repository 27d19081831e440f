"""Everything that reads schools and people with a shape."""

from django.db.models import QuerySet

from school.choices import Role
from school.models import Student, Teacher, User


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
