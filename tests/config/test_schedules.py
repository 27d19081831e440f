import pytest
from django_celery_beat.models import PeriodicTask

from config.schedules import PERIODIC_TASKS, sync_periodic_tasks

pytestmark = pytest.mark.django_db


def test_periodic_jobs_declared_in_code_exist_after_migrate():
    names = set(PeriodicTask.objects.values_list("name", flat=True))
    assert set(PERIODIC_TASKS) <= names
    job = PeriodicTask.objects.get(name="pass rates, nightly")
    assert job.task == "exams.tasks.pass_rates_refresh_all"
    assert (job.crontab.hour, job.crontab.minute) == ("2", "30")


def test_an_administrators_change_survives_the_next_migrate():
    PeriodicTask.objects.filter(name="pass rates, nightly").update(enabled=False)
    sync_periodic_tasks()
    assert PeriodicTask.objects.get(name="pass rates, nightly").enabled is False
