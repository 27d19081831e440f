"""Certificates: asked for through the API by a coordinator or by the student themself, the
PDF in Greek with the student's language beside it, revoked with a reason, checked on the
public page by their code (which cannot be guessed), rate-limited."""

import datetime as dt
import io
import os
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from courses.models import Attendance, Certificate
from courses.services import certificate_code
from tests.conftest import api_as
from tests.factories import (
    CycleFactory,
    EnrollmentFactory,
    LessonFactory,
    SchoolFactory,
    StudentFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]
URL = "/api/v1/certificates/"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def enrollment(school, student_user):
    """Three held lessons of 3, 2 and 3 hours: present, absent, late; a cancelled one."""
    student = student_user.student
    student.first_name, student.last_name, student.language = "Layla", "Haddad", "ar"
    student.save()
    cycle = CycleFactory(school=school, code="A1-CERT")
    enrollment = EnrollmentFactory(cycle=cycle, student=student)
    for day, hours, status in ((5, 3, "present"), (7, 2, "absent"), (12, 3, "late")):
        lesson = LessonFactory(
            cycle=cycle, date=dt.date(2026, 10, day), hours=Decimal(hours), status="held"
        )
        Attendance.objects.create(enrollment=enrollment, lesson=lesson, status=status)
    cancelled = LessonFactory(cycle=cycle, date=dt.date(2026, 10, 14), status="cancelled")
    Attendance.objects.create(enrollment=enrollment, lesson=cancelled, status="present")
    return enrollment


def pdf_text(certificate: Certificate) -> str:
    with certificate.file.open("rb") as stored:
        reader = PdfReader(io.BytesIO(stored.read()))
    return " ".join(page.extract_text() for page in reader.pages)


