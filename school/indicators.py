"""The ESF participant indicators and their counting rules (DOMAIN.md §2).

One place for each rule: the participants sheet shows each participant's flag and the
indicators sheet counts exactly those flags, so the two cannot disagree.

A flag is ``YES`` (counted), ``NO``, ``DECLINED`` (the participant refused a question the rule
needs: counted as declined, never guessed) or ``None`` (not asked or not collected: unknown,
never 0).

Counting in a reporting period (DOMAIN.md §2): output indicators count the participants whose
entry date falls in the period (``entered``), from their entry answers; immediate results the
participants whose exit falls in it (``left``), from the answers about that exit given within 4
weeks; longer-term results those whose exit plus 6 months falls in it (``followed_up``), from
the follow-up answered within its window. A participation's exit is its last one, unless the
participant re-entered after it (then they have not left). Each participant falls in exactly
one period for each kind, so two adjacent periods add up to their union.
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from school.choices import Answer, ProgrammePeriod
from school.models import EU_MEMBER_STATES
from school.models.participation import EXIT_ANSWER_DAYS, exit_answers_late

YES, NO, DECLINED = 1, 0, "declined"
Flag = int | str | None

UNEMPLOYED = {"unemployed", "long_term_unemployed"}
INACTIVE = {"inactive", "inactive_in_education"}
GENDERS = ["female", "male", "other", "undisclosed"]


@dataclass
class Participant:
    """One participation in the report: the frozen entry answers (blank when there are none),
    the exit that counts with its answers, the follow-up, and the student's cycles."""

    id: int
    gender: str = "undisclosed"
    date_of_birth: dt.date | None = None
    nationality: str = ""
    labour_market_status: str = ""
    unemployed_months: int | None = None
    isced_level: int | None = None
    household_jobless: str = ""
    household_dependent_children: str = ""
    household_single_adult: str = ""
    foreign_background: str = ""
    other_disadvantage: str = ""
    homeless: str = ""
    rural_area: bool | None = None
    minority: str = ""
    disability: str = ""
    has_entry_answers: bool = False
    entry_date: dt.date | None = None
    # The exit that counts (the last, unless a re-entry followed it) and its answers.
    exit_date: dt.date | None = None
    exit_reason: str = ""
    exit_answered_on: dt.date | None = None
    exit_in_education: bool | None = None
    exit_employed: bool | None = None
    exit_job_searching: bool | None = None
    follow_up_due: dt.date | None = None
    follow_up_answered_on: dt.date | None = None
    follow_up_in_window: bool = False
    follow_up_employed: bool | None = None
    follow_up_improved: bool | None = None
    qualification_gained_on: dt.date | None = None
    cycles: list[str] = field(default_factory=list)
    hours: Any = 0
    certificate_number: str = ""

    @property
    def age_at_entry(self) -> int | None:
        if self.date_of_birth is None or self.entry_date is None:
            return None
        born, day = self.date_of_birth, self.entry_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def third_country_national(self) -> bool | None:
        return None if not self.nationality else self.nationality not in EU_MEMBER_STATES

    @property
    def exit_answers_count(self) -> bool:
        """Answered on or after the exit and within 4 weeks of it."""
        if self.exit_date is None or self.exit_answered_on is None:
            return False
        return not exit_answers_late(self.exit_date, self.exit_answered_on)

    def completed_by(self, end: dt.date) -> bool:
        return (
            self.exit_reason == "completed" and self.exit_date is not None and self.exit_date <= end
        )

    def entered(self, start: dt.date, end: dt.date) -> bool:
        return self.entry_date is not None and start <= self.entry_date <= end

    def left(self, start: dt.date, end: dt.date) -> bool:
        return self.exit_date is not None and start <= self.exit_date <= end

    def followed_up(self, start: dt.date, end: dt.date) -> bool:
        return self.follow_up_due is not None and start <= self.follow_up_due <= end


def answer(value: str | None) -> Flag:
    return {Answer.YES: YES, Answer.NO: NO, Answer.DECLINED: DECLINED}.get(value or "")  # type: ignore[call-overload]


def boolean(value: bool | None) -> Flag:
    return None if value is None else (YES if value else NO)


def any_of(*flags: Flag) -> Flag:
    """Yes when one is yes; else declined when one was declined; else no when one is no."""
    if YES in flags:
        return YES
    if DECLINED in flags:
        return DECLINED
    return NO if NO in flags else None


