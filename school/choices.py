"""Value lists of the participant record (DOMAIN.md §2) and of roles."""

import enum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    TEACHER = "teacher", _("Teacher")
    STUDENT = "student", _("Student")
    AUDITOR = "auditor", _("Auditor")

    # Groups of roles, for who may open a page or call an endpoint (``role_required(*Role.OFFICE)``,
    # ``read_roles = Role.ALL``). Not choices: ``nonmember`` keeps them out of the list of roles.
    OFFICE = enum.nonmember(("coordinator", "auditor"))
    STAFF = enum.nonmember(("coordinator", "auditor", "teacher"))
    ALL = enum.nonmember(("coordinator", "auditor", "teacher", "student"))


class ProgrammePeriod(models.TextChoices):
    ESF_2014_2020 = "2014-2020", _("ESF 2014-2020 (Regulation (EU) 1304/2013)")
    ESF_2021_2027 = "2021-2027", _("ESF+ 2021-2027 (Regulation (EU) 2021/1057)")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    # Counted as non-binary in the 2021-2027 indicators.
    OTHER = "other", _("Other / non-binary")
    UNDISCLOSED = "undisclosed", _("Undisclosed")


class Answer(models.TextChoices):
    """A yes/no question the participant may refuse: a refusal is recorded, never estimated."""

    YES = "yes", _("Yes")
    NO = "no", _("No")
    DECLINED = "declined", _("Declined to answer")


class LabourMarketStatus(models.TextChoices):
    """Exactly one per participant, as of the entry date (CO01-CO05, EECO02-EECO05)."""

    EMPLOYED = "employed", _("Employed, including self-employed")
    UNEMPLOYED = "unemployed", _("Unemployed")
    LONG_TERM_UNEMPLOYED = "long_term_unemployed", _("Long-term unemployed")
    INACTIVE_IN_EDUCATION = "inactive_in_education", _("Inactive, in education or training")
    INACTIVE = "inactive", _("Inactive, not in education or training")


class AnswerSource(models.TextChoices):
    """Who gave a set of answers: the participant on their phone, or a paper form typed in by
    the office; ``record`` is the student's record as it stood on the entry date (answers
    kept before participations had their own)."""

    PARTICIPANT = "participant", _("The participant (questionnaire)")
    PAPER = "paper", _("Paper form typed in by the office")
    RECORD = "record", _("The student's record on the entry date")


class ExitReason(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    WITHDREW = "withdrew", _("Withdrew")
    MOVED = "moved", _("Moved away")
    FOUND_WORK = "found_work", _("Found work")
    OVER_ABSENCE_LIMIT = "absences", _("Over the absence limit")
    OTHER = "other", _("Other")


class IscedLevel(models.IntegerChoices):
    """Highest level of education attained, ISCED 2011."""

    EARLY_CHILDHOOD = 0, _("ISCED 0: early childhood / no formal education")
    PRIMARY = 1, _("ISCED 1: primary")
    LOWER_SECONDARY = 2, _("ISCED 2: lower secondary")
    UPPER_SECONDARY = 3, _("ISCED 3: upper secondary")
    POST_SECONDARY = 4, _("ISCED 4: post-secondary non-tertiary")
    SHORT_TERTIARY = 5, _("ISCED 5: short-cycle tertiary")
    BACHELOR = 6, _("ISCED 6: bachelor or equivalent")
    MASTER = 7, _("ISCED 7: master or equivalent")
    DOCTORAL = 8, _("ISCED 8: doctoral or equivalent")
