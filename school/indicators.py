"""The ESF participant indicators and their counting rules (DOMAIN.md §2).

One place for each rule: the participants sheet shows each participant's flag and the
indicators sheet counts exactly those flags, so the two cannot disagree.

A flag is ``YES`` (counted), ``NO``, ``DECLINED`` (the participant refused a question the rule
needs: counted as declined, never guessed) or ``None`` (not asked, or not applicable yet).
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from school.choices import Answer, ProgrammePeriod
from school.models import EU_MEMBER_STATES

YES, NO, DECLINED = 1, 0, "declined"
Flag = int | str | None

UNEMPLOYED = {"unemployed", "long_term_unemployed"}
INACTIVE = {"inactive", "inactive_in_education"}
GENDERS = ["female", "male", "other", "undisclosed"]


@dataclass
class Participant:
    """One participant's record in the report: the entry form's fields (as of the first
    entry) with the first entry date and the last exit date over their re-entries."""

    id: int
    gender: str
    date_of_birth: dt.date | None
    nationality: str
    labour_market_status: str
    unemployed_months: int | None
    isced_level: int | None
    household_jobless: str
    household_dependent_children: str
    household_single_adult: str
    foreign_background: str
    other_disadvantage: str
    homeless: str
    rural_area: bool | None
    exit_in_education: bool | None
    exit_employed: bool | None
    exit_job_searching: bool | None
    qualification_gained_on: dt.date | None
    minority: str = ""
    disability: str = ""
    entry_date: dt.date | None = None
    exit_date: dt.date | None = None
    cycles: list[str] = field(default_factory=list)
    hours: Any = 0
    completed: bool = False
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
    """What a rule needs besides the participant: the end of the period (results are taken on
    exit, so only from those who left by then) and the school's choice on qualifications."""

    end: dt.date
    qualification_counts: bool


def left(p: Participant, c: Context) -> bool:
    return p.exit_date is not None and p.exit_date <= c.end


def on_exit(rule: Callable[[Participant, Context], Flag]) -> Callable[[Participant, Context], Flag]:
    def result(p: Participant, c: Context) -> Flag:
        return rule(p, c) if left(p, c) else None

    return result


def qualification(p: Participant, c: Context) -> Flag:
    if not c.qualification_counts:
        return None
    return boolean(p.qualification_gained_on is not None and p.qualification_gained_on <= c.end)


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


@dataclass(frozen=True)
class Indicator:
    code: str
    name: Any
    rule: Callable[[Participant, Context], Flag] | None
    # Reads disability or minority: shown only to users allowed special-category data.
    special_category: bool = False
    note: Any = ""


NOT_RECORDED = _("Six-month follow-up: not recorded by the school.")
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
        Indicator("CR03", _("Gaining a qualification upon leaving"), on_exit(qualification)),
        Indicator("CR04", _("In employment, including self-employment, upon leaving"), on_exit(lambda p, c: boolean(p.exit_employed))),
        Indicator(
            "CR05",
            _("Disadvantaged participants engaged in job searching, education or training, gaining a qualification, or in employment upon leaving"),
            on_exit(lambda p, c: all_of(disadvantaged(p, c), any_result(p, c))),
            special_category=True,
        ),
        Indicator("CR06", _("In employment, including self-employment, six months after leaving"), None, note=NOT_RECORDED),
        Indicator("CR07", _("With an improved labour-market situation six months after leaving"), None, note=NOT_RECORDED),
        Indicator("CR08", _("Above 54 in employment six months after leaving"), None, note=NOT_RECORDED),
        Indicator("CR09", _("Disadvantaged in employment six months after leaving"), None, note=NOT_RECORDED),
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
        Indicator("EECR03", _("Participants gaining a qualification upon leaving"), on_exit(qualification)),
        Indicator("EECR04", _("Participants in employment, including self-employment, upon leaving"), on_exit(lambda p, c: boolean(p.exit_employed))),
        Indicator("EECR05", _("Participants in employment, including self-employment, six months after leaving"), None, note=NOT_RECORDED),
        Indicator("EECR06", _("Participants in a better labour-market situation six months after leaving"), None, note=NOT_RECORDED),
    ],
}  # fmt: skip


class Tally:
    """Counts of each indicator by gender, and of declined and unanswered questions."""

    def __init__(self, indicators: list[Indicator]) -> None:
        self.indicators = indicators
        self.counts: Counter[tuple[str, str]] = Counter()
        self.participants: Counter[str] = Counter()

    def add(self, participant: Participant, flags: dict[str, Flag]) -> None:
        self.participants[participant.gender] += 1
        for code, flag in flags.items():
            if flag == YES:
                self.counts[code, participant.gender] += 1
            elif flag == DECLINED:
                self.counts[code, "declined"] += 1
            elif flag is None:
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


def flags_of(
    participant: Participant, indicators: list[Indicator], context: Context, *, special: bool
) -> dict[str, Flag]:
    return {
        i.code: i.rule(participant, context)
        for i in indicators
        if i.rule is not None and (special or not i.special_category)
    }
