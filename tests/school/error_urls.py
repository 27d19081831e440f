"""The site's URLs and one page that fails, to see the server-error page as a visitor would."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as site


def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a page")


urlpatterns = [path("fails/", fails), *site]
