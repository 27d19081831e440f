"""The published defaults of DOMAIN.md §1, as editable data.

Greek-language certificate at A1 and A2: reading, writing, listening, speaking, 25 points each,
a skill passed at 60% of its maximum, the exam passed when every skill passes; grade bands
60-74% good, 75-89% very good, 90-100% excellent. The long-term-residence exam (law 4251/2014)
adds a history and culture module; its structure is configurable, so these are starting values.
"""

from django.db import migrations

LANGUAGE_SKILLS = [
    ("reading", "Reading"),
    ("writing", "Writing"),
    ("listening", "Listening"),
    ("speaking", "Speaking"),
]


def add_schemes(apps, schema_editor):
    Level = apps.get_model("courses", "Level")
    ExamType = apps.get_model("exams", "ExamType")
    ExamScheme = apps.get_model("exams", "ExamScheme")
    ExamSkill = apps.get_model("exams", "ExamSkill")

    certificate, _ = ExamType.objects.get_or_create(
        code="ellinomatheia",
        defaults={
            "name": "Certificate of attainment in Greek",
            "description": "Centre for the Greek Language, for the Ministry of Education "
            "(P.D. 363/1998). One round a year, normally in mid-May.",
            "minimum_age": 8,
        },
    )
    residence, _ = ExamType.objects.get_or_create(
        code="long-term-residence",
        defaults={
            "name": "Greek language (A2) and elements of Greek history and culture",
            "description": "For long-term residence permits (law 4251/2014); run twice a year "
            "for people aged 16 and over. Module structure and pass marks are configurable.",
            "minimum_age": 16,
        },
    )
    for code in ("A1", "A2"):
        level = Level.objects.filter(code=code).first()
        if level is None:
            continue
        scheme, _ = ExamScheme.objects.get_or_create(exam_type=certificate, level=level)
        for position, (skill, name) in enumerate(LANGUAGE_SKILLS):
            ExamSkill.objects.get_or_create(
                scheme=scheme, code=skill, defaults={"name": name, "position": position}
            )
    a2 = Level.objects.filter(code="A2").first()
    if a2 is not None:
        scheme, _ = ExamScheme.objects.get_or_create(exam_type=residence, level=a2)
        for position, (skill, name) in enumerate(
            [*LANGUAGE_SKILLS, ("history-culture", "Greek history and culture")]
        ):
            ExamSkill.objects.get_or_create(
                scheme=scheme, code=skill, defaults={"name": name, "position": position}
            )


class Migration(migrations.Migration):
    dependencies = [("exams", "0002_initial"), ("courses", "0003_levels")]
    operations = [migrations.RunPython(add_schemes, migrations.RunPython.noop)]
