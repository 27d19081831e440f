"""The way in at the demo school: its partner organisations, a placement test held five weeks
ago and one next week, and applicants at every step, who applied over the last four months
(so the dashboard's funnel has several months) and one over a year ago, erased by retention.

Every step goes through ``courses.services.intake`` as a coordinator's click or the applicant's
answer would. Those steps that take ``now`` are given the day they happen in the story; the
others stamp the real clock (a placement test cannot be planned, nor an applicant invited to
it, in the past), so their moments are set afterwards with an ``update()``, each said where.

The story (days before the demo's today):

- 400: Narges applied; declined 20 days later (never reached); erased by the monthly job.
- 120: Omar, with A2-level Greek from an earlier school, placed at A2 without a test,
  offered the A2 cycle, accepted and came to its first lesson: now a student on its roster.
- 105: Karim applied; declined: he moved to another city.
- 80 and 70: Esther and Zahra sat the placement test 35 days ago, both placed at A1. Esther
  was offered a seat in the second A1 cycle and let it expire; the seat passed by itself to
  Zahra, who accepted the next day and has come to the lessons since.
- 60 and 55: Oksana (A1) and Chinedu (A2) placed at the same test, waiting for a seat.
- 45: Omid, placed at A1, was offered a seat yesterday evening: the offer is open, its SMS
  in the outbox.
- 20 and 15: Yousef and Brigitte, invited to next week's placement test.
- 10 to 2: Patrick, Sana and Hamid applied; and Oksana again, with the same phone: flagged as a
  likely duplicate of her first application, for the coordinator to merge.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from courses.models import Applicant, Cycle, Lesson, Level, PlacementSession, SeatOffer
from courses.services import intake
from courses.services.attendance import attendance_save
from school.choices import Role
from school.demo import LATIN, DemoPart, DemoRun, demo_part_register
from school.models import PartnerOrganisation, School, User

# Made-up organisations, named like the demo's made-up street: who sends people to the school.
PARTNERS = {
    "municipal": "Κοινωνική Υπηρεσία Δήμου Παραδείγματος",
    "network": "Δίκτυο Αλληλεγγύης Παραδείγματος",
    "shelter": "Ξενώνας Φιλοξενίας Παραδείγματος",
}


@dataclass(frozen=True)
class Person:
    """An applicant of the story: their names (from ``school.demo.PEOPLE``), who they are, when
    they applied (days before today), who sent them and what they said of their Greek and
    their time."""

    first_name: str
    last_name: str
    nationality: str
    language: str
    gender: str
    born: dt.date
    days_ago: int
    referrer: str | None
    greek_level: str
    availability: tuple[str, ...]
    phone: str
    email: str = ""


PEOPLE = {
    "narges": Person("نرگس", "نوری", "AF", "fa", "female", dt.date(1990, 4, 12), 400,
                     "municipal", "none", ("morning", "mon", "wed"), "+306980000001"),
    "omar": Person("عمر", "حداد", "SY", "ar", "male", dt.date(1988, 9, 3), 120,
                   "network", "everyday", ("evening", "tue", "thu"), "+306980000002",
                   "omar.h@example.org"),
    "karim": Person("كريم", "الربيعي", "IQ", "ar", "male", dt.date(1979, 1, 21), 105, None,
                    "words", ("afternoon", "evening", "mon", "fri"), "+306980000003"),
    "esther": Person("Esther", "Ilunga", "CD", "fr", "female", dt.date(1996, 6, 30), 80,
                     "shelter", "none", ("morning", "tue", "thu"), "+306980000004"),
    "zahra": Person("زهرا", "رحیمی", "AF", "fa", "female", dt.date(2001, 2, 14), 70,
                    "municipal", "words", ("morning", "tue", "thu"), "+306980000005"),
    "oksana": Person("Оксана", "Мельник", "UA", "uk", "female", dt.date(1985, 11, 8), 60,
                     None, "none", ("morning", "evening", "tue", "thu"), "+306980000006",
                     "oksana.m@example.org"),
    "chinedu": Person("Chinedu", "Okafor", "NG", "en", "male", dt.date(1993, 7, 19), 55,
                      "network", "everyday", ("evening", "tue", "thu"), "+306980000007"),
    "omid": Person("امید", "رضایی", "IR", "fa", "male", dt.date(1998, 3, 21), 45, "shelter",
                   "none", ("morning", "tue", "thu", "sat"), "+306980000008"),
    "yousef": Person("يوسف", "الشامي", "SY", "ar", "male", dt.date(2003, 5, 5), 20,
                     "municipal", "words", ("afternoon", "mon", "wed"), "+306980000009"),
    "brigitte": Person("Brigitte", "Fotso", "CM", "fr", "female", dt.date(1991, 10, 1), 15,
                       None, "none", ("evening", "mon", "wed", "fri"), "+306980000010"),
    "patrick": Person("Patrick", "Kabongo", "CD", "fr", "male", dt.date(1987, 12, 12), 10,
                      "shelter", "read_write", ("evening", "tue", "thu"), "+306980000011"),
    "sana": Person("Sana", "Malik", "PK", "en", "female", dt.date(1999, 8, 25), 8, "network",
                   "none", ("morning", "mon", "wed", "fri"), "+306980000012",
                   "sana.m@example.org"),
    # Oksana again: she heard nothing for two months and applied a second time.
    "oksana_again": Person("Оксана", "Мельник", "UA", "uk", "female", dt.date(1985, 11, 8), 4,
                           None, "words", ("evening", "mon", "wed"), "+306980000006"),
    "hamid": Person("حمید", "صدیقی", "AF", "fa", "male", dt.date(1995, 1, 9), 2, None, "none",
                    ("afternoon", "evening", "sat"), "+306980000013"),
}  # fmt: skip


class Story:
    """The demo's clock: moments counted back from the demo's today, in the school's zone."""

    def __init__(self, run: DemoRun) -> None:
        self.run = run
        self.school = run.school
        self.zone = run.school.zone
        self.coordinator = (
            User.objects.filter(school=run.school, role=Role.COORDINATOR).order_by("pk").first()
        )

    def at(self, days_ago: float, hour: int = 10, minute: int = 0) -> dt.datetime:
        day = self.run.today - dt.timedelta(days=days_ago)
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.zone)


