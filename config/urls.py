from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from config import student, views
from config.reports_api import ReportViewSet
from config.reports_views import report_download, reports
from courses import views as course_views
from courses import views_office as office
from exams import views as exam_views
from notifications import views as notification_views
from school.api import MeView, TeacherListView, TokenView
from school.two_factor import two_factor

reports_router = SimpleRouter()
reports_router.register("reports", ReportViewSet, basename="report")

api_v1: list[URLPattern | URLResolver] = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("me/calendar.ics", student.MyCalendarView.as_view(), name="api-me-calendar"),
    path("teachers/", TeacherListView.as_view(), name="api-teachers"),
    path("", include("courses.urls_api")),
    path("", include("exams.urls_api")),
    path("", include("notifications.urls_api")),
    *reports_router.urls,
]

urlpatterns = [
    path("", views.home, name="home"),
    path("signout/", auth_views.LogoutView.as_view(), name="logout"),
    path("no-role/", views.signed_out, name="signed-out"),
    path("i18n/setlang/", student.set_language, name="set_language"),
    path("signin/link/", student.sign_in_link_request, name="sign-in-link"),
    path("signin/link/<str:token>/", student.sign_in_link_use_view, name="sign-in-link-use"),
    path("calendar/<str:token>.ics", student.calendar_feed, name="calendar-feed"),
    path("healthz", views.healthz, name="healthz"),
    path("office/", views.office, name="office"),
    path("office/cycles/", office.cycle_list, name="office-cycles"),
    path("office/cycles/<int:pk>/", office.cycle_detail, name="office-cycle"),
    path(
        "office/cycles/<int:pk>/generate-lessons/",
        office.cycle_generate_lessons,
        name="office-cycle-generate",
    ),
    path("office/cycles/<int:pk>/complete/", office.cycle_complete, name="office-cycle-complete"),
    path("office/cycles/<int:pk>/enroll/", office.cycle_enroll, name="office-cycle-enroll"),
    path("office/lessons/<int:pk>/cancel/", office.lesson_cancel, name="office-lesson-cancel"),
    path(
        "office/enrollments/<int:pk>/withdraw/",
        office.enrollment_withdraw,
        name="office-enrollment-withdraw",
    ),
    path(
        "office/enrollments/<int:pk>/promote/",
        office.enrollment_promote,
        name="office-enrollment-promote",
    ),
    path(
        "office/enrollments/<int:pk>/move/", office.enrollment_move, name="office-enrollment-move"
    ),
    path("office/at-risk/", office.at_risk, name="office-at-risk"),
    path("office/reports/", reports, name="office-reports"),
    path("office/reports/<int:pk>/download/", report_download, name="office-report-download"),
    path("office/enrollments/<int:pk>/", office.enrollment_detail, name="office-enrollment"),
    path("office/import/", office.import_students, name="office-import"),
    path("office/notifications/", notification_views.log, name="office-notifications"),
    path(
        "office/notifications/<int:pk>/resend/",
        notification_views.resend,
        name="office-notification-resend",
    ),
    path("office/exams/", exam_views.round_list, name="office-exam-rounds"),
    path("office/exams/<int:pk>/", exam_views.round_detail, name="office-exam-round"),
    path(
        "office/exams/<int:pk>/register-cycle/",
        exam_views.round_register_cycle,
        name="office-exam-register-cycle",
    ),
    path(
        "office/exams/<int:pk>/import/", exam_views.round_import_results, name="office-exam-import"
    ),
    path(
        "office/exams/<int:pk>/template.xlsx",
        exam_views.round_results_template,
        name="office-exam-template",
    ),
    path(
        "office/exams/<int:pk>/report.xlsx",
        exam_views.round_results_report,
        name="office-exam-report",
    ),
    path("office/import/template.xlsx", office.import_template, name="office-import-template"),
    path("office/import/report.xlsx", office.import_report, name="office-import-report"),
    path("teach/", course_views.teach_home, name="teach"),
    path("teach/lessons/<int:pk>/", course_views.teach_lesson, name="teach-lesson"),
    path("me/", student.student_home, name="student-home"),
    path("me/calendar/", student.calendar_renew, name="student-calendar-renew"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI's page carries a small inline stylesheet; its script is served as a file.
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
    path("two-factor/", two_factor, name="two-factor"),
    path("api/v1/", include(api_v1)),
]