def test_coordinator_issues_an_attendance_certificate_with_hours_dates_and_code(
    coordinator, enrollment
):
    response = api_as(coordinator).post(
        URL, {"enrollment": enrollment.pk, "kind": "attendance"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    certificate = Certificate.objects.get(pk=body["id"])
    assert body["code"] == certificate.code
    assert body["download"] == f"/api/v1/certificates/{certificate.pk}/download/"
    assert (certificate.hours_attended, certificate.hours_held) == (Decimal(6), Decimal(8))
    assert (certificate.first_lesson, certificate.last_lesson) == (
        dt.date(2026, 10, 5),
        dt.date(2026, 10, 12),
    )
    assert certificate.issued_by == coordinator
    # Asking again gives back the same valid certificate.
    again = api_as(coordinator).post(
        URL, {"enrollment": enrollment.pk, "kind": "attendance"}, format="json"
    )
    assert again.status_code == 201 and again.json()["id"] == certificate.pk
    download = api_as(coordinator).get(body["download"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_pdf_is_in_greek_and_the_students_language_with_the_verification_address(
    coordinator, enrollment
):
    api_as(coordinator).post(
        URL, {"enrollment": enrollment.pk, "kind": "attendance"}, format="json"
    )
    certificate = Certificate.objects.get()
    text = " ".join(pdf_text(certificate).split())
    assert "Layla Haddad" in text
    # The hours in each language, as each side states them.
    for language in ("el", "ar"):
        with translation.override(language):
            hours = gettext("%(attended)s of %(held)s hours") % {"attended": "6", "held": "8"}
        assert hours != "6 of 8 hours"
        words = hours.split()
        assert all(word in text for word in words), (language, hours)
    assert "05/10/2026" in text and "12/10/2026" in text
    assert certificate.code in text
    assert f"/verify/{certificate.code}" in text
    assert re.search("[\u0370-\u03ff]", text), "Greek"
    assert re.search("[\u0600-\u06ff]", text), "Arabic, beside it"


def test_a_student_asks_for_their_own_certificate_only(school, student_user, enrollment):
    other = EnrollmentFactory(cycle=enrollment.cycle, student=StudentFactory(school=school))
    client = api_as(student_user)
    refused = client.post(URL, {"enrollment": other.pk, "kind": "attendance"}, format="json")
    assert refused.status_code == 400 and "enrollment" in refused.json()
    mine = client.post(URL, {"enrollment": enrollment.pk, "kind": "attendance"}, format="json")
    assert mine.status_code == 201
    listed = client.get(URL).json()
    assert [c["id"] for c in listed["results"]] == [mine.json()["id"]]
    # Only a coordinator revokes.
    revoke = client.post(f"{URL}{mine.json()['id']}/revoke/", {"reason": "x"}, format="json")
    assert revoke.status_code == 403


def test_completion_needs_a_completed_cycle_and_attendance_an_hour_attended(
    school, coordinator, enrollment
):
    client = api_as(coordinator)
    response = client.post(URL, {"enrollment": enrollment.pk, "kind": "completion"}, format="json")
    assert response.status_code == 409
    assert "completed" in response.json()["detail"]
    enrollment.status = "completed"
    enrollment.save()
    assert (
        client.post(
            URL, {"enrollment": enrollment.pk, "kind": "completion"}, format="json"
        ).status_code
        == 201
    )
    never = EnrollmentFactory(cycle=enrollment.cycle, student=StudentFactory(school=school))
    response = client.post(URL, {"enrollment": never.pk, "kind": "attendance"}, format="json")
    assert response.status_code == 409
    foreign = EnrollmentFactory(cycle=CycleFactory(school=SchoolFactory()))
    response = client.post(URL, {"enrollment": foreign.pk, "kind": "attendance"}, format="json")
    assert response.status_code == 400
    assert (
        client.post(URL, {"enrollment": enrollment.pk, "kind": "nope"}, format="json").status_code
        == 400
    )


def test_revoked_certificates_say_so_on_the_public_page(client, coordinator, enrollment):
    api = api_as(coordinator)
    issued = api.post(URL, {"enrollment": enrollment.pk, "kind": "attendance"}, format="json")
    code = issued.json()["code"]
    page = client.get(f"/verify/{code}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-verdict="valid"' in html and "L. H." in html and "A1" in html
    # Nothing beyond initials, level, hours and dates.
    assert "Layla" not in html and "Haddad" not in html
    assert api.post(f"{URL}{issued.json()['id']}/revoke/", {}, format="json").status_code == 400
    revoked = api.post(
        f"{URL}{issued.json()['id']}/revoke/", {"reason": "issued by mistake"}, format="json"
    )
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    again = api.post(f"{URL}{issued.json()['id']}/revoke/", {"reason": "twice"}, format="json")
    assert again.status_code == 409
    html = client.get(f"/verify/{code}").content.decode()
    assert 'data-verdict="revoked"' in html and "mistake" not in html
    # A new one may be issued after a revocation.
    reissued = api.post(URL, {"enrollment": enrollment.pk, "kind": "attendance"}, format="json")
    assert reissued.status_code == 201 and reissued.json()["code"] != code


def test_unknown_codes_are_404_and_look_ups_are_rate_limited(client, settings):
    settings.CERTIFICATE_VERIFY_PER_IP = 3
    answers = [client.get(f"/verify/{certificate_code()}").status_code for _ in range(4)]
    assert answers == [404, 404, 404, 429]


def test_codes_are_160_random_bits_in_readable_groups():
    codes = {certificate_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(r"([A-Z2-7]{4}-){7}[A-Z2-7]{4}", code)


def test_teachers_and_other_schools_see_no_certificate(school, coordinator, teacher, enrollment):
    issued = api_as(coordinator).post(
        URL, {"enrollment": enrollment.pk, "kind": "attendance"}, format="json"
    )
    other = UserFactory(school=SchoolFactory(), role="coordinator")
    assert api_as(other).get(f"{URL}{issued.json()['id']}/").status_code == 404
    assert api_as(teacher.user).get(URL).status_code == 403


def test_a_coordinator_prints_a_whole_cycles_certificates_as_a_background_job(
    school, coordinator, enrollment, eager, django_capture_on_commit_callbacks
):
    completed = EnrollmentFactory(
        cycle=enrollment.cycle,
        student=StudentFactory(school=school, first_name="Olena", last_name="Melnyk"),
        status="completed",
    )
    lesson = enrollment.cycle.lessons.filter(status="held").first()
    Attendance.objects.create(enrollment=completed, lesson=lesson, status="present")
    EnrollmentFactory(cycle=enrollment.cycle, student=StudentFactory(school=school))  # no hour
    client = api_as(coordinator)
    ask = {"kind": "certificates", "from": "2026-01-01", "to": "2026-12-31"}
    missing = client.post("/api/v1/reports/", ask, format="json")
    assert missing.status_code == 400 and "cycle" in missing.json()
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(
            "/api/v1/reports/", {**ask, "cycle": enrollment.cycle.pk}, format="json"
        )
    assert asked.status_code == 202
    report = client.get(f"/api/v1/reports/{asked.json()['id']}/").json()
    assert report["status"] == "done" and report["progress"] == 100
    download = client.get(report["download"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    # One page per student with an hour attended: completion for the one who completed.
    assert len(reader.pages) == 2
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Layla Haddad" in text and "Olena Melnyk" in text
    kinds = dict(Certificate.objects.values_list("enrollment_id", "kind"))
    assert kinds == {enrollment.pk: "attendance", completed.pk: "completion"}
    for code in Certificate.objects.values_list("code", flat=True):
        assert code in text


def test_a_students_certificates_are_in_their_export_and_their_pdfs_go_on_anonymisation(
    coordinator, enrollment
):
    from school.data_subject import PARTS

    api_as(coordinator).post(
        URL, {"enrollment": enrollment.pk, "kind": "attendance"}, format="json"
    )
    certificate = Certificate.objects.get()
    student = enrollment.student
    exported = PARTS["certificates"].export(student)
    assert [row["code"] for row in exported] == [certificate.code]
    stored = certificate.file.path
    PARTS["certificates"].anonymise(student)
    certificate.refresh_from_db()
    assert not certificate.file and not os.path.exists(stored)
