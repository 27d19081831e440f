"""What an applicant types on the public page, checked the same way for the page and the API.

Only the shape of the input is checked here (lengths, scripts, a phone number that exists, a
believable date of birth); the rules of applying stay in ``courses.services.intake``.
"""

import datetime as dt
import re
from typing import cast

import phonenumbers
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from courses.models import Availability, GreekLevel
from courses.services.intake import ApplicationForm
from school.choices import Gender
from school.models import PartnerOrganisation

NAME_MAX = 150
EMAIL_MAX = 254
PHONE_MAX = 32
YOUNGEST, OLDEST = 15, 100
# The largest application anyone can type (14 short fields): more is not a person.
APPLICATION_MAX_BYTES = 64 * 1024
PARTS_OF_DAY = (Availability.MORNING, Availability.AFTERNOON, Availability.EVENING)
DAYS = tuple(choice for choice in Availability if choice not in PARTS_OF_DAY)
# The referrer choice for someone who came by themself (or was told by a friend).
MYSELF = "myself"

# Letters of the Latin alphabet with their accents (as passports write "Müller", "Nguyễn"),
# spaces, hyphens, apostrophes and dots.
LATIN_NAME = re.compile(r"^[A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u1E00-\u1EFF .'’-]+$")


def phone_e164(text: str) -> str:
    """The number in E.164 (+306912345678). A number without a country code is read as one of
    ``PHONE_DEFAULT_REGION`` (6912345678 is a Greek mobile)."""
    text = (text or "").strip()
    try:
        number = phonenumbers.parse(text, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _(
                "This is not a phone number we can send an SMS to. Write it with the country "
                "code, for example +30 691 234 5678."
            ),
            code="invalid",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def latin_name_check(value: str) -> None:
    if value and not LATIN_NAME.match(value):
        raise ValidationError(
            _("Write this name in Latin letters (A-Z), as in your passport."), code="latin"
        )


def birth_date_check(value: dt.date, today: dt.date) -> None:
    """Applicants are between 15 and 100 years old."""
    youngest = _years_before(today, YOUNGEST)
    oldest = _years_before(today, OLDEST + 1)
    if not oldest < value <= youngest:
        raise ValidationError(
            _("Check the date of birth: applicants are %(youngest)s to %(oldest)s years old.")
            % {"youngest": YOUNGEST, "oldest": OLDEST},
            code="range",
        )


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def availability_check(codes: list[str]) -> list[str]:
    kept = list(dict.fromkeys(codes))
    if len(kept) > len(Availability.values):
        raise ValidationError(_("Choose each time once."), code="too_many")
    return kept


class ApplicationPageForm(forms.Form):
    """The public application page. Every message is in the applicant's language; nothing
    they typed is lost when one field is wrong."""

    first_name = forms.CharField(label=_("First name"), max_length=NAME_MAX)
    last_name = forms.CharField(label=_("Last name"), max_length=NAME_MAX)
    first_name_latin = forms.CharField(
        label=_("First name in Latin letters"),
        max_length=NAME_MAX,
        validators=[latin_name_check],
    )
    last_name_latin = forms.CharField(
        label=_("Last name in Latin letters"),
        max_length=NAME_MAX,
        validators=[latin_name_check],
    )
    phone = forms.CharField(label=_("Mobile phone"), max_length=PHONE_MAX)
    email = forms.EmailField(
        label=_("E-mail (if you have one)"), max_length=EMAIL_MAX, required=False
    )
    language = forms.ChoiceField(
        label=_("Language of our messages to you"), choices=settings.LANGUAGES
    )
    nationality = forms.ChoiceField(label=_("Nationality"))
    date_of_birth = forms.DateField(label=_("Date of birth"))
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices)
    greek_level = forms.ChoiceField(
        label=_("How much Greek do you know?"), choices=GreekLevel.choices
    )
    availability = forms.MultipleChoiceField(
        label=_("When can you come?"), choices=Availability.choices
    )
    referrer = forms.ChoiceField(label=_("Who told you about the school?"), required=False)
    consent = forms.BooleanField(label=_("I agree"))
    consent_version = forms.CharField(max_length=20, widget=forms.HiddenInput)
    # The honeypot: hidden from people and screen readers; a program that fills every field
    # fills it too.
    website = forms.CharField(required=False, strip=False)

    def __init__(
        self,
        *args,
        school_today: dt.date,
        partners: list[PartnerOrganisation],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = school_today
        self.partners = {str(partner.pk): partner for partner in partners}
        cast(forms.ChoiceField, self.fields["nationality"]).choices = [("", "—"), *countries]
        cast(forms.ChoiceField, self.fields["referrer"]).choices = [
            (MYSELF, _("Nobody: I came by myself")),
            *((pk, partner.name) for pk, partner in self.partners.items()),
        ]
        self.fields["referrer"].required = bool(self.partners)
        messages = {
            "first_name": _("Write your first name as in your documents."),
            "last_name": _("Write your last name as in your documents."),
            "first_name_latin": _("Write your first name in Latin letters (A-Z)."),
            "last_name_latin": _("Write your last name in Latin letters (A-Z)."),
            "phone": _("Write your mobile phone number: we send you an SMS."),
            "language": _("Choose the language of our messages."),
            "nationality": _("Choose your nationality."),
            "date_of_birth": _("Write your date of birth."),
            "gender": _("Choose one answer."),
            "greek_level": _("Choose the answer that fits you best."),
            "availability": _("Tick at least one box: when you can come."),
            "referrer": _("Choose one answer."),
            "consent": _("Tick the box to say you agree, or we cannot keep your application."),
            "consent_version": _("This form is out of date: reload the page and agree again."),
        }
        for name, message in messages.items():
            self.fields[name].error_messages["required"] = message
        for name in ("first_name", "last_name", "first_name_latin", "last_name_latin"):
            self.fields[name].error_messages["max_length"] = _(
                "Shorten this to %(limit_value)s letters."
            )
        self.fields["email"].error_messages["invalid"] = _(
            "This e-mail address looks wrong; check it or leave it empty."
        )
        self.fields["date_of_birth"].error_messages["invalid"] = _(
            "Write the date of birth as day, month and year."
        )
        for name in ("language", "nationality", "gender", "greek_level", "availability"):
            self.fields[name].error_messages["invalid_choice"] = _(
                "Choose one of the answers listed."
            )
        self.fields["availability"].error_messages["invalid_list"] = _(
            "Choose one of the answers listed."
        )
        self.fields["referrer"].error_messages["invalid_choice"] = _(
            "Choose one of the organisations listed."
        )

    @property
    def oldest_birth_date(self) -> dt.date:
        return _years_before(self.today, OLDEST + 1) + dt.timedelta(days=1)

    @property
    def youngest_birth_date(self) -> dt.date:
        return _years_before(self.today, YOUNGEST)

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def clean_phone(self) -> str:
        return phone_e164(self.cleaned_data["phone"])

    def clean_date_of_birth(self) -> dt.date:
        value = self.cleaned_data["date_of_birth"]
        birth_date_check(value, self.today)
        return value

    def clean_availability(self) -> list[str]:
        return availability_check(self.cleaned_data["availability"])

    def clean_referrer(self) -> PartnerOrganisation | None:
        return self.partners.get(self.cleaned_data.get("referrer") or "")

    def application(self) -> ApplicationForm:
        data = self.cleaned_data
        return ApplicationForm(
            first_name=data["first_name"],
            last_name=data["last_name"],
            first_name_latin=data["first_name_latin"],
            last_name_latin=data["last_name_latin"],
            phone=data["phone"],
            email=data["email"],
            language=data["language"],
            nationality=data["nationality"],
            date_of_birth=data["date_of_birth"],
            gender=data["gender"],
            greek_level=data["greek_level"],
            availability=data["availability"],
            referrer=data["referrer"],
            consent_version=data["consent_version"],
        )

    def chosen(self, name: str) -> set[str]:
        """The values of a field as typed (kept when the page comes back with errors)."""
        if self.is_bound:
            return set(self.data.getlist(name)) if hasattr(self.data, "getlist") else set()
        initial = self.initial.get(name, self.fields[name].initial)
        if isinstance(initial, (list, tuple, set)):
            return {str(value) for value in initial}
        return {str(initial)} if initial else set()
