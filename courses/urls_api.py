from django.urls import path
from rest_framework.routers import SimpleRouter

from courses.api.applicants import ApplicantViewSet, PlacementSessionViewSet
from courses.api.applications import ApplicationView
from courses.api.certificates import CertificateViewSet
from courses.api.closures import ClosureViewSet
from courses.api.cycles import CycleViewSet
from courses.api.enrollments import EnrollmentViewSet, PlacementViewSet
from courses.api.lessons import LessonViewSet
from courses.api.participations import OperationViewSet, ParticipationViewSet
from courses.api.questionnaires import ParticipationQuestionnaireView
from courses.api.reports import ReportViewSet
from courses.api.students import StudentViewSet

router = SimpleRouter()
router.register("students", StudentViewSet, basename="student")
router.register("cycles", CycleViewSet, basename="cycle")
router.register("lessons", LessonViewSet, basename="lesson")
router.register("enrollments", EnrollmentViewSet, basename="enrollment")
router.register("placements", PlacementViewSet, basename="placement")
router.register("closures", ClosureViewSet, basename="closure")
router.register("reports", ReportViewSet, basename="report")
router.register("certificates", CertificateViewSet, basename="certificate")
router.register("operations", OperationViewSet, basename="operation")
router.register("participations", ParticipationViewSet, basename="participation")
router.register("applicants", ApplicantViewSet, basename="applicant")
router.register("placement-tests", PlacementSessionViewSet, basename="placement-test")

urlpatterns = [
    *router.urls,
    path("applications/", ApplicationView.as_view(), name="application"),
    path(
        "participations/<int:pk>/questionnaires/",
        ParticipationQuestionnaireView.as_view(),
        name="participation-questionnaires",
    ),
]
