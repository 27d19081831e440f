from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config import views
from courses import views as course_views
from school.api import MeView, TeacherListView, TokenView

api_v1 = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("teachers/", TeacherListView.as_view(), name="api-teachers"),
    path("", include("courses.urls_api")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("signout/", auth_views.LogoutView.as_view(), name="logout"),
    path("no-role/", views.signed_out, name="signed-out"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", views.healthz, name="healthz"),
    path("office/", views.office, name="office"),
    path("teach/", course_views.teach_home, name="teach"),
    path("me/", course_views.student_home, name="student-home"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include(api_v1)),
]
