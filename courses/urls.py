"""The courses app's pages: the office's cycles, enrollments, imports, students at risk and
funding reports, and the teacher's lessons."""

from django.urls import path

from courses import (
    views,
    views_applicants,
    views_intake,
    views_office,
    views_questionnaires,
    views_reports,
)

urlpatterns = [
    path("offers/<str:token>/", views_intake.seat_offer, name="seat-offer"),
    path("apply/<slug:slug>/", views_intake.apply, name="apply"),
    path("apply/<slug:slug>/thanks/", views_intake.apply_thanks, name="apply-thanks"),
    path("office/cycles/", views_office.cycle_list, name="office-cycles"),
    path("office/cycles/<int:pk>/", views_office.cycle_detail, name="office-cycle"),
    path(
        "office/cycles/<int:pk>/generate-lessons/",
        views_office.cycle_generate_lessons,
        name="office-cycle-generate",
    ),
    path(
        "office/cycles/<int:pk>/complete/",
        views_office.cycle_complete,
        name="office-cycle-complete",
    ),
    path("office/cycles/<int:pk>/enroll/", views_office.cycle_enroll, name="office-cycle-enroll"),
    path(
        "office/lessons/<int:pk>/cancel/", views_office.lesson_cancel, name="office-lesson-cancel"
    ),
    path(
        "office/enrollments/<int:pk>/withdraw/",
        views_office.enrollment_withdraw,
        name="office-enrollment-withdraw",
    ),
    path(
        "office/enrollments/<int:pk>/promote/",
        views_office.enrollment_promote,
        name="office-enrollment-promote",
    ),
    path(
        "office/enrollments/<int:pk>/move/",
        views_office.enrollment_move,
        name="office-enrollment-move",
    ),
    path("office/enrollments/<int:pk>/", views_office.enrollment_detail, name="office-enrollment"),
    path("office/at-risk/", views_office.at_risk, name="office-at-risk"),
    path(
        "office/cycles/<int:pk>/questionnaires/",
        views_questionnaires.cycle_questionnaires_page,
        name="office-cycle-questionnaires",
    ),
    path(
        "office/cycles/<int:pk>/questionnaires/send/",
        views_questionnaires.cycle_questionnaires_send,
        name="office-cycle-questionnaires-send",
    ),
    path(
        "office/enrollments/<int:pk>/questionnaires/<str:kind>/paper/",
        views_questionnaires.questionnaire_paper,
        name="office-questionnaire-paper",
    ),
    path(
        "me/questionnaires/<int:pk>/",
        views_questionnaires.questionnaire_answer_page,
        name="questionnaire",
    ),
    path("office/operations/", views_office.operation_list, name="office-operations"),
    path(
        "office/operations/<int:pk>/",
        views_office.operation_completeness,
        name="office-operation",
    ),
    path("office/import/", views_office.import_students, name="office-import"),
    path(
        "office/import/template.xlsx",
        views_office.import_template,
        name="office-import-template",
    ),
    path("office/import/report.xlsx", views_office.import_report, name="office-import-report"),
    path("office/reports/", views_reports.reports, name="office-reports"),
    path(
        "office/reports/<int:pk>/download/",
        views_reports.report_download,
        name="office-report-download",
    ),
    path("office/applicants/", views_applicants.applicant_list, name="office-applicants"),
    path("office/applicants/<int:pk>/", views_applicants.applicant_detail, name="office-applicant"),
    *(
        path(
            f"office/applicants/<int:pk>/{step}/",
            getattr(views_applicants, f"applicant_{step}"),
            name=f"office-applicant-{step}",
        )
        for step in ("invite", "place", "offer", "decline", "merge", "erase")
    ),
    path(
        "office/placement-tests/",
        views_applicants.placement_tests,
        name="office-placement-tests",
    ),
    path("verify/<str:code>", views.certificate_verify, name="certificate-verify"),
    path("me/certificates/", views.student_certificate_request, name="student-certificates"),
    path(
        "me/certificates/<int:pk>/",
        views.student_certificate_download,
        name="student-certificate",
    ),
    path("teach/", views.teach_home, name="teach"),
    path("teach/lessons/<int:pk>/", views.teach_lesson, name="teach-lesson"),
]
