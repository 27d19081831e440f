"""The school app's pages: the front door, sign-out, the language switch, two-factor sign-in,
the student's page and the office dashboard (frames the other apps fill), the secret calendar
address, and the API's schema and its documentation page."""

from csp.decorators import csp_update
from django.contrib.auth import views as auth_views
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from school import calendar_feed, views
from school.two_factor import two_factor

urlpatterns = [
    path("", views.home, name="home"),
    path("signout/", auth_views.LogoutView.as_view(), name="logout"),
    path("no-role/", views.signed_out, name="signed-out"),
    path("two-factor/", two_factor, name="two-factor"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("calendar/<str:token>.ics", calendar_feed.calendar_feed, name="calendar-feed"),
    path("office/", views.office, name="office"),
    path("me/", views.student_home, name="student-home"),
    path("me/calendar/", views.calendar_renew, name="student-calendar-renew"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI's page carries a small inline stylesheet; its script is served as a file.
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
]
