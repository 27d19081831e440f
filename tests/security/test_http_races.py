"""Races through the running server, as outside clients make them: real HTTP requests on real
threads against the live server (a thread per request, a database connection each) on
PostgreSQL, signed in with API tokens.

- Twenty clients ask for the one free seat of a cycle at the same instant: one gets it, the
  others queue at positions 1 to 19 with no gap and no repeat.
- Two teachers save the same lesson's roster at the same instant, each a complete roster with
  its topic: what is stored is one of the two whole, never a mix, and neither gets a 500.
"""

import datetime as dt
import json
import threading
import urllib.error
import urllib.request
from typing import Any

import pytest
from rest_framework.authtoken.models import Token

from courses.models import Attendance, Enrollment, Lesson
from tests.factories import (
    CycleFactory,
    EnrollmentFactory,
    LessonFactory,
    SchoolFactory,
    StudentFactory,
    TeacherFactory,
    UserFactory,
)

pytestmark = [
    # Row locks between connections: PostgreSQL's, as production runs.
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
CLIENTS = 20


def call(url: str, method: str, token: str, body: Any) -> tuple[int, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()[:500]


def at_once(calls: list) -> list[tuple[int, Any]]:
    """Run every call on its own thread, all released at the same instant."""
    barrier = threading.Barrier(len(calls))
    answers: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait(timeout=30)
        try:
            answers[index] = calls[index]()
        except Exception as error:  # a refused connection, a timeout: reported below
            answers[index] = (0, repr(error))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def test_twenty_clients_race_for_the_last_seat_over_http(live_server):
    today = dt.date.today()
    school = SchoolFactory()
    cycle = CycleFactory(
        school=school, capacity=1, starts_on=today - dt.timedelta(days=7),
        ends_on=today + dt.timedelta(days=90),
    )  # fmt: skip
    students = StudentFactory.create_batch(CLIENTS, school=school)
    token = Token.objects.create(user=UserFactory(school=school, role="coordinator")).key
    url = f"{live_server.url}/api/v1/enrollments/"

    answers = at_once(
        [
            lambda s=s: call(url, "POST", token, {"student": s.pk, "cycle": cycle.pk})
            for s in students
        ]
    )

    assert [status for status, _body in answers] == [201] * CLIENTS, answers
    statuses = sorted(body["status"] for _status, body in answers)
    assert statuses == ["enrolled"] + ["waitlisted"] * (CLIENTS - 1)
    positions = sorted(
        Enrollment.objects.filter(cycle=cycle, status="waitlisted").values_list(
            "waitlist_position", flat=True
        )
    )
    assert positions == list(range(1, CLIENTS))
    assert Enrollment.objects.filter(cycle=cycle, status="enrolled").count() == 1


def test_two_teachers_saving_one_roster_at_once_leave_one_whole_roster(live_server):
    school = SchoolFactory()
    first, second = TeacherFactory(school=school), TeacherFactory(school=school)
    cycle = CycleFactory(school=school)
    cycle.teachers.add(first, second)
    enrollments = EnrollmentFactory.create_batch(15, cycle=cycle, status="enrolled")
    # Yesterday's lesson: started, and within the teachers' correction window.
    lesson = LessonFactory(cycle=cycle, date=dt.date.today() - dt.timedelta(days=1))
    url = f"{live_server.url}/api/v1/lessons/{lesson.pk}/attendance/"
    rosters = {
        Token.objects.create(user=first.user).key: ("present", "Greetings and numbers"),
        Token.objects.create(user=second.user).key: ("absent", "The alphabet"),
    }

    for _round in range(5):
        answers = at_once(
            [
                lambda token=token, mark=mark, topic=topic: call(
                    url,
                    "PUT",
                    token,
                    {
                        "marks": [{"enrollment": e.pk, "status": mark} for e in enrollments],
                        "topic": topic,
                    },
                )
                for token, (mark, topic) in rosters.items()
            ]
        )
        assert [status for status, _body in answers] == [200, 200], answers
        marks = set(Attendance.objects.filter(lesson=lesson).values_list("status", flat=True))
        assert Attendance.objects.filter(lesson=lesson).count() == len(enrollments)
        stored = Lesson.objects.get(pk=lesson.pk)
        assert (marks, stored.topic) in [({mark}, topic) for mark, topic in rosters.values()], (
            f"a mix: {marks} with the topic {stored.topic!r}"
        )
        # Each teacher's answer is a whole roster too: theirs, or the other's saved just after.
        for _status, body in answers:
            assert len({row["status"] for row in body}) == 1
