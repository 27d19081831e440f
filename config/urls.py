"""Each app's pages and API routes, included once; the apps' own urls.py list them."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("school.urls")),
    path("", include("courses.urls")),
    path("", include("exams.urls")),
    path("", include("notifications.urls")),
    path("", include("config.health")),
    path("", include("config.metrics")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("school.urls_api")),
    path("api/v1/", include("courses.urls_api")),
    path("api/v1/", include("exams.urls_api")),
    path("api/v1/", include("notifications.urls_api")),
]

# A service that is down answers 503 "try again in a minute", not the server-error page.
handler500 = "school.views.server_error"
