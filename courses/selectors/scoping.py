"""What each role may see of cycles, lessons, enrollments and students.

Coordinators and auditors: their school. Teachers: the cycles they teach (and those cycles'
lessons, enrollments and students, names only). Students: their own. Anything else is simply
absent, so the API answers 404 and never reveals it exists (``school.scoping``).
"""

from django.db.models import OuterRef, Q, QuerySet, Subquery

from courses.models import Certificate, Cycle, Enrollment, Lesson
from school.choices import Role
from school.models import Student, User
from school.scoping import Scope, both, of_school, of_user, through, visible_to

CYCLES = Scope(
    Cycle,
    {
        Role.COORDINATOR: of_school(),
        Role.AUDITOR: of_school(),
        Role.TEACHER: both(of_school(), of_user("teachers__user")),
        Role.STUDENT: both(of_school(), of_user("enrollments__student__user")),
    },
)
LESSONS = Scope(Lesson, dict.fromkeys(Role.ALL, through("cycle", CYCLES)))
ENROLLMENTS = Scope(
    Enrollment,
    {**dict.fromkeys(Role.STAFF, through("cycle", CYCLES)), Role.STUDENT: of_user("student__user")},
)


def _taught_by(user: User) -> Q:
    """The students of the cycles a teacher teaches (a subquery: one row per student)."""
    enrollments = Enrollment.objects.filter(cycle__in=visible_to(user, CYCLES))
    return Q(pk__in=enrollments.values("student_id"))


STUDENTS = Scope(
    Student,
    {
        Role.COORDINATOR: of_school(),
        Role.AUDITOR: of_school(),
        Role.TEACHER: _taught_by,
        Role.STUDENT: of_user("user"),
    },
)


# Certificates: the school's for its coordinators and auditors, their own for a student;
# a teacher signs the attendance sheet and has none to see.
CERTIFICATES = Scope(
    Certificate,
    {
        Role.COORDINATOR: of_school("enrollment__cycle__school"),
        Role.AUDITOR: of_school("enrollment__cycle__school"),
        Role.STUDENT: of_user("enrollment__student__user"),
    },
)


def certificates_visible_to(*, user: User) -> QuerySet[Certificate]:
    return visible_to(user, CERTIFICATES).select_related(
        "enrollment__student", "enrollment__cycle__level"
    )


def cycles_visible_to(*, user: User) -> QuerySet[Cycle]:
    return visible_to(user, CYCLES)


def lessons_visible_to(*, user: User) -> QuerySet[Lesson]:
    return visible_to(user, LESSONS)


def enrollments_visible_to(*, user: User) -> QuerySet[Enrollment]:
    return visible_to(user, ENROLLMENTS)


def students_visible_to(*, user: User) -> QuerySet[Student]:
    return visible_to(user, STUDENTS)


def enrollments_for_certificates(*, student: Student) -> QuerySet[Enrollment]:
    """The student's enrollments that may have a certificate (not waitlisted), each with the
    id of its valid certificate of attendance and of completion (or None): one query."""
    valid = Certificate.objects.filter(enrollment=OuterRef("pk"), revoked_at__isnull=True)
    return (
        Enrollment.objects.filter(student=student)
        .exclude(status=Enrollment.Status.WAITLISTED)
        .select_related("cycle__level")
        .annotate(
            attendance_certificate=Subquery(
                valid.filter(kind=Certificate.Kind.ATTENDANCE).values("pk")[:1]
            ),
            completion_certificate=Subquery(
                valid.filter(kind=Certificate.Kind.COMPLETION).values("pk")[:1]
            ),
        )
        .order_by("-cycle__starts_on", "pk")
    )