def own_students(school: School) -> int:
    """The applicants who accepted a seat became students of their own."""
    return Applicant.objects.filter(school=school, student__isnull=False).count()


def partners(school: School) -> dict[str, PartnerOrganisation]:
    return {
        key: PartnerOrganisation.objects.get_or_create(school=school, name=name)[0]
        for key, name in PARTNERS.items()
    }


def finish(run: DemoRun) -> None:
    referrers = partners(run.school)
    if Applicant.objects.filter(school=run.school).exists():
        return  # a later run (more archive students) adds nothing
    cycles = {c.code: c for c in Cycle.objects.filter(school=run.school)}
    a1b, a2 = cycles.get(f"A1-{run.today.year}-B"), cycles.get(f"A2-{run.today.year}")
    if a1b is None or a2 is None:
        return
    if min(a1b.ends_on, a2.ends_on) < run.school.today():
        return  # seats are offered only in cycles still running by the real clock
    with transaction.atomic():
        story = Story(run)
        applicants = {key: apply(story, person, referrers) for key, person in PEOPLE.items()}
        placement_tests(story, applicants)
        story_of_omar(story, applicants["omar"], a2)
        declined(
            story,
            applicants["karim"],
            90,
            "Μετακόμισε σε άλλη πόλη· πήρε τα στοιχεία του σχολείου εκεί.",
        )
        story_of_the_test(story, applicants, a1b)
        open_offer(story, applicants["omid"], a1b)
        declined(story, applicants["narges"], 380, "Δεν απάντησε ούτε στο τηλέφωνο ούτε σε μήνυμα.")
        # The monthly job, run on the demo's today: Narges applied over a year ago.
        intake.applicants_erase_expired(now=story.at(0, 3, 30))


