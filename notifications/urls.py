"""The notifications app's pages: the office's message log, and the one-time sign-in links
sent through the outbox."""

from django.urls import path

from notifications import views, views_sign_in

urlpatterns = [
    path("office/notifications/", views.log, name="office-notifications"),
    path(
        "office/notifications/<int:pk>/resend/",
        views.resend,
        name="office-notification-resend",
    ),
    path("signin/link/", views_sign_in.sign_in_link_request, name="sign-in-link"),
    path(
        "signin/link/<str:token>/",
        views_sign_in.sign_in_link_use_view,
        name="sign-in-link-use",
    ),
]
