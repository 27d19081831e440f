"""Data-subject export, and anonymisation after the retention period with every figure kept."""

import datetime as dt
import io
import json

import pytest
from axes.models import AccessLog
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from courses.models import Attendance, Enrollment
from courses.selectors import with_attendance_stats
from exams.models import ExamRegistration, ExamResult
from exams.selectors import pass_rates_live
from exams.services import exam_result_record
from notifications.models import Notification
from school.models import (
    EntryAnswers,
    RetentionPeriod,
    SpecialCategoryData,
    SpecialCategoryRead,
    Student,
)
from school.retention import anonymise_expired, coarse_date_of_birth, students_past_retention
from school.selectors import participant_indicators
from tests.factories import (
    CycleFactory,
    EnrollmentFactory,
    ExamRoundFactory,
    LessonFactory,
    StudentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
SKILLS = ("reading", "writing", "listening", "speaking")
EXAM_DAY = dt.date(2027, 5, 15)
BREAKDOWNS = ("exam_round", "level", "cycle", "teacher", "nationality", "gender", "age_band")


def _people(school, teacher, count=12):
    """A small cohort: varied ages (some born in May, around the exam day), genders,
    nationalities, statuses, answers; attendance, exam results and messages."""
    cycle = CycleFactory(school=school)
    cycle.teachers.add(teacher)
    lessons = [
        LessonFactory(cycle=cycle, date=dt.date(2026, 10, 5) + dt.timedelta(days=7 * n),
                      status="held")
        for n in range(4)
    ]  # fmt: skip
    exam_round = ExamRoundFactory(school=school, exam_date=EXAM_DAY)
    births = [
        dt.date(1999, 5, 16), dt.date(1999, 5, 15), dt.date(2009, 5, 20), dt.date(1971, 5, 30),
        dt.date(1970, 10, 6), dt.date(2008, 10, 4), dt.date(1985, 1, 1), dt.date(2001, 5, 14),
        dt.date(1968, 12, 31), dt.date(1990, 7, 7), dt.date(2002, 2, 28), dt.date(1996, 5, 31),
    ]  # fmt: skip
    genders = ["female", "male", "other", "female"]
    nationalities = ["SY", "AF", "UA", "FR", "IR"]
    statuses = ["unemployed", "long_term_unemployed", "inactive", "employed"]
    for n in range(count):
        student = StudentFactory(
            school=school,
            date_of_birth=births[n % len(births)],
            gender=genders[n % 4],
            nationality=nationalities[n % 5],
            labour_market_status=statuses[n % 4],
            unemployed_months=6
            if statuses[n % 4] in ("unemployed", "long_term_unemployed")
            else None,
            isced_level=n % 9,
            foreign_background="yes" if n % 2 else "no",
            homeless="yes" if n % 5 == 0 else "no",
            rural_area=n % 3 == 0,
            entry_form_on=dt.date(2026, 10, 5) if n % 2 else dt.date(2026, 10, 3),
        )
        if n % 3 == 0:
            SpecialCategoryData.objects.create(
                student=student,
                disability="yes",
                disability_asked_on=dt.date(2026, 10, 5),
                minority="declined" if n % 2 else "yes",
                minority_asked_on=dt.date(2026, 10, 5),
            )
        enrollment = EnrollmentFactory(
            cycle=cycle, student=student, status="enrolled", entry_date=dt.date(2026, 10, 5)
        )
        for k, lesson in enumerate(lessons):
            status = ["present", "late", "absent", "excused"][(n + k) % 4]
            Attendance.objects.create(enrollment=enrollment, lesson=lesson, status=status)
        registration = ExamRegistration.objects.create(
            exam_round=exam_round, student=student, cycle=cycle,
            eligibility_override_reason="Attended elsewhere, per her letter" if n == 1 else "",
        )  # fmt: skip
        points = dict.fromkeys(SKILLS, 12 + n)
        exam_result_record(
            registration=registration,
            points=points,
            certificate_number=f"CERT-{n:04d}" if 12 + n >= 15 else None,
        )
        Notification.objects.create(
            school=school, student=student, kind="lesson_cancelled", language="en",
            channel="sms", address=str(student.phone), body=f"Dear {student.first_name} ...",
            dedup_key=f"test-{student.pk}", due_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
        )  # fmt: skip
    Enrollment.objects.filter(student__in=Student.objects.filter(school=school)[:2]).update(
        withdrawal_reason="Moved to Thessaloniki with her family"
    )
    return cycle


def _figures(school) -> dict:
    enrollments = with_attendance_stats(
        Enrollment.objects.filter(cycle__school=school), extended_limits=True
    ).order_by("pk")
    return {
        "indicators": participant_indicators(school_id=school.pk),
        "pass_rates": {by: pass_rates_live(school_id=school.pk, by=by) for by in BREAKDOWNS},
        "attendance": [
            (e.pk, e.attendance_rate, e.missed_hours, e.absence_limit_hours, e.at_risk)
            for e in enrollments
        ],
    }


@pytest.fixture
def retention(school):
    return RetentionPeriod.objects.create(
        school=school,
        programme_period="2021-2027",
        entries_from=dt.date(2021, 1, 1),
        entries_until=dt.date(2027, 12, 31),
        last_payment_on=dt.date(2029, 6, 30),
        years=5,
    )


def test_anonymising_keeps_every_indicator_pass_rate_and_attendance_figure(
    school, teacher, retention
):
    _people(school, teacher)
    student_user = UserFactory(school=school, role="student", username="learner-1")
    Student.objects.filter(school=school).order_by("pk").update(user=None)
    first = Student.objects.filter(school=school).order_by("pk").first()
    first.user = student_user
    first.save()
    AccessLog.objects.create(username="learner-1", ip_address="192.0.2.10", user_agent="phone")
    before = _figures(school)
    assert before["indicators"]["participants"] == 12
    assert before["indicators"]["disability"] > 0
    assert any(row["candidates"] for row in before["pass_rates"]["age_band"])

    assert anonymise_expired(today=dt.date(2034, 12, 31)) == 0  # the last day kept
    assert anonymise_expired(today=dt.date(2035, 1, 1)) == 12

    after = _figures(school)
    assert after == before
    # The entry answers' date of birth is coarsened like the record's.
    entries = EntryAnswers.objects.filter(participation__student__school=school)
    assert entries.count() == 12
    for entry in entries.select_related("participation__student"):
        assert entry.date_of_birth == entry.participation.student.date_of_birth
    for student in Student.objects.filter(school=school):
        assert student.first_name == "Anonymised"
        assert student.last_name == f"#{student.pk}"
        assert (student.phone, student.email, student.user) == ("", "", None)
        assert student.anonymised_on == dt.date(2035, 1, 1)
        assert not student.history.exclude(first_name="Anonymised").exists()
    assert not Notification.objects.exclude(body="").exists()
    assert not ExamResult.objects.exclude(certificate_number="").exists()
    assert set(Enrollment.objects.values_list("withdrawal_reason", flat=True)) <= {
        "", "(anonymised)"
    }  # fmt: skip
    student_user.refresh_from_db()
    assert not student_user.is_active
    assert student_user.username.startswith("anonymised-")
    assert not student_user.has_usable_password()
    assert not AccessLog.objects.filter(username="learner-1").exists()
    # Nothing left to do the next month.
    assert anonymise_expired(today=dt.date(2035, 2, 1)) == 0


def test_a_period_still_paid_or_under_audit_is_kept(school, teacher, retention):
    _people(school, teacher, count=2)
    retention.audit_hold = True
    retention.save()
    assert students_past_retention(today=dt.date(2040, 1, 1)).count() == 0
    retention.audit_hold = False
    retention.last_payment_on = None
    retention.save()
    assert students_past_retention(today=dt.date(2040, 1, 1)).count() == 0


def test_only_students_who_entered_in_the_period_are_anonymised(school, teacher, retention):
    _people(school, teacher, count=2)
    later = StudentFactory(school=school, entry_form_on=dt.date(2028, 3, 1))
    assert anonymise_expired(today=dt.date(2035, 1, 1)) == 2
    later.refresh_from_db()
    assert later.anonymised_on is None
    assert later.first_name != "Anonymised"


def test_admin_log_loses_the_name(school, coordinator, retention):
    student = StudentFactory(school=school, entry_form_on=dt.date(2026, 10, 5))
    LogEntry.objects.create(
        user=coordinator, content_type=ContentType.objects.get_for_model(Student),
        object_id=str(student.pk), object_repr=str(student), action_flag=CHANGE,
    )  # fmt: skip
    anonymise_expired(today=dt.date(2035, 1, 1))
    assert LogEntry.objects.get().object_repr == f"Anonymised #{student.pk}"


@pytest.mark.parametrize(
    ("born", "dates", "expected"),
    [
        (dt.date(1999, 5, 16), [dt.date(2027, 5, 15)], dt.date(1999, 5, 16)),
        (dt.date(1999, 5, 20), [dt.date(2027, 5, 15)], dt.date(1999, 5, 16)),
        (dt.date(1999, 5, 20), [dt.date(2027, 6, 15)], dt.date(1999, 5, 1)),
        (dt.date(1999, 5, 10), [dt.date(2027, 5, 15)], dt.date(1999, 5, 1)),
    ],
)
def test_coarse_date_of_birth_keeps_the_age_on_every_date(born, dates, expected):
    assert coarse_date_of_birth(born, dates) == expected


def test_student_export_command_gives_everything_held(school, teacher, tmp_path):
    _people(school, teacher, count=2)
    student = Student.objects.filter(school=school).order_by("pk").first()
    out = io.StringIO()
    workbook_path = tmp_path / "export.xlsx"
    call_command("student_export", student.pk, "--xlsx", str(workbook_path), stdout=out)
    data = json.loads(out.getvalue())
    assert data["student"]["last_name"] == student.last_name
    assert "special_category" not in data
    assert len(data["attendance"]) == 4
    assert len(data["exam_results"]) == 1
    assert len(data["exam_skill_scores"]) == 4
    assert data["messages"][0]["body"].startswith("Dear ")
    assert data["enrollments"][0]["cycle__code"]
    workbook = load_workbook(workbook_path, read_only=True)
    assert {"student", "attendance", "exam_results", "messages"} <= set(workbook.sheetnames)

    with pytest.raises(CommandError, match="needs --as"):
        call_command("student_export", student.pk, "--special-category", stdout=io.StringIO())
    with pytest.raises(CommandError, match="may not read"):
        call_command(
            "student_export", student.pk, "--special-category", "--as", teacher.user.username,
            stdout=io.StringIO(),
        )  # fmt: skip
    coordinator = UserFactory(school=school, role="coordinator")
    out = io.StringIO()
    call_command(
        "student_export", student.pk, "--special-category", "--as", coordinator.username,
        stdout=out,
    )  # fmt: skip
    assert json.loads(out.getvalue())["special_category"]["disability"] == "yes"
    read = SpecialCategoryRead.objects.get(student=student)
    assert (read.user, read.via) == (coordinator, "command")


def test_office_export_action_records_the_special_category_read(client, coordinator, teacher):
    _people(coordinator.school, teacher, count=1)
    student = Student.objects.get(school=coordinator.school)
    client.force_login(coordinator)
    response = client.post(
        "/admin/school/student/",
        {"action": "export_xlsx", "_selected_action": [student.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="student-{student.pk}.xlsx"'
    sheets = load_workbook(io.BytesIO(response.content), read_only=True).sheetnames
    assert "special_category" in sheets
    assert SpecialCategoryRead.objects.get().via == "export"
    response = client.post(
        "/admin/school/student/", {"action": "export_json", "_selected_action": [student.pk]}
    )
    assert json.loads(response.content)["student"]["id"] == student.pk


def test_auditor_cannot_export(client, auditor, teacher):
    _people(auditor.school, teacher, count=1)
    student = Student.objects.get(school=auditor.school)
    client.force_login(auditor)
    response = client.post(
        "/admin/school/student/", {"action": "export_json", "_selected_action": [student.pk]}
    )
    assert response.get("Content-Disposition") is None


def test_anonymise_expired_command_counts_in_a_dry_run_then_anonymises(school, teacher, retention):
    _people(school, teacher, count=2)
    out = io.StringIO()
    call_command("anonymise_expired", "--dry-run", "--today", "2035-01-01", stdout=out)
    assert out.getvalue().strip() == "2 students would be anonymised."
    assert Student.objects.filter(anonymised_on__isnull=False).count() == 0
    out = io.StringIO()
    call_command("anonymise_expired", "--today", "2035-01-01", stdout=out)
    assert out.getvalue().strip() == "2 students anonymised."


def test_monthly_task_is_scheduled():
    from django_celery_beat.models import PeriodicTask

    job = PeriodicTask.objects.get(name="anonymise expired students, monthly")
    assert job.task == "school.tasks.anonymise_expired_students"
    assert job.crontab.day_of_month == "1"
    from school.tasks import anonymise_expired_students

    assert anonymise_expired_students.name == job.task


def test_student_export_leaves_out_a_sign_in_link(school, teacher):
    _people(school, teacher, count=1)
    student = Student.objects.get(school=school)
    Notification.objects.create(
        school=school, student=student, kind="sign_in_link", channel="sms", address="+306900000001",
        language="en", body="Sign in: https://school.example/signin/link/secret-token/",
        dedup_key="sign-in-link:test", due_at=dt.datetime(2026, 11, 22, tzinfo=dt.UTC),
    )  # fmt: skip
    out = io.StringIO()
    call_command("student_export", student.pk, stdout=out)
    messages = json.loads(out.getvalue())["messages"]
    assert "sign_in_link" in [m["kind"] for m in messages]
    assert "secret-token" not in out.getvalue()
