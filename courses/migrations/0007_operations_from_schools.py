"""One operation per school from its operation code and programme period; every cycle joins it;
each student who attended becomes a participant with their entry record frozen as it stands,
and each withdrawal or completion an exit (the student's one set of exit answers goes to their
last exit)."""

from django.db import migrations

LONG_TERM = {True: 6, False: 12}  # more than this many months, under 25 / 25 and over
EXIT_REASONS = {"completed": "completed", "withdrawn": "withdrew"}
ENTRY_FIELDS = (
    "gender", "date_of_birth", "nationality", "labour_market_status", "unemployed_months",
    "isced_level", "household_jobless", "household_dependent_children", "household_single_adult",
    "foreign_background", "other_disadvantage", "homeless", "rural_area",
)


def age_on(born, day):
    if born is None or day is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def status_at_entry(status, months, age):
    """Long-term worked out from the months and the age; a contradiction becomes unknown."""
    if status not in ("unemployed", "long_term_unemployed"):
        return (status, None) if months is None else ("", None)
    if months is None:
        return ("unemployed", None) if status == "unemployed" else ("", None)
    threshold = LONG_TERM[age is not None and age < 25]
    if months > threshold:
        return "long_term_unemployed", months
    return ("unemployed", months) if status == "unemployed" else ("", None)


def forwards(apps, schema_editor):
    School = apps.get_model("school", "School")
    Operation = apps.get_model("school", "Operation")
    Participation = apps.get_model("school", "Participation")
    EntryAnswers = apps.get_model("school", "EntryAnswers")
    EntrySpecialCategory = apps.get_model("school", "EntrySpecialCategory")
    Exit = apps.get_model("school", "Exit")
    SpecialCategoryData = apps.get_model("school", "SpecialCategoryData")
    Student = apps.get_model("school", "Student")
    Cycle = apps.get_model("courses", "Cycle")
    Enrollment = apps.get_model("courses", "Enrollment")

    for school in School.objects.all():
        cycles = Cycle.objects.filter(school=school)
        first = cycles.order_by("starts_on").values_list("starts_on", flat=True).first()
        operation = Operation.objects.create(
            school=school,
            code=school.operation_code or school.name[:50],
            programme_period=school.programme_period,
            starts_on=first or school.created_at.date(),
        )
        cycles.update(operation=operation)

        enrollments = {}
        for row in (
            Enrollment.objects.filter(cycle__school=school, entry_date__isnull=False)
            .order_by("student_id", "entry_date", "pk")
            .values("student_id", "entry_date", "exit_date", "status")
        ):
            enrollments.setdefault(row["student_id"], []).append(row)
        students = Student.objects.in_bulk(list(enrollments))
        special = SpecialCategoryData.objects.in_bulk(list(enrollments))
        for student_id, rows in enrollments.items():
            student = students[student_id]
            participation = Participation.objects.create(
                student=student,
                operation=operation,
                entry_date=rows[0]["entry_date"],
                last_entry_date=max(r["entry_date"] for r in rows),
            )
            if student.entry_form_on is not None:
                answers = {name: getattr(student, name) for name in ENTRY_FIELDS}
                answers["labour_market_status"], answers["unemployed_months"] = status_at_entry(
                    student.labour_market_status,
                    student.unemployed_months,
                    age_on(student.date_of_birth, participation.entry_date),
                )
                EntryAnswers.objects.create(
                    participation=participation,
                    answered_on=student.entry_form_on,
                    source="record",
                    **answers,
                )
                data = special.get(student_id)
                if data is not None and (data.disability or data.minority):
                    EntrySpecialCategory.objects.create(
                        participation=participation,
                        disability=data.disability,
                        disability_asked_on=data.disability_asked_on,
                        minority=data.minority,
                        minority_asked_on=data.minority_asked_on,
                    )
            exits = {}
            for row in rows:
                if row["exit_date"] is not None and row["status"] in EXIT_REASONS:
                    exits[row["exit_date"]] = EXIT_REASONS[row["status"]]
            last = None
            for day in sorted(exits):
                last = Exit.objects.create(participation=participation, date=day, reason=exits[day])
            if last is not None and student.exit_form_on is not None:
                last.answered_on = student.exit_form_on
                last.source = "record"
                last.in_education = student.exit_in_education
                last.employed = student.exit_employed
                last.job_searching = student.exit_job_searching
                last.save()


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0006_cycle_operation"),
        ("school", "0008_operations_participations"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
