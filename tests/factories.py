"""factory_boy factories: fictional people only."""

import datetime as dt
from decimal import Decimal

import factory
import pytest
from django.contrib.auth.models import Group

from courses.models import Cycle, Enrollment, Lesson, Level, TimetableSlot
from courses.services.participation import enrollment_exit, participations_sync
from exams.models import ExamRegistration, ExamRound, ExamScheme
from school.models import School, Student, Teacher, User, Venue
from school.services.participation import operation_for


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"Test School {n}")
    country = "GR"
    operation_code = factory.Sequence(lambda n: f"OP-{n:05d}")
    slug = factory.Sequence(lambda n: f"test-school-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    school = factory.SubFactory(SchoolFactory)
    role = "coordinator"
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def role_group(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and self.role:
            self.is_staff = self.role in ("coordinator", "auditor")
            self.save()
            self.groups.set([Group.objects.get_or_create(name=self.role)[0]])


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Venue {n}")


class TeacherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Teacher

    user = factory.SubFactory(UserFactory, role="teacher", school=factory.SelfAttribute("..school"))
    school = factory.SubFactory(SchoolFactory)


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    school = factory.SubFactory(SchoolFactory)
    first_name = factory.Iterator(["Amina", "Omid", "Olena", "Grâce", "يوسف", "زهرا"])
    last_name = factory.Sequence(lambda n: f"Testperson{n}")
    date_of_birth = dt.date(1990, 4, 1)
    gender = "female"
    nationality = "SY"
    language = "ar"
    phone = factory.Sequence(lambda n: f"+30690{n:07d}")
    email = factory.Sequence(lambda n: f"student{n}@example.org")


def level(code: str = "A1") -> Level:
    return Level.objects.get(code=code)


# The factories' dates are built around this moment (a Monday evening in Athens, in the middle
# of the default cycle). A test that lets the services work out "today" runs at this moment
# (``@on_factory_day``), so it passes whatever day the suite runs.
FACTORY_DAY = dt.datetime(2026, 11, 23, 19, 0, tzinfo=dt.UTC)
on_factory_day = pytest.mark.time_machine(FACTORY_DAY)


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle

    school = factory.SubFactory(SchoolFactory)
    level = factory.LazyFunction(level)
    code = factory.Sequence(lambda n: f"A1-TEST-{n}")
    starts_on = dt.date(2026, 10, 5)
    ends_on = dt.date(2027, 1, 29)
    capacity = 20
    total_hours = Decimal(96)
    operation = factory.LazyAttribute(lambda cycle: operation_for(cycle.school, cycle.starts_on))


class TimetableSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimetableSlot

    cycle = factory.SubFactory(CycleFactory)
    weekday = 0
    starts_at = dt.time(17)
    ends_at = dt.time(20)


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    cycle = factory.SubFactory(CycleFactory)
    date = dt.date(2026, 11, 23)
    starts_at = dt.time(17)
    ends_at = dt.time(20)
    hours = Decimal(3)


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment
        skip_postgeneration_save = True

    cycle = factory.SubFactory(CycleFactory)
    student = factory.SubFactory(StudentFactory, school=factory.SelfAttribute("..cycle.school"))
    status = "enrolled"

    @factory.post_generation
    def participation(self, create: bool, extracted: object, **kwargs: object) -> None:
        """An enrollment built as already entered (or left) is a participation, as the
        attendance and withdrawal services make it."""
        if not create or self.entry_date is None:
            return
        if self.exit_date is not None and self.status in ("completed", "withdrawn"):
            enrollment_exit(self, reason="completed" if self.status == "completed" else "withdrew")
        else:
            participations_sync([self.pk])


class ExamRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExamRound

    school = factory.SubFactory(SchoolFactory)
    scheme = factory.LazyFunction(
        lambda: ExamScheme.objects.get(exam_type__code="ellinomatheia", level__code="A1")
    )
    name = factory.Sequence(lambda n: f"A1 round {n}")
    registration_deadline = dt.date(2027, 3, 31)
    exam_date = dt.date(2027, 5, 15)
    centre = "Test exam centre"


class ExamRegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExamRegistration

    exam_round = factory.SubFactory(ExamRoundFactory)
    student = factory.SubFactory(
        StudentFactory, school=factory.SelfAttribute("..exam_round.school")
    )
