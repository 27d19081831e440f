"""The exams' parts of the office dashboard (exams.parts): the headline and the pass-rate
bars; and the exam rounds page."""

import pytest

from exams.services import pass_rates_recompute
from tests.exams.candidates import sample

pytestmark = pytest.mark.django_db


def test_dashboard_shows_the_headline_and_charts(client, coordinator):
    sample(coordinator.school)
    pass_rates_recompute(school_id=coordinator.school.pk)
    client.force_login(coordinator)
    page = client.get("/office/").content.decode()
    assert "75%" in page  # 9 of 12 passed in the last two rounds
    # A bar per round and per level, each a <meter> named by its label.
    assert page.count("<meter") >= 3
    assert page.count('<label for="round-') == page.count('<meter id="round-')
    rounds = client.get("/office/exams/")
    assert rounds.status_code == 200


def test_dashboard_headline_names_as_many_rounds_as_have_results(client, coordinator):
    coordinator.language = "en"
    coordinator.save()
    _rounds, results = sample(coordinator.school)
    client.force_login(coordinator)
    page = client.get("/office/").content.decode()
    assert "who sat the last 2 exam rounds passed (9 of 12)" in page
    # Only one round with results: the headline says so.
    for result in results[1::2]:
        result.delete()
    page = client.get("/office/").content.decode()
    assert "who sat the last exam round passed (3 of 6)" in page
    assert "exam rounds passed" not in page
