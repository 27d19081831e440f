"""Sending the funder's questionnaires to participants: entry at enrollment, exit on leaving
(with reminders on day 7 and day 21, closing 4 weeks after the exit), the follow-up 6 months
after the exit; to one participant (the API) or to a whole cycle (the office).

A message carries a sign-in link that leads straight to the questionnaire and lives while it
is open (and two weeks more, so that a late opener reads that it closed). The answers are kept
by ``school.services.questionnaires``.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Cycle, Enrollment
from notifications.services import Recipient, notification_queue
from school.choices import AnswerSource
from school.errors import ConflictError
from school.models import (
    EntryAnswers,
    Exit,
    FollowUp,
    Participation,
    Questionnaire,
    QuestionnaireKind,
    User,
)
from school.models.participation import EXIT_ANSWER_DAYS
from school.services import sign_in_link_create
from school.services.participation import participation_for
from school.services.questionnaires import student_account_ensure

# An entry questionnaire stays open this many days after it is first sent; an exit one this
# many days after the exit (DOMAIN.md: answers count within 4 weeks of leaving).
ENTRY_OPEN_DAYS = EXIT_ANSWER_DAYS
# Days after the first sending on which a questionnaire still open is sent again, once each.
REMINDER_DAYS = (7, 21)
# The kind of the message that reminds a participant of an open questionnaire.
REMINDER_KIND = "questionnaire_reminder"
# The link still signs in this long after closing, to tell the participant it closed.
LINK_AFTER_CLOSING = dt.timedelta(days=14)


def site_url() -> str:
    """Where links in messages point; jobs have no request to take it from."""
    return settings.SITE_URL.rstrip("/") or "http://localhost:8000"


def _latest_exit(participation: Participation) -> Exit | None:
    return participation.exits.order_by("-date", "-pk").first()


def _closes_on(
    kind: str, participation: Participation, exit_: Exit | None, today: dt.date
) -> dt.date:
    if kind == QuestionnaireKind.ENTRY:
        return today + dt.timedelta(days=ENTRY_OPEN_DAYS)
    assert exit_ is not None
    if kind == QuestionnaireKind.EXIT:
        return exit_.date + dt.timedelta(days=EXIT_ANSWER_DAYS)
    operation = participation.operation
    return operation.follow_up_due(exit_.date) + dt.timedelta(days=operation.follow_up_window_days)


def questionnaire_due(
    *,
    participation: Participation,
    kind: str,
    today: dt.date,
    exit: Exit | None = None,
    closed_too: bool = False,
) -> Questionnaire:
    """The participation's questionnaire of ``kind`` (made when first needed), or a 409 saying
    why none applies: entry answers already given; no exit yet, or its answers given; a
    follow-up not due yet or given; a questionnaire answered, or closed (unless ``closed_too``:
    a paper form is typed in after closing, and marked late)."""
    if kind not in QuestionnaireKind.values:
        raise ValueError(kind)
    exit_ = None
    if kind == QuestionnaireKind.ENTRY:
        given = EntryAnswers.objects.filter(participation=participation).exclude(
            source=AnswerSource.RECORD
        )
        if given.exists():
            raise ConflictError(_("The entry answers are given already."))
    else:
        exit_ = exit or _latest_exit(participation)
        if exit_ is None:
            raise ConflictError(_("The participant has not left: there is no exit to ask about."))
        if kind == QuestionnaireKind.EXIT and exit_.answered:
            raise ConflictError(_("The answers about this exit are given already."))
        if kind == QuestionnaireKind.FOLLOW_UP:
            if FollowUp.objects.filter(exit=exit_).exists():
                raise ConflictError(_("The follow-up of this exit is given already."))
            operation = participation.operation
            opens = operation.follow_up_due(exit_.date) - dt.timedelta(
                days=operation.follow_up_window_days
            )
            if today < opens:
                raise ConflictError(
                    _("The follow-up is not due until %(day)s.") % {"day": opens.isoformat()}
                )
    questionnaire, _created = Questionnaire.objects.get_or_create(
        participation=participation,
        kind=kind,
        exit=exit_,
        defaults={
            "school_id": participation.operation.school_id,
            "closes_on": _closes_on(kind, participation, exit_, today),
        },
    )
    if questionnaire.answered:
        raise ConflictError(_("This questionnaire is answered already."))
    if questionnaire.closed_on(today) and not closed_too:
        raise ConflictError(
            _("This questionnaire closed on %(day)s; type in a paper form instead.")
            % {"day": questionnaire.closes_on.isoformat()}
        )
    return questionnaire


def _cycle_code(participation: Participation) -> str:
    enrollment = (
        Enrollment.objects.filter(
            student_id=participation.student_id, cycle__operation_id=participation.operation_id
        )
        .select_related("cycle")
        .order_by("-cycle__starts_on", "-pk")
        .first()
    )
    return enrollment.cycle.code if enrollment else ""


def _message(questionnaire: Questionnaire, *, message_kind: str, number: int, base_url: str) -> int:
    participation = questionnaire.participation
    student = participation.student
    user = student_account_ensure(student=student)
    closes_at = dt.datetime.combine(
        questionnaire.closes_on + LINK_AFTER_CLOSING, dt.time(23, 59), tzinfo=student.school.zone
    )
    token = sign_in_link_create(user=user, expires_at=closes_at)
    link = (
        base_url
        + reverse("sign-in-link-use", args=[token])
        + "?next="
        + reverse("questionnaire", args=[questionnaire.pk])
    )
    return notification_queue(
        school=student.school,
        kind=message_kind,
        recipients=[Recipient(student=student)],
        context={
            "cycle": _cycle_code(participation),
            "link": link,
            "closes_on": questionnaire.closes_on.isoformat(),
        },
        dedup_key=f"questionnaire:{questionnaire.pk}:{message_kind}:{number}",
    )


@transaction.atomic
def questionnaire_send(
    *,
    participation: Participation,
    kind: str,
    by: User | None = None,
    base_url: str | None = None,
    exit: Exit | None = None,
    today: dt.date | None = None,
) -> Questionnaire:
    """Send the participant the link to their questionnaire of ``kind`` by SMS or e-mail, in
    their language (again, if it was sent before).

    1. The questionnaire that applies (``questionnaire_due``: 409 when none does).
    2. A student without an account gets one, to sign in by the link.
    3. A sign-in link leading to the questionnaire, living until two weeks after it closes,
       queued in the outbox (409 when the student cannot be reached: no phone or e-mail, or no
       messages wanted; the office types in a paper form then).
    """
    participation = (
        Participation.objects.select_for_update()
        .select_related("student__school", "operation")
        .get(pk=participation.pk)
    )
    today = today or participation.student.school.today()
    questionnaire = questionnaire_due(
        participation=participation, kind=kind, today=today, exit=exit
    )
    questionnaire.participation = participation
    number = questionnaire.times_sent + 1
    message_kind = f"questionnaire_{kind.replace('-', '_')}"
    if not _message(
        questionnaire, message_kind=message_kind, number=number, base_url=base_url or site_url()
    ):
        raise ConflictError(
            _("The student has no phone or e-mail, or wants no messages: type in a paper form.")
        )
    Questionnaire.objects.filter(pk=questionnaire.pk).update(
        times_sent=number, sent_on=questionnaire.sent_on or today
    )
    questionnaire.refresh_from_db()
    return questionnaire


@dataclass(frozen=True)
class CycleSending:
    sent: int
    # Students for whom it does not apply or who cannot be reached: their reason, by name.
    skipped: list[tuple[str, str]]


def questionnaires_send_to_cycle(
    *, cycle: Cycle, kind: str, by: User | None = None, today: dt.date | None = None
) -> CycleSending:
    """Send the questionnaire of ``kind`` to every student of the cycle it applies to (entry:
    those enrolled; exit and follow-up: those who left); the others are listed with why."""
    if cycle.operation_id is None:
        raise ConflictError(_("This cycle belongs to no operation."))
    statuses = (
        [Enrollment.Status.ENROLLED]
        if kind == QuestionnaireKind.ENTRY
        else [Enrollment.Status.WITHDRAWN, Enrollment.Status.COMPLETED]
    )
    enrollments = (
        Enrollment.objects.filter(cycle=cycle, status__in=statuses)
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "pk")
    )
    sent, skipped = 0, []
    for enrollment in enrollments:
        participation = participation_for(enrollment.student, cycle.operation)  # type: ignore[arg-type]
        try:
            questionnaire_send(participation=participation, kind=kind, by=by, today=today)
        except ConflictError as error:
            skipped.append((enrollment.student.full_name, error.message))
        else:
            sent += 1
    return CycleSending(sent=sent, skipped=skipped)


def questionnaire_reminders_send(*, today: dt.date | None = None) -> int:
    """Send each open questionnaire again on day 7 and day 21 after it was first sent, once
    each; never one that is answered or closed. A day missed (the job did not run) is made up
    with one reminder, not two. Returns how many were sent.

    Each reminder is claimed with a conditional UPDATE of the count, so two runs never send the
    same one twice."""
    sent = 0
    open_ = Questionnaire.objects.filter(
        answered_at__isnull=True, sent_on__isnull=False, reminders_sent__lt=len(REMINDER_DAYS)
    ).select_related("participation__student__school", "participation__operation")
    for questionnaire in open_.iterator(chunk_size=500):
        local_today = today or questionnaire.participation.student.school.today()
        if questionnaire.closed_on(local_today):
            continue
        assert questionnaire.sent_on is not None
        age = (local_today - questionnaire.sent_on).days
        due = sum(1 for day in REMINDER_DAYS if age >= day)
        if due <= questionnaire.reminders_sent:
            continue
        with transaction.atomic():
            claimed = Questionnaire.objects.filter(
                pk=questionnaire.pk,
                reminders_sent=questionnaire.reminders_sent,
                answered_at__isnull=True,
            ).update(reminders_sent=due, last_reminded_on=local_today)
            if claimed != 1:
                continue
            sent += _message(
                questionnaire,
                message_kind=REMINDER_KIND,
                number=due,
                base_url=site_url(),
            )
    return sent


def follow_ups_send(*, today: dt.date | None = None) -> int:
    """Send the 6-month follow-up of each exit whose follow-up falls due (exit + 6 months)
    and has not been sent, while its window is open. Returns how many were sent."""
    sent = 0
    exits = (
        Exit.objects.exclude(questionnaires__kind=QuestionnaireKind.FOLLOW_UP)
        .filter(follow_up__isnull=True)
        .select_related("participation__operation", "participation__student__school")
    )
    # Only exits at least 5 months old can be due: the rest need no look.
    horizon = (today or timezone.localdate()) - dt.timedelta(days=150)
    for exit_ in exits.filter(date__lte=horizon).iterator(chunk_size=500):
        participation = exit_.participation
        local_today = today or participation.student.school.today()
        due = participation.operation.follow_up_due(exit_.date)
        if (
            not due
            <= local_today
            <= due + dt.timedelta(days=participation.operation.follow_up_window_days)
        ):
            continue
        try:
            questionnaire_send(
                participation=participation, kind=QuestionnaireKind.FOLLOW_UP, exit=exit_
            )
        except ConflictError:
            continue
        sent += 1
    return sent


def _send_when_possible(
    *, participation: Participation, kind: str, exit: Exit | None = None
) -> bool:
    """Send a questionnaire as part of another change (an enrollment, a leaving): when it does
    not apply or the student cannot be reached, the change goes on and the office sees the
    questionnaire as not sent (and types in a paper form)."""
    try:
        with transaction.atomic():
            questionnaire_send(participation=participation, kind=kind, exit=exit)
    except ConflictError:
        return False
    return True


def entry_questionnaire_on_enrollment(enrollment: Enrollment) -> bool:
    """A student who takes a seat in a cycle of an operation is sent its entry questionnaire
    (once: not again once answered)."""
    operation = enrollment.cycle.operation
    if operation is None or enrollment.status != Enrollment.Status.ENROLLED:
        return False
    participation = participation_for(enrollment.student, operation)
    return _send_when_possible(participation=participation, kind=QuestionnaireKind.ENTRY)


def exit_questionnaire_on_leaving(exit: Exit) -> bool:
    """A participant who leaves (withdrawn, or the cycle completed) is sent the exit
    questionnaire about that exit."""
    return _send_when_possible(
        participation=exit.participation, kind=QuestionnaireKind.EXIT, exit=exit
    )
