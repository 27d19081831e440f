"""Secret addresses: a user's calendar feed and one-time sign-in links."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarFeed(models.Model):
    """A user's secret calendar address, for calendar apps that cannot sign in.

    The address is ``public_id`` plus an HMAC of a random ``key`` under the site's secret key:
    the table alone does not give the address away, and a renewal (a new id and key) makes the
    old address answer 404.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    public_id = models.CharField(max_length=32, unique=True)
    key = models.CharField(max_length=64)
    renewed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"calendar feed of user #{self.user_id}"


class SignInLink(models.Model):
    """A one-time sign-in link: only a hash of its token is kept; used once, then dead."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_in_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sign-in link")
        verbose_name_plural = _("sign-in links")
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"sign-in link #{self.pk} of user #{self.user_id}"
