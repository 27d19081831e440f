"""The teacher's and the student's pages."""

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from courses.selectors import lessons_of_student, lessons_of_teacher
from school.choices import Role
from school.permissions import SignedInRequest, role_required


def _school_today(request: SignedInRequest) -> dt.date:
    school = request.user.school
    return timezone.localdate(timezone=school.zone) if school else timezone.localdate()


@role_required(Role.TEACHER)
def teach_home(request: SignedInRequest) -> HttpResponse:
    """Today's and this week's lessons of the cycles the teacher teaches."""
    today = _school_today(request)
    week_end = today + dt.timedelta(days=6 - today.weekday())
    teacher = getattr(request.user, "teacher", None)
    lessons = (
        list(lessons_of_teacher(teacher=teacher, start=today, end=week_end)) if teacher else []
    )
    return render(
        request,
        "courses/teach_home.html",
        {
            "today": today,
            "today_lessons": [lesson for lesson in lessons if lesson.date == today],
            "week_lessons": [lesson for lesson in lessons if lesson.date != today],
        },
    )


@role_required(Role.STUDENT)
def student_home(request: SignedInRequest) -> HttpResponse:
    """The student's own page: the coming four weeks of lessons."""
    today = _school_today(request)
    student = getattr(request.user, "student", None)
    lessons = (
        list(lessons_of_student(student=student, start=today, end=today + dt.timedelta(days=28)))
        if student
        else []
    )
    return render(request, "courses/student_home.html", {"today": today, "lessons": lessons})