def all_of(*flags: Flag) -> Flag:
    """Yes when all are yes; no when one is no; else declined when one was declined."""
    if all(flag == YES for flag in flags):
        return YES
    if NO in flags:
        return NO
    return DECLINED if DECLINED in flags else None


def status_in(statuses: set[str]) -> Callable[["Participant", "Context"], Flag]:
    def rule(p: Participant, c: "Context") -> Flag:
        return None if not p.labour_market_status else boolean(p.labour_market_status in statuses)

    return rule


def age(test: Callable[[int], bool]) -> Callable[["Participant", "Context"], Flag]:
    def rule(p: Participant, c: "Context") -> Flag:
        years = p.age_at_entry
        return None if years is None else boolean(test(years))

    return rule


def isced(levels: range) -> Callable[["Participant", "Context"], Flag]:
    def rule(p: Participant, c: "Context") -> Flag:
        return None if p.isced_level is None else boolean(p.isced_level in levels)

    return rule


@dataclass(frozen=True)
class Context:
    """What a rule needs besides the participant: the school's choice on qualifications."""

    end: dt.date
    qualification_counts: bool


def on_exit(rule: Callable[[Participant, Context], Flag]) -> Callable[[Participant, Context], Flag]:
    """A result upon leaving: from the answers about the exit given within 4 weeks of it; else
    not collected (unknown)."""

    def result(p: Participant, c: Context) -> Flag:
        return rule(p, c) if p.exit_answers_count else None

    return result


def after_six_months(
    rule: Callable[[Participant, Context], Flag],
) -> Callable[[Participant, Context], Flag]:
    """A longer-term result: from the follow-up answered within its window; else unknown."""

    def result(p: Participant, c: Context) -> Flag:
        return rule(p, c) if p.follow_up_in_window else None

    return result


def qualification(p: Participant, c: Context) -> Flag:
    """The certificate, gained by 4 weeks after the exit (our own records: known, never
    unknown, once the participant has left)."""
    if not c.qualification_counts or p.exit_date is None:
        return None
    by = p.exit_date + dt.timedelta(EXIT_ANSWER_DAYS)
    return boolean(p.qualification_gained_on is not None and p.qualification_gained_on <= by)


def migrant(p: Participant, c: Context) -> Flag:
    return any_of(
        boolean(p.third_country_national), answer(p.foreign_background), answer(p.minority)
    )


def disadvantaged(p: Participant, c: Context) -> Flag:
    return any_of(
        answer(p.household_jobless),
        answer(p.household_single_adult),
        migrant(p, c),
        answer(p.disability),
        answer(p.other_disadvantage),
        answer(p.homeless),
    )


def any_result(p: Participant, c: Context) -> Flag:
    return any_of(
        boolean(p.exit_job_searching),
        boolean(p.exit_in_education),
        qualification(p, c),
        boolean(p.exit_employed),
    )


OUTPUT, RESULT, LONGER_TERM = "output", "result", "longer-term"


@dataclass(frozen=True)
class Indicator:
    code: str
    name: Any
    rule: Callable[[Participant, Context], Flag] | None
    # Reads disability or minority: shown only to users allowed special-category data.
    special_category: bool = False
    note: Any = ""

    @property
    def kind(self) -> str:
        """Outputs (CO, EECO) count entrants; results (CR01-05, EECR01-04) leavers; longer-term
        ones (CR06-09, EECR05-06) those whose six months fall in the period."""
        if self.code.startswith(("CO", "EECO")):
            return OUTPUT
        if self.code in ("CR06", "CR07", "CR08", "CR09", "EECR05", "EECR06"):
            return LONGER_TERM
        return RESULT


EVERYONE: Callable[[Participant, Context], Flag] = lambda p, c: YES  # noqa: E731

