"""The ground floor: schools (tenants), venues, people and their participant record.

One module per kind of table; everything is importable from ``school.models`` as before (the
migrations name ``school.models.validate_time_zone``, ``default_language`` and
``report_upload_to``).
"""

from school.models.access import CalendarFeed, SignInLink
from school.models.participation import (
    EntryAnswers,
    EntrySpecialCategory,
    Exit,
    FollowUp,
    Operation,
    Participation,
)
from school.models.people import EU_MEMBER_STATES, Student, Teacher, User, default_language
from school.models.privacy import RetentionPeriod, SpecialCategoryData, SpecialCategoryRead
from school.models.questionnaires import Questionnaire, QuestionnaireKind
from school.models.reports import Report, report_upload_to
from school.models.schools import (
    PartnerOrganisation,
    Room,
    School,
    Venue,
    percent_validators,
    validate_time_zone,
)

__all__ = [
    "EU_MEMBER_STATES",
    "CalendarFeed",
    "EntryAnswers",
    "EntrySpecialCategory",
    "Exit",
    "FollowUp",
    "Operation",
    "Participation",
    "PartnerOrganisation",
    "Questionnaire",
    "QuestionnaireKind",
    "Report",
    "RetentionPeriod",
    "Room",
    "School",
    "SignInLink",
    "SpecialCategoryData",
    "SpecialCategoryRead",
    "Student",
    "Teacher",
    "User",
    "Venue",
    "default_language",
    "percent_validators",
    "report_upload_to",
    "validate_time_zone",
]
