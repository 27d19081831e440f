"""The levels the school teaches: A1, then A2 with elements of Greek history."""

from django.db import migrations


def add_levels(apps, schema_editor):
    Level = apps.get_model("courses", "Level")
    a1, _ = Level.objects.get_or_create(
        code="A1", defaults={"name": "A1 Greek language", "position": 10}
    )
    Level.objects.get_or_create(
        code="A2",
        defaults={
            "name": "A2 Greek language and elements of Greek history",
            "includes_history": True,
            "prerequisite": a1,
            "position": 20,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("courses", "0002_initial")]
    operations = [migrations.RunPython(add_levels, migrations.RunPython.noop)]