INDICATORS: dict[str, list[Indicator]] = {
    ProgrammePeriod.ESF_2014_2020: [
        Indicator("CO01", _("Unemployed, including long-term unemployed"), status_in(UNEMPLOYED)),
        Indicator("CO02", _("Long-term unemployed"), status_in({"long_term_unemployed"})),
        Indicator("CO03", _("Inactive"), status_in(INACTIVE)),
        Indicator("CO04", _("Inactive, not in education or training"), status_in({"inactive"})),
        Indicator("CO05", _("Employed, including self-employed"), status_in({"employed"})),
        Indicator("CO06", _("Below 25 years of age"), age(lambda years: years < 25)),
        Indicator("CO07", _("Above 54 years of age"), age(lambda years: years > 54)),
        Indicator(
            "CO08",
            _("Above 54, unemployed (incl. long-term) or inactive not in education or training"),
            lambda p, c: all_of(
                age(lambda years: years > 54)(p, c), status_in(UNEMPLOYED | {"inactive"})(p, c)
            ),
        ),
        Indicator("CO09", _("Primary (ISCED 1) or lower secondary (ISCED 2) education"), isced(range(1, 3))),
        Indicator("CO10", _("Upper secondary (ISCED 3) or post-secondary (ISCED 4) education"), isced(range(3, 5))),
        Indicator("CO11", _("Tertiary education (ISCED 5 to 8)"), isced(range(5, 9))),
        Indicator("CO12", _("Living in jobless households"), lambda p, c: answer(p.household_jobless)),
        Indicator(
            "CO13",
            _("Living in jobless households with dependent children"),
            lambda p, c: all_of(answer(p.household_jobless), answer(p.household_dependent_children)),
        ),
        Indicator("CO14", _("Living in a single adult household with dependent children"), lambda p, c: answer(p.household_single_adult)),
        Indicator("CO15", _("Migrants, participants with a foreign background, minorities (incl. Roma)"), migrant, special_category=True),
        Indicator("CO16", _("Participants with disabilities"), lambda p, c: answer(p.disability), special_category=True),
        Indicator("CO17", _("Other disadvantaged people"), lambda p, c: answer(p.other_disadvantage)),
        Indicator("CO18", _("Homeless or affected by housing exclusion"), lambda p, c: answer(p.homeless)),
        Indicator("CO19", _("From rural areas"), lambda p, c: boolean(p.rural_area)),
        Indicator(
            "CR01",
            _("Inactive participants engaged in job searching upon leaving"),
            on_exit(lambda p, c: all_of(status_in(INACTIVE)(p, c), boolean(p.exit_job_searching))),
        ),
        Indicator("CR02", _("In education or training upon leaving"), on_exit(lambda p, c: boolean(p.exit_in_education))),
        Indicator("CR03", _("Gaining a qualification upon leaving"), qualification),
        Indicator("CR04", _("In employment, including self-employment, upon leaving"), on_exit(lambda p, c: boolean(p.exit_employed))),
        Indicator(
            "CR05",
            _("Disadvantaged participants engaged in job searching, education or training, gaining a qualification, or in employment upon leaving"),
            on_exit(lambda p, c: all_of(disadvantaged(p, c), any_result(p, c))),
            special_category=True,
        ),
        Indicator("CR06", _("In employment, including self-employment, six months after leaving"), after_six_months(lambda p, c: boolean(p.follow_up_employed))),
        Indicator("CR07", _("With an improved labour-market situation six months after leaving"), after_six_months(lambda p, c: boolean(p.follow_up_improved))),
        Indicator(
            "CR08",
            _("Above 54 in employment six months after leaving"),
            after_six_months(lambda p, c: all_of(age(lambda years: years > 54)(p, c), boolean(p.follow_up_employed))),
        ),
        Indicator(
            "CR09",
            _("Disadvantaged in employment six months after leaving"),
            after_six_months(lambda p, c: all_of(disadvantaged(p, c), boolean(p.follow_up_employed))),
            special_category=True,
        ),
    ],
    ProgrammePeriod.ESF_2021_2027: [
        Indicator("EECO01", _("Total number of participants"), EVERYONE),
        Indicator("EECO02", _("Unemployed, including long-term unemployed"), status_in(UNEMPLOYED)),
        Indicator("EECO03", _("Long-term unemployed"), status_in({"long_term_unemployed"})),
        Indicator("EECO04", _("Inactive"), status_in(INACTIVE)),
        Indicator("EECO05", _("Employed, including self-employed"), status_in({"employed"})),
        Indicator("EECO06", _("Children below 18 years of age"), age(lambda years: years < 18)),
        Indicator("EECO07", _("Young people between 18 and 29 years of age"), age(lambda years: 18 <= years <= 29)),
        Indicator("EECO08", _("Participants 55 years of age and above"), age(lambda years: years >= 55)),
        Indicator("EECO09", _("With lower secondary education or less (ISCED 0-2)"), isced(range(0, 3))),
        Indicator("EECO10", _("With upper secondary (ISCED 3) or post-secondary (ISCED 4) education"), isced(range(3, 5))),
        Indicator("EECO11", _("With tertiary education (ISCED 5 to 8)"), isced(range(5, 9))),
        Indicator("EECO12", _("Participants with disabilities"), lambda p, c: answer(p.disability), special_category=True),
        Indicator("EECO13", _("Third-country nationals"), lambda p, c: boolean(p.third_country_national)),
        Indicator("EECO14", _("Participants with a foreign background"), lambda p, c: answer(p.foreign_background)),
        Indicator("EECO15", _("Minorities (including marginalised communities such as the Roma)"), lambda p, c: answer(p.minority), special_category=True),
        Indicator("EECO16", _("Homeless or affected by housing exclusion"), lambda p, c: answer(p.homeless)),
        Indicator("EECO17", _("Participants from rural areas"), lambda p, c: boolean(p.rural_area)),
        Indicator("EECR01", _("Participants engaged in job searching upon leaving"), on_exit(lambda p, c: boolean(p.exit_job_searching))),
        Indicator("EECR02", _("Participants in education or training upon leaving"), on_exit(lambda p, c: boolean(p.exit_in_education))),
        Indicator("EECR03", _("Participants gaining a qualification upon leaving"), qualification),
        Indicator("EECR04", _("Participants in employment, including self-employment, upon leaving"), on_exit(lambda p, c: boolean(p.exit_employed))),
        Indicator("EECR05", _("Participants in employment, including self-employment, six months after leaving"), after_six_months(lambda p, c: boolean(p.follow_up_employed))),
        Indicator("EECR06", _("Participants in a better labour-market situation six months after leaving"), after_six_months(lambda p, c: boolean(p.follow_up_improved))),
    ],
}  # fmt: skip