def apply(story: Story, person: Person, referrers: dict[str, PartnerOrganisation]) -> Applicant:
    form = intake.ApplicationForm(
        first_name=person.first_name,
        last_name=person.last_name,
        first_name_latin=LATIN.get(person.first_name, person.first_name),
        last_name_latin=LATIN.get(person.last_name, person.last_name),
        phone=person.phone,
        email=person.email,
        language=person.language,
        nationality=person.nationality,
        date_of_birth=person.born,
        gender=person.gender,
        greek_level=person.greek_level,
        availability=list(person.availability),
        consent_version=intake.CONSENT_VERSION,
        referrer=referrers[person.referrer] if person.referrer else None,
    )
    return intake.application_submit(
        school=story.school,
        form=form,
        client_ip="192.0.2.1",
        now=story.at(person.days_ago, 19, 30),
        rate_limited=False,
    )


def placement_tests(story: Story, applicants: dict[str, Applicant]) -> None:
    """The test held 35 days ago (Esther, Zahra, Oksana, Chinedu and Omid sat it) and next
    week's (Yousef and Brigitte invited)."""
    centre = story.run.rooms[0].venue
    library = story.run.rooms[2].venue
    # Planned a month from the real clock (the service plans only later tests, and invites
    # only to those), then moved to their days in the story.
    later = timezone.localtime(timezone.now() + dt.timedelta(days=30), story.zone).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    past = intake.placement_session_create(
        school=story.school, starts_at=later, capacity=12, place="Αίθουσα 2", venue=centre
    )
    # Next week's is planned at its own time when the story's today is the real one, so the
    # invitations' SMS say the day and hour it is held.
    next_week = story.at(-6, 10)
    upcoming = intake.placement_session_create(
        school=story.school,
        starts_at=next_week if next_week > timezone.now() else later,
        capacity=10,
        place="Αναγνωστήριο",
        venue=library,
    )
    invitations = {
        past: {"esther": 38, "zahra": 38, "oksana": 40, "chinedu": 40, "omid": 37},
        upcoming: {"yousef": 3, "brigitte": 3},
    }
    for session, invited in invitations.items():
        for key, days_ago in invited.items():
            applicant = intake.applicant_invite(
                applicant=applicants[key], session=session, by=story.coordinator
            )
            # The invitation's moment in the story (the service stamps the real clock).
            Applicant.objects.filter(pk=applicant.pk).update(invited_at=story.at(days_ago, 11))
    PlacementSession.objects.filter(pk=past.pk).update(starts_at=story.at(35, 10))
    PlacementSession.objects.filter(pk=upcoming.pk).update(starts_at=story.at(-6, 10))


def place(story: Story, applicant: Applicant, code: str, notes: str, when: dt.datetime) -> None:
    intake.applicant_place(
        applicant=applicant, level=Level.objects.get(code=code), notes=notes, by=story.coordinator
    )
    # The result recorded on the test's day (the service stamps the real clock).
    Applicant.objects.filter(pk=applicant.pk).update(placed_at=when)


def offer(story: Story, applicant: Applicant, cycle: Cycle, when: dt.datetime) -> SeatOffer:
    seat = intake.applicant_offer(applicant=applicant, cycle=cycle, by=story.coordinator)
    # Offered on its day in the story, for the usual 48 hours (the service stamps the real
    # clock).
    expires = when + (seat.expires_at - seat.offered_at)
    SeatOffer.objects.filter(pk=seat.pk).update(offered_at=when, expires_at=expires)
    Applicant.objects.filter(pk=applicant.pk).update(offered_at=when)
    seat.offered_at, seat.expires_at = when, expires
    return seat


