from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from school.choices import Role
from school.models import School, Student
from school.services import user_upsert


class Command(BaseCommand):
    help = "Create a user with a role in a school, or update the user of that name."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--school", required=True, type=int, help="the school's id")
        parser.add_argument("--student", type=int, help="the student record a student signs in as")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        school = School.objects.filter(pk=options["school"]).first()
        if school is None:
            raise CommandError(f"No school with id {options['school']}.")
        student = None
        if options["student"] is not None:
            student = Student.objects.filter(pk=options["student"]).first()
            if student is None:
                raise CommandError(f"No student with id {options['student']}.")
        try:
            user = user_upsert(
                username=options["username"],
                password=options["password"],
                role=options["role"],
                school=school,
                student=student,
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"{user.username} is a {user.role} of {school.name} (user id {user.pk})")
