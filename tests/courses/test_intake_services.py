"""The way in, through the services: apply, invite, place, offer, accept; offers that expire
pass their seat on; duplicates, declines and erasure."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from courses.models import Applicant, Enrollment, PlacementDecision, SeatOffer
from courses.services import intake
from notifications.models import Notification
from school.errors import ConflictError
from school.models import PartnerOrganisation
from tests.factories import (
    FACTORY_DAY,
    CycleFactory,
    EnrollmentFactory,
    SchoolFactory,
    UserFactory,
    level,
    on_factory_day,
)

pytestmark = [pytest.mark.django_db, on_factory_day]


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


def form(**changes) -> intake.ApplicationForm:
    values = {
        "first_name": "Λεϊλά",
        "last_name": "Καριμί",
        "first_name_latin": "Leila",
        "last_name_latin": "Karimi",
        "phone": "+306900000101",
        "language": "fa",
        "nationality": "AF",
        "date_of_birth": dt.date(1994, 3, 2),
        "gender": "female",
        "greek_level": "words",
        "availability": ["evening", "mon", "wed"],
        "consent_version": intake.CONSENT_VERSION,
    }
    values.update(changes)
    return intake.ApplicationForm(**values)


def apply(school, ip="192.0.2.10", **changes) -> Applicant:
    return intake.application_submit(school=school, form=form(**changes), client_ip=ip)


def messages_to(applicant: Applicant, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind, person=f"applicant:{applicant.pk}"))


@pytest.fixture
def coordinator_user(school):
    return UserFactory(school=school, role="coordinator")


@pytest.fixture
def session(school):
    return intake.placement_session_create(
        school=school, starts_at=FACTORY_DAY + dt.timedelta(days=3), capacity=2, place="Room 2"
    )


def place(applicant, by, code="A1"):
    return intake.applicant_place(applicant=applicant, level=level(code), notes="reads well", by=by)


def token_of(message: Notification) -> str:
    return re.search(r"/offers/([^/\s]+)/", message.body).group(1)


def test_an_application_is_stored_with_its_consent_and_confirmed_in_the_applicants_language(
    school,
):
    applicant = apply(school)
    assert applicant.status == "applied"
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", applicant.reference)
    assert applicant.availability == ",evening,mon,wed,"
    assert applicant.consent_version == intake.CONSENT_VERSION
    assert "12" in applicant.consent_text
    [message] = messages_to(applicant, "application_received")
    assert message.channel == "sms" and message.address == "+306900000101"
    assert message.language == "fa" and applicant.reference in message.body


def test_an_old_consent_version_and_another_schools_referrer_are_refused(school):
    with pytest.raises(ValidationError) as error:
        apply(school, consent_version="2020-01")
    assert "consent_version" in error.value.message_dict
    other = PartnerOrganisation.objects.create(school=SchoolFactory(), name="Elsewhere")
    with pytest.raises(ValidationError) as error:
        apply(school, referrer=other)
    assert "referrer" in error.value.message_dict
    assert not Applicant.objects.exists()


def test_too_many_applications_from_one_phone_are_refused_before_anything_is_stored(
    school, settings
):
    settings.APPLICATIONS_PER_PHONE = 2
    apply(school, ip="192.0.2.1")
    apply(school, ip="192.0.2.2")
    with pytest.raises(intake.TooManyApplications):
        apply(school, ip="192.0.2.3")
    assert Applicant.objects.count() == 2


def test_a_second_application_with_the_same_phone_or_name_and_birthday_is_flagged(school):
    first = apply(school)
    by_phone = apply(school, first_name_latin="Other", last_name_latin="Person",
                     first_name="Άλλη", last_name="Γυναίκα")  # fmt: skip
    by_name = apply(school, phone="+306900000999")
    stranger = apply(school, phone="+306900000888", first_name="Α", last_name="Β",
                     first_name_latin="A", last_name_latin="B")  # fmt: skip
    assert by_phone.duplicate_of == first
    assert by_name.duplicate_of == first
    assert stranger.duplicate_of is None


def test_merging_keeps_the_first_and_closes_the_second_as_a_duplicate(school, coordinator_user):
    partner = PartnerOrganisation.objects.create(school=school, name="Social services")
    first = apply(school, availability=["morning"])
    second = apply(school, email="leila@example.org", referrer=partner, availability=["evening"])
    kept = intake.applicant_merge(duplicate=second, into=first, by=coordinator_user)
    assert kept.email == "leila@example.org" and kept.referrer == partner
    assert kept.availability_codes == ["morning", "evening"]
    second.refresh_from_db()
    assert second.status == "declined" and second.duplicate_of == first
    assert first.reference in second.declined_reason


def test_the_whole_way_from_application_to_the_roster(school, coordinator_user, session):
    cycle = CycleFactory(school=school, capacity=1)
    applicant = apply(school)
    applicant = intake.applicant_invite(applicant=applicant, session=session, by=coordinator_user)
    assert applicant.status == "invited"
    [invitation] = messages_to(applicant, "placement_invitation")
    assert "Room 2" in invitation.body

    applicant = place(applicant, coordinator_user)
    assert applicant.status == "placed" and applicant.placement_level.code == "A1"
    offer = intake.applicant_offer(applicant=applicant, cycle=cycle, by=coordinator_user)
    assert offer.expires_at - offer.offered_at == dt.timedelta(hours=48)
    [message] = messages_to(applicant, "seat_offer")
    assert Notification(kind="seat_offer", body=message.body).shown_body != message.body

    found = intake.seat_offer_for_token(token_of(message))
    assert found == offer
    enrollment = intake.seat_offer_accept(offer=found)
    assert enrollment.status == "enrolled" and enrollment.cycle == cycle
    student = enrollment.student
    assert (student.first_name, student.last_name_latin, str(student.phone)) == (
        "Λεϊλά", "Karimi", "+306900000101",
    )  # fmt: skip
    applicant.refresh_from_db()
    assert applicant.status == "enrolled" and applicant.student == student
    # The entry questionnaire follows, as for every new student of an operation's cycle.
    assert Notification.objects.filter(student=student, kind="questionnaire_entry").exists()
    with pytest.raises(ConflictError):
        intake.seat_offer_accept(offer=found)


def test_a_seat_offered_is_held_against_direct_enrollment(school, coordinator_user):
    cycle = CycleFactory(school=school, capacity=1)
    applicant = place(apply(school), coordinator_user)
    intake.applicant_offer(applicant=applicant, cycle=cycle, by=coordinator_user)
    from courses.services import enrollment_create
    from tests.factories import StudentFactory

    other = enrollment_create(student=StudentFactory(school=school), cycle=cycle)
    assert other.status == "waitlisted"


def test_an_offer_needs_the_placed_level_a_free_seat_and_a_placed_applicant(
    school, coordinator_user
):
    cycle = CycleFactory(school=school, capacity=1)
    applicant = apply(school)
    with pytest.raises(ConflictError):
        intake.applicant_offer(applicant=applicant, cycle=cycle, by=coordinator_user)
    place(applicant, coordinator_user, code="A2")
    with pytest.raises(ValidationError):
        intake.applicant_offer(applicant=applicant, cycle=cycle, by=coordinator_user)
    EnrollmentFactory(cycle=cycle)
    place(applicant, coordinator_user, code="A1")
    with pytest.raises(ConflictError, match="no free seat"):
        intake.applicant_offer(applicant=applicant, cycle=cycle, by=coordinator_user)


def test_an_expired_offer_passes_the_seat_to_the_next_placed_applicant(school, coordinator_user):
    cycle = CycleFactory(school=school, capacity=1)
    first = place(apply(school, phone="+306900000201"), coordinator_user)
    second = place(
        apply(school, phone="+306900000202", first_name_latin="Omid", first_name="Ομίντ"),
        coordinator_user,
    )
    offer = intake.applicant_offer(applicant=first, cycle=cycle, by=coordinator_user, hours=24)
    assert intake.seat_offers_expire() == 0
    with time_machine.travel(FACTORY_DAY + dt.timedelta(hours=25)):
        assert intake.seat_offers_expire() == 1
        [late] = messages_to(first, "seat_offer")
        with pytest.raises(ConflictError):
            intake.seat_offer_accept(offer=intake.seat_offer_for_token(token_of(late)))
    offer.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert offer.status == "expired" and first.status == "expired"
    assert messages_to(first, "seat_offer_expired")
    assert second.status == "offered"
    passed = SeatOffer.objects.get(applicant=second, status="open")
    assert passed.cycle == cycle and passed.offered_by is None
    assert messages_to(second, "seat_offer")


def test_an_expired_offer_passes_the_seat_to_the_waitlist_first(school, coordinator_user):
    cycle = CycleFactory(school=school, capacity=1)
    applicant = place(apply(school), coordinator_user)
    intake.applicant_offer(applicant=applicant, cycle=cycle, by=coordinator_user, hours=1)
    from courses.services import enrollment_create
    from tests.factories import StudentFactory

    waiting = enrollment_create(student=StudentFactory(school=school), cycle=cycle)
    assert waiting.status == "waitlisted"
    with time_machine.travel(FACTORY_DAY + dt.timedelta(hours=2)):
        intake.seat_offers_expire()
    waiting.refresh_from_db()
    assert waiting.status == "enrolled"
    assert Notification.objects.filter(kind="waitlist_promoted", student=waiting.student).exists()


def test_refusing_from_the_link_passes_the_seat_on_at_once(school, coordinator_user):
    cycle = CycleFactory(school=school, capacity=1)
    first = place(apply(school, phone="+306900000301"), coordinator_user)
    second = place(apply(school, phone="+306900000302", first_name_latin="Zed"), coordinator_user)
    offer = intake.applicant_offer(applicant=first, cycle=cycle, by=coordinator_user)
    intake.seat_offer_refuse(offer=offer)
    first.refresh_from_db()
    second.refresh_from_db()
    # The one who cannot come waits again among those placed, for another cycle.
    assert first.status == "placed" and second.status == "offered"
    # A seat of this cycle that frees up again never goes back to them by itself.
    intake.seat_offer_refuse(offer=SeatOffer.objects.get(applicant=second, status="open"))
    first.refresh_from_db()
    assert first.status == "placed"
    assert not SeatOffer.objects.filter(status="open").exists()


def test_a_placement_test_has_seats_and_reminds_the_day_before(school, coordinator_user, session):
    a = apply(school, phone="+306900000401")
    b = apply(school, phone="+306900000402", first_name_latin="B")
    c = apply(school, phone="+306900000403", first_name_latin="C")
    intake.applicant_invite(applicant=a, session=session, by=coordinator_user)
    intake.applicant_invite(applicant=b, session=session, by=coordinator_user)
    with pytest.raises(ConflictError, match="full"):
        intake.applicant_invite(applicant=c, session=session, by=coordinator_user)
    assert intake.placement_reminders_send() == 0  # three days before
    with time_machine.travel(session.starts_at - dt.timedelta(hours=30)):
        assert intake.placement_reminders_send() == 2
        assert intake.placement_reminders_send() == 0  # once
    assert len(messages_to(a, "placement_reminder")) == 1


def test_declining_withdraws_an_open_offer_and_tells_the_applicant(school, coordinator_user):
    cycle = CycleFactory(school=school, capacity=1)
    applicant = place(apply(school), coordinator_user)
    offer = intake.applicant_offer(applicant=applicant, cycle=cycle, by=coordinator_user)
    with pytest.raises(ValidationError):
        intake.applicant_decline(applicant=applicant, reason=" ", by=coordinator_user)
    intake.applicant_decline(
        applicant=applicant, reason="Moved to Thessaloniki", by=coordinator_user
    )
    offer.refresh_from_db()
    assert offer.status == "withdrawn"
    assert messages_to(applicant, "application_declined")
    with pytest.raises(ConflictError):
        intake.applicant_decline(applicant=applicant, reason="again", by=coordinator_user)


def test_placing_a_level_with_a_prerequisite_gives_the_student_their_placement_decision(
    school, coordinator_user
):
    cycle = CycleFactory(school=school, capacity=5, level=level("A2"), code="A2-X")
    applicant = place(apply(school), coordinator_user, code="A2")
    offer = intake.applicant_offer(applicant=applicant, cycle=cycle, by=coordinator_user)
    enrollment = intake.seat_offer_accept(offer=offer)
    assert PlacementDecision.objects.filter(student=enrollment.student, level__code="A2").exists()


def test_applicants_who_never_enrolled_are_erased_after_the_retention_period(
    school, coordinator_user
):
    school.applicant_retention_months = 12
    school.save()
    cycle = CycleFactory(school=school, capacity=5)
    old = apply(school, phone="+306900000501")
    enrolled = place(apply(school, phone="+306900000502", first_name_latin="E"), coordinator_user)
    intake.seat_offer_accept(
        offer=intake.applicant_offer(applicant=enrolled, cycle=cycle, by=coordinator_user)
    )
    fresh_day = FACTORY_DAY + dt.timedelta(days=200)
    with time_machine.travel(fresh_day):
        recent = apply(school, phone="+306900000503", first_name_latin="R")
    with time_machine.travel(FACTORY_DAY + dt.timedelta(days=370)):
        assert intake.applicants_erase_expired() == 1
    old.refresh_from_db()
    assert old.erased_at is not None
    assert (old.first_name, old.last_name_latin, str(old.phone or ""), old.date_of_birth) == (
        "", "", "", None,
    )  # fmt: skip
    assert not old.history.exists()
    assert not Notification.objects.filter(person=f"applicant:{old.pk}").exists()
    # The row stays for the counts; the others are untouched.
    assert old.applied_at is not None and old.status == "applied"
    recent.refresh_from_db()
    enrolled.refresh_from_db()
    assert recent.erased_at is None and enrolled.erased_at is None
    assert Enrollment.objects.filter(student=enrolled.student).exists()
    assert timezone.now()  # the clock is back


def test_a_declined_applicant_is_erased_too_and_their_reason_with_them(school, coordinator_user):
    declined = intake.applicant_decline(
        applicant=apply(school), reason="Λεϊλά moved to Patras", by=coordinator_user
    )
    with time_machine.travel(FACTORY_DAY + dt.timedelta(days=370)):
        assert intake.applicants_erase_expired() == 1
    declined.refresh_from_db()
    assert declined.erased_at is not None and declined.status == "declined"
    assert "Λεϊλά" not in declined.declined_reason and declined.first_name == ""


def test_cancelling_a_cycle_withdraws_its_open_offers(school, coordinator_user):
    from courses.services import cycle_cancel

    cycle = CycleFactory(school=school, capacity=2)
    applicant = place(apply(school), coordinator_user)
    offer = intake.applicant_offer(applicant=applicant, cycle=cycle, by=coordinator_user)
    cycle_cancel(cycle=cycle)
    offer.refresh_from_db()
    applicant.refresh_from_db()
    assert offer.status == "withdrawn" and applicant.status == "placed"
    with pytest.raises(ConflictError):
        intake.seat_offer_accept(offer=offer)


def test_a_students_application_is_in_their_export_and_erased_with_them(school, coordinator_user):
    from school.retention import student_anonymise, student_export_data

    cycle = CycleFactory(school=school, capacity=2)
    applicant = place(apply(school), coordinator_user)
    enrollment = intake.seat_offer_accept(
        offer=intake.applicant_offer(applicant=applicant, cycle=cycle, by=coordinator_user)
    )
    data = student_export_data(
        student=enrollment.student, include_special_category=False, reader=None, via="test"
    )
    [application] = data["applications"]
    assert application["reference"] == applicant.reference
    assert application["consent_version"] == intake.CONSENT_VERSION
    student_anonymise(student=enrollment.student, today=dt.date(2033, 1, 1))
    applicant.refresh_from_db()
    assert applicant.erased_at is not None and applicant.first_name == ""


def test_an_erased_application_takes_no_further_step(school, coordinator_user, session):
    cycle = CycleFactory(school=school, capacity=2)
    applicant = intake.applicant_invite(
        applicant=apply(school), session=session, by=coordinator_user
    )
    intake.applicant_erase(applicant=applicant)
    applicant.refresh_from_db()
    assert applicant.session is None  # the test's seat is free again
    for step in (
        lambda: intake.applicant_place(applicant=applicant, level=level("A1"), by=coordinator_user),
        lambda: intake.applicant_invite(applicant=applicant, session=session, by=coordinator_user),
        lambda: intake.applicant_offer(applicant=applicant, cycle=cycle, by=coordinator_user),
        lambda: intake.applicant_decline(applicant=applicant, reason="x", by=coordinator_user),
    ):
        with pytest.raises(ConflictError, match="erased"):
            step()


def test_an_enrolled_applicant_is_erased_with_their_student_record_only(school, coordinator_user):
    cycle = CycleFactory(school=school, capacity=2)
    applicant = place(apply(school), coordinator_user)
    intake.seat_offer_accept(
        offer=intake.applicant_offer(applicant=applicant, cycle=cycle, by=coordinator_user)
    )
    applicant.refresh_from_db()
    with pytest.raises(ConflictError, match="student"):
        intake.applicant_erase(applicant=applicant)
    applicant.refresh_from_db()
    assert applicant.erased_at is None and applicant.first_name


def test_a_new_application_is_not_merged_into_a_closed_one(school, coordinator_user):
    first = apply(school)
    intake.applicant_decline(applicant=first, reason="Did not come", by=coordinator_user)
    second = apply(school)
    assert second.duplicate_of == first
    with pytest.raises(ConflictError, match="keep this one"):
        intake.applicant_merge(duplicate=second, into=first, by=coordinator_user)
    second.refresh_from_db()
    assert second.status == "applied"


def test_a_withdrawal_does_not_promote_into_a_seat_held_for_an_applicant(school, coordinator_user):
    from courses.services import enrollment_create, enrollment_withdraw
    from tests.factories import StudentFactory

    cycle = CycleFactory(school=school, capacity=2)
    seated = enrollment_create(student=StudentFactory(school=school), cycle=cycle)
    intake.applicant_offer(
        applicant=place(apply(school), coordinator_user), cycle=cycle, by=coordinator_user
    )
    # Capacity lowered by hand below enrolled + held (as an import or the shell could).
    type(cycle).objects.filter(pk=cycle.pk).update(capacity=1)
    waiting = enrollment_create(student=StudentFactory(school=school), cycle=cycle)
    enrollment_withdraw(enrollment=seated, reason="Moved")
    waiting.refresh_from_db()
    assert waiting.status == "waitlisted"


def test_filters_with_digits_of_other_scripts_find_nothing_rather_than_fail(school):
    from courses.models import Applicant as Model
    from courses.selectors.intake import applicants_filtered

    apply(school)
    rows = Model.objects.filter(school=school)
    for value in ("²", "٣", "99999999999999999999999"):
        assert list(applicants_filtered(rows, level=value)) == []
        assert list(applicants_filtered(rows, referrer=value)) == list(rows)


def test_the_consent_recorded_is_the_one_shown(school):
    applicant = intake.application_submit(
        school=school, form=form(language="en"), client_ip="192.0.2.50", shown_in="fa"
    )
    assert applicant.consent_text == intake.consent_text(school, "fa")
    assert applicant.consent_text != intake.consent_text(school, "en")
