from django.urls import path
from rest_framework.routers import SimpleRouter

from exams.api import ExamRegistrationViewSet, ExamResultViewSet, ExamRoundViewSet, PassRatesView

router = SimpleRouter()
router.register("exam-rounds", ExamRoundViewSet, basename="exam-round")
router.register("exam-registrations", ExamRegistrationViewSet, basename="exam-registration")
router.register("exam-results", ExamResultViewSet, basename="exam-result")

urlpatterns = [*router.urls, path("stats/pass-rates/", PassRatesView.as_view(), name="pass-rates")]
