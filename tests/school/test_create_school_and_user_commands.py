"""The operator's commands that set a school up: create_school and create_user (with the
role's group, and a student account linked to its record in the same school)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from school.models import School, User
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip()


def test_create_school_prints_its_id():
    school_id = run(
        "create_school",
        "--name",
        "Social School of Example",
        "--country",
        "gr",
        "--period",
        "2014-2020",
        "--operation-code",
        "MIS-1",
    )
    school = School.objects.get(pk=int(school_id))
    assert school.country.code == "GR"
    assert school.programme_period == "2014-2020"
    assert school.operation_code == "MIS-1"


def test_create_school_with_unknown_country_is_a_clear_error():
    with pytest.raises(CommandError, match="valid choice"):
        run("create_school", "--name", "X", "--country", "ZZ")


@pytest.mark.parametrize("role", ["coordinator", "teacher", "auditor"])
def test_create_user_gives_the_role_and_its_group(role, school):
    run(
        "create_user",
        "--username",
        "u1",
        "--password",
        "s3cret-pass",
        "--role",
        role,
        "--school",
        str(school.pk),
    )
    user = User.objects.get(username="u1")
    assert user.role == role
    assert user.school == school
    assert list(user.groups.values_list("name", flat=True)) == [role]
    assert user.check_password("s3cret-pass")
    assert user.is_staff == (role != "teacher")
    assert hasattr(user, "teacher") == (role == "teacher")


def test_create_user_again_updates_the_same_user(school):
    run(
        "create_user",
        "--username",
        "u1",
        "--password",
        "first-pass",
        "--role",
        "teacher",
        "--school",
        str(school.pk),
    )
    run(
        "create_user",
        "--username",
        "u1",
        "--password",
        "second-pass",
        "--role",
        "coordinator",
        "--school",
        str(school.pk),
    )
    user = User.objects.get(username="u1")
    assert User.objects.filter(username="u1").count() == 1
    assert user.role == "coordinator"
    assert user.check_password("second-pass")
    assert list(user.groups.values_list("name", flat=True)) == ["coordinator"]


def test_student_account_links_to_its_record(school):
    student = StudentFactory(school=school)
    run(
        "create_user",
        "--username",
        "s1",
        "--password",
        "pw-student-1",
        "--role",
        "student",
        "--school",
        str(school.pk),
        "--student",
        str(student.pk),
    )
    student.refresh_from_db()
    assert student.user.username == "s1"


def test_student_account_without_its_record_is_refused(school):
    with pytest.raises(CommandError, match="student record"):
        run(
            "create_user",
            "--username",
            "s1",
            "--password",
            "pw",
            "--role",
            "student",
            "--school",
            str(school.pk),
        )


def test_student_of_another_school_is_refused(school):
    other = StudentFactory()
    with pytest.raises(CommandError, match="not in this school"):
        run(
            "create_user",
            "--username",
            "s1",
            "--password",
            "pw",
            "--role",
            "student",
            "--school",
            str(school.pk),
            "--student",
            str(other.pk),
        )


def test_unknown_school_is_a_clear_error():
    with pytest.raises(CommandError, match="No school with id 999999"):
        run(
            "create_user",
            "--username",
            "x",
            "--password",
            "pw",
            "--role",
            "teacher",
            "--school",
            "999999",
        )


def test_a_school_address_of_digits_alone_is_refused_and_never_made():
    from django.core.exceptions import ValidationError

    from school.services import school_create

    with pytest.raises(ValidationError) as error:
        school_create(name="Σχολείο", country="GR", slug="2024")
    assert "slug" in error.value.message_dict
    assert school_create(name="2024", country="GR").slug == "school-2024"
    assert school_create(name="Σχολείο Αθήνας", country="GR").slug == "school"
