"""The office's page of the funder's answers: per operation and cycle, who lacks entry or exit
answers, the reminders they were sent, and the exit questionnaires closing this week."""

import datetime as dt

import pytest

from notifications.models import Notification
from school.services import participation as participations
from tests.factories import CycleFactory, EnrollmentFactory, SchoolFactory, on_factory_day

pytestmark = [pytest.mark.django_db, on_factory_day]
D = dt.date  # the factory day is 2026-11-23


def leaver(cycle, *, left_on, answered_on=None):
    enrollment = EnrollmentFactory(cycle=cycle, entry_date=D(2026, 10, 5))
    participation = participations.participation_for(enrollment.student, cycle.operation)
    participations.entry_answers_record(participation, {}, answered_on=D(2026, 10, 5))
    exit_ = participations.exit_record(participation, date=left_on, reason="withdrew")
    if answered_on:
        participations.exit_answers_record(exit_, {"employed": True}, answered_on=answered_on)
    return enrollment.student


@pytest.mark.parametrize("rows", [2, 12])
def test_the_page_shows_who_lacks_answers_in_a_fixed_number_of_queries(
    client, coordinator, school, rows, django_assert_num_queries
):
    cycle = CycleFactory(school=school, code="A1-FUNDER")
    other = CycleFactory(school=school, code="A2-FUNDER")
    silent = [
        EnrollmentFactory(cycle=cycle, entry_date=D(2026, 10, 5)).student for _ in range(rows)
    ]
    closing = leaver(cycle, left_on=D(2026, 10, 30))  # closes on 27 November
    late = leaver(cycle, left_on=D(2026, 10, 6), answered_on=D(2026, 11, 20))
    on_time = leaver(cycle, left_on=D(2026, 11, 2), answered_on=D(2026, 11, 9))
    elsewhere = leaver(other, left_on=D(2026, 11, 2))
    # The questionnaire itself, then its reminder: only the reminder is listed.
    for kind, day in (("questionnaire_exit", 31), ("questionnaire_reminder", 37)):
        Notification.objects.create(
            school=school, student=closing, kind=kind, language="en", channel="sms",
            address="+306900000000", body="text", dedup_key=f"q-{day}", status="sent",
            due_at=dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC) + dt.timedelta(days=day - 1),
        )  # fmt: skip
    client.force_login(coordinator)
    url = f"/office/operations/{cycle.operation_id}/"
    # session and user, the school (its clock), the operation, the participants without entry
    # answers, the exits without answers on time, their reminders, the operation's cycles
    with django_assert_num_queries(8):
        page = client.get(url)
    html = page.content.decode()
    for student in [*silent, closing, late, elsewhere]:
        assert student.full_name in html
    assert on_time.full_name not in html
    assert "given late" in html and "6 Nov" in html and "31 Oct" not in html
    closing_table = html.split("Exit questionnaires closing this week")[1].split("<h2>")[0]
    assert closing.full_name in closing_table and late.full_name not in closing_table
    one_cycle = client.get(f"{url}?cycle={other.pk}").content.decode()
    assert elsewhere.full_name in one_cycle and closing.full_name not in one_cycle
    assert client.get("/office/operations/").status_code == 200


def test_another_schools_operation_is_404_and_teachers_may_not_look(client, coordinator, teacher):
    foreign = CycleFactory(school=SchoolFactory())
    client.force_login(coordinator)
    assert client.get(f"/office/operations/{foreign.operation_id}/").status_code == 404
    client.force_login(teacher.user)
    assert client.get("/office/operations/").status_code == 403
