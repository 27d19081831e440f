"""Issuing and revoking certificates of attendance and of completion.

A certificate states the hours attended of the hours held (the held lessons the student has a
mark for, as the attendance sheet counts them), the dates of the first and last of them, the
level and the school, as they were when it was issued. Its code is 160 random bits: it cannot
be guessed, and the public page shows nothing for a code it does not know.
"""

import base64
import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.certificates import certificates_pdf
from courses.models import Attendance, Certificate, Enrollment, Lesson
from courses.selectors import ATTENDED
from school.errors import ConflictError
from school.models import User


def certificate_code() -> str:
    """160 random bits in base32 (no 0/1/8/9 to misread), in groups of four: ABCD-EFGH-..."""
    text = base64.b32encode(secrets.token_bytes(20)).decode()
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def certificate_figures(enrollment: Enrollment) -> dict:
    """Hours attended, hours held and the first and last held lessons with a mark: one query."""
    marks = Attendance.objects.filter(enrollment=enrollment, lesson__status=Lesson.Status.HELD)
    figures = marks.aggregate(
        attended=Sum("lesson__hours", filter=Q(status__in=ATTENDED)),
        held=Sum("lesson__hours"),
        first=Min("lesson__date"),
        last=Max("lesson__date"),
    )
    return {
        "hours_attended": figures["attended"] or Decimal(0),
        "hours_held": figures["held"] or Decimal(0),
        "first_lesson": figures["first"],
        "last_lesson": figures["last"],
    }


@transaction.atomic
def certificate_issue(
    *, enrollment: Enrollment, kind: str, issued_by: User | None, base_url: str = ""
) -> Certificate:
    """Issue a certificate of ``kind`` for ``enrollment``, or give back the valid one it has.

    1. Lock the enrollment, so two requests at once make one certificate.
    2. Refuse (409) what the enrollment does not allow: a completion certificate before the
       cycle is completed, any certificate without an hour attended.
    3. Store the figures and a new code, then the PDF.
    """
    if kind not in Certificate.Kind.values:
        raise ValidationError({"kind": _("Unknown certificate kind.")})
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("student", "cycle__school", "cycle__level")
        .get(pk=enrollment.pk)
    )
    existing = Certificate.objects.filter(
        enrollment=enrollment, kind=kind, revoked_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    if kind == Certificate.Kind.COMPLETION and enrollment.status != Enrollment.Status.COMPLETED:
        raise ConflictError(_("A completion certificate needs a completed cycle."))
    if enrollment.status == Enrollment.Status.WAITLISTED:
        raise ConflictError(_("A waitlisted student has no certificate."))
    figures = certificate_figures(enrollment)
    if not figures["hours_attended"]:
        raise ConflictError(_("No hour attended yet: there is nothing to certify."))
    certificate = Certificate.objects.create(
        enrollment=enrollment,
        kind=kind,
        code=certificate_code(),
        issued_by=issued_by,
        **figures,
    )
    certificate.enrollment = enrollment
    pdf = certificates_pdf([certificate], base_url)
    certificate.file.save(f"certificate-{certificate.code}.pdf", ContentFile(pdf), save=True)
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, reason: str) -> Certificate:
    """Revoke with a reason; the verification page then says the certificate is revoked."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the certificate is revoked.")})
    revoked = Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason[:300]
    )
    if revoked != 1:
        raise ConflictError(_("The certificate is already revoked."))
    certificate.refresh_from_db()
    return certificate