class Tally:
    """Counts of each indicator by gender, and of declined and unknown answers, over the group
    each indicator counts (entrants, leavers or those followed up)."""

    def __init__(self, indicators: list[Indicator]) -> None:
        self.indicators = indicators
        self.kinds = {i.code: i.kind for i in indicators}
        self.counts: Counter[tuple[str, str]] = Counter()
        self.groups: dict[str, Counter[str]] = {
            OUTPUT: Counter(),
            RESULT: Counter(),
            LONGER_TERM: Counter(),
        }

    @property
    def participants(self) -> Counter[str]:
        """The entrants by gender."""
        return self.groups[OUTPUT]

    def add(self, participant: Participant, flags: dict[str, Flag], kinds: set[str]) -> None:
        """Count the participant in the groups they belong to in this period (``kinds``)."""
        for kind in kinds:
            self.groups[kind][participant.gender] += 1
        for code, flag in flags.items():
            if self.kinds[code] not in kinds:
                continue
            if flag == YES:
                self.counts[code, participant.gender] += 1
            elif flag == NO:
                self.counts[code, "no"] += 1
            elif flag == DECLINED:
                self.counts[code, "declined"] += 1
            else:
                self.counts[code, "unknown"] += 1

    def row(self, code: str) -> list[int]:
        """Total, each gender, declined, unknown."""
        by_gender = [self.counts[code, gender] for gender in GENDERS]
        return [
            sum(by_gender),
            *by_gender,
            self.counts[code, "declined"],
            self.counts[code, "unknown"],
        ]

    def group_size(self, code: str) -> int:
        return sum(self.groups[self.kinds[code]].values())

    def adds_up(self, code: str) -> bool:
        """Yes + no + declined + unknown = the group the indicator counts."""
        total, *_genders, declined, unknown = self.row(code)
        return total + self.counts[code, "no"] + declined + unknown == self.group_size(code)


def period_kinds(participant: Participant, start: dt.date, end: dt.date) -> set[str]:
    """The groups the participant is counted in for the period."""
    kinds = set()
    if participant.entered(start, end):
        kinds.add(OUTPUT)
    if participant.left(start, end):
        kinds.add(RESULT)
    if participant.followed_up(start, end):
        kinds.add(LONGER_TERM)
    return kinds


def flags_of(
    participant: Participant, indicators: list[Indicator], context: Context, *, special: bool
) -> dict[str, Flag]:
    return {
        i.code: i.rule(participant, context)
        for i in indicators
        if i.rule is not None and (special or not i.special_category)
    }
