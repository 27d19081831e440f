"""The exams app's pages: the office's exam rounds, registrations and results."""

from django.urls import path

from exams import views

urlpatterns = [
    path("office/exams/", views.round_list, name="office-exam-rounds"),
    path("office/exams/<int:pk>/", views.round_detail, name="office-exam-round"),
    path(
        "office/exams/<int:pk>/register-cycle/",
        views.round_register_cycle,
        name="office-exam-register-cycle",
    ),
    path("office/exams/<int:pk>/import/", views.round_import_results, name="office-exam-import"),
    path(
        "office/exams/<int:pk>/template.xlsx",
        views.round_results_template,
        name="office-exam-template",
    ),
    path(
        "office/exams/<int:pk>/report.xlsx",
        views.round_results_report,
        name="office-exam-report",
    ),
]
