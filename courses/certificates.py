"""Certificates as documents: the PDF (HTML and CSS drawn by WeasyPrint with Debian's Noto
fonts), in Greek with the student's own language beside it (right to left for Arabic and
Persian), and a QR code (segno) of the public page that checks it.

The records and their rules are in ``courses.services.certificates``.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from courses.models import Certificate

GREEK = "el"
RIGHT_TO_LEFT = {"ar", "fa", "he", "ur"}


def verify_url(code: str, base_url: str = "") -> str:
    """The public page that checks a certificate: on this site when known, else the path."""
    base = (base_url or settings.SITE_URL).rstrip("/")
    return f"{base}{reverse('certificate-verify', args=[code])}"


def hours_text(hours: Decimal) -> str:
    return f"{hours.normalize():f}"


def _languages(certificate: Certificate) -> list[str]:
    """Greek, and the student's language beside it when the installation speaks it."""
    own = (certificate.enrollment.student.language or "").split("-")[0].lower()
    known = {code for code, _name in settings.LANGUAGES}
    return [GREEK] + ([own] if own in known and own != GREEK else [])


def _side(certificate: Certificate, language: str) -> dict[str, Any]:
    cycle = certificate.enrollment.cycle
    with translation.override(language):
        figures = {
            "attended": hours_text(certificate.hours_attended),
            "held": hours_text(certificate.hours_held),
            "level": cycle.level.code,
            "school": cycle.school.name,
            "start": f"{certificate.first_lesson:%d/%m/%Y}" if certificate.first_lesson else "",
            "end": f"{certificate.last_lesson:%d/%m/%Y}" if certificate.last_lesson else "",
        }
        if certificate.kind == Certificate.Kind.COMPLETION:
            body = _(
                "completed the Greek-language course at level %(level)s at %(school)s, "
                "attending %(attended)s of the %(held)s hours held."
            )
        else:
            body = _(
                "attended %(attended)s of the %(held)s hours held of the Greek-language course "
                "at level %(level)s at %(school)s."
            )
        return {
            "language": language,
            "direction": "rtl" if language in RIGHT_TO_LEFT else "ltr",
            "title": str(certificate.get_kind_display()),
            "body": body % figures,
            "hours_label": _("Hours attended"),
            "hours": _("%(attended)s of %(held)s hours") % figures,
            "dates_label": _("Dates"),
            # Kept left to right inside right-to-left text (else the range reads backwards).
            "dates": f"\u2066{figures['start']} – {figures['end']}\u2069",
            "level_label": _("Level"),
            "issued": _("Issued on %(date)s") % {"date": f"{certificate.issued_at:%d/%m/%Y}"},
            "check": _("Check this certificate with its code or its QR code:"),
        }


def _page(certificate: Certificate, base_url: str) -> dict[str, Any]:
    import segno

    student = certificate.enrollment.student
    url = verify_url(certificate.code, base_url)
    name = student.full_name
    latin = f"{student.first_name_latin} {student.last_name_latin}".strip()
    if latin and latin != name:
        name = f"{name} ({latin})"
    with translation.override(GREEK):
        qr_alt = _("QR code of the verification page")
    return {
        "certificate": certificate,
        "name": name,
        "url": url,
        "qr": segno.make(url, error="m").svg_data_uri(scale=4),
        "qr_alt": qr_alt,
        "sides": [_side(certificate, language) for language in _languages(certificate)],
    }


def certificates_pdf(certificates: Iterable[Certificate], base_url: str = "") -> bytes:
    """One PDF, a page per certificate."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    pages = [_page(certificate, base_url) for certificate in certificates]
    html = render_to_string("courses/certificate.html", {"pages": pages})
    # Nothing is fetched from anywhere: the QR code is inline, the fonts are the system's.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()