def declined(story: Story, applicant: Applicant, days_ago: int, reason: str) -> None:
    intake.applicant_decline(applicant=applicant, reason=reason, by=story.coordinator)
    # Declined on its day in the story (the service stamps the real clock).
    Applicant.objects.filter(pk=applicant.pk).update(closed_at=story.at(days_ago, 12))


def story_of_omar(story: Story, omar: Applicant, a2: Cycle) -> None:
    """Placed at A2 from his earlier school's letter, offered the A2 cycle before it began,
    accepted the next morning; he came to its lessons."""
    place(story, omar, "A2", "Βεβαίωση προηγούμενου σχολείου: ολοκλήρωσε το A1.", story.at(100))
    seat = offer(story, omar, a2, story.at(98, 12))
    intake.seat_offer_accept(offer=seat, now=story.at(97, 9, 15))
    attend(story, seat.cycle, omar)


def story_of_the_test(story: Story, applicants: dict[str, Applicant], a1b: Cycle) -> None:
    """The test's results; Esther's offer expires and the seat passes to Zahra, who takes it."""
    results = [
        ("esther", "A1", "Διαβάζει λατινικούς χαρακτήρες· δεν ξέρει ακόμη ελληνικά.", 0),
        ("zahra", "A1", "Ξέρει το ελληνικό αλφάβητο και τους χαιρετισμούς.", 20),
        ("oksana", "A1", "Διαβάζει αργά τα ελληνικά γράμματα.", 40),
        ("chinedu", "A2", "Μιλά καθημερινά ελληνικά· γράφει λίγο.", 50),
        ("omid", "A1", "Δεν ξέρει ακόμη ελληνικά· διαβάζει λατινικούς χαρακτήρες.", 60),
    ]
    # The coordinator writes in Greek, as in the office; the order of the results is the
    # order of the waiting (the seat that passes on goes to the one placed first).
    for key, code, notes, minutes in results:
        when = story.at(35, 12) + dt.timedelta(minutes=minutes)
        place(story, applicants[key], code, notes, when)
    esther = offer(story, applicants["esther"], a1b, story.at(33, 11))
    # The job that runs every five minutes, just after her 48 hours: the seat goes to the one
    # placed at A1 who has waited longest, Zahra, with an SMS offer of her own.
    intake.seat_offers_expire(now=esther.expires_at + dt.timedelta(minutes=3))
    zahra = SeatOffer.objects.get(applicant=applicants["zahra"], status=SeatOffer.Status.OPEN)
    intake.seat_offer_accept(offer=zahra, now=zahra.offered_at + dt.timedelta(hours=20))
    attend(story, a1b, applicants["zahra"])


def open_offer(story: Story, omid: Applicant, a1b: Cycle) -> None:
    """Offered yesterday evening: 48 hours to answer, the link in the SMS in the outbox."""
    offer(story, omid, a1b, story.at(1, 18))


def attend(story: Story, cycle: Cycle, applicant: Applicant) -> None:
    """The new student on the roster of each lesson held since they accepted, marked by the
    coordinator after it; present at the first, with an absence and a late arrival since."""
    applicant.refresh_from_db(fields=["enrolled_at", "enrollment"])
    assert applicant.enrolled_at is not None and applicant.enrollment_id is not None
    lessons = Lesson.objects.filter(
        cycle=cycle, status=Lesson.Status.HELD, date__gt=applicant.enrolled_at.date()
    ).order_by("date", "starts_at")
    marks = ["present", "present", "late", "present", "absent", "present"]
    assert story.coordinator is not None
    for number, lesson in enumerate(lessons):
        ended = dt.datetime.combine(lesson.date, lesson.ends_at, tzinfo=story.zone)
        attendance_save(
            lesson=lesson,
            marks=[(applicant.enrollment_id, marks[number % len(marks)])],
            by=story.coordinator,
            now=ended,
        )


def register() -> None:
    demo_part_register(DemoPart("intake", 50, finish=finish, own_students=own_students))
