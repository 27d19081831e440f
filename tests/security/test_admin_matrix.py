"""Every admin page x the office roles, signed in to school B while school A holds the rows.

The models are read from the admin site (so a new one cannot be missed). School A's people,
codes and names all carry ``MARK``; no changelist (rows, filter sidebar with its facets, date
hierarchy, search), autocomplete, change or history page shown to B's coordinator or auditor
may contain it. A page the role may not see is 403.
"""

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.admin.filters import AllValuesFieldListFilter, RelatedFieldListFilter
from django.urls import reverse
from django.utils import timezone

from courses.models import Applicant, Closure, Cycle, Lesson, PlacementDecision, PlacementSession
from exams.models import ExamResult, ExamRound
from notifications.models import Notification
from school.admin_scoping import (
    SCHOOL_PATHS,
    SHARED,
    SchoolAllValuesFieldListFilter,
    SchoolRelatedFieldListFilter,
    SchoolScopedAdmin,
)
from school.models import (
    PartnerOrganisation,
    Room,
    School,
    SpecialCategoryRead,
    Student,
    User,
    Venue,
)
from tests.security.world import World, build_world

pytestmark = pytest.mark.django_db

MARK = "ZZFOREIGN"
LATER = 2031  # the year of school A's dates: no date of school B's is in it
ROLES = ("coordinator", "auditor")
MODEL_ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def mark_school_a(world: World) -> School:
    """School A (the world's other school): every name and code marked, dates in ``LATER``."""
    school = world.foreign_school["cycle"].school
    School.objects.filter(pk=school.pk).update(name=f"{MARK} school", operation_code=f"{MARK}-OP")
    for user in User.objects.filter(school=school):
        user.username, user.first_name, user.last_name = f"{MARK}-{user.pk}", MARK, MARK
        user.save()
    Student.objects.filter(school=school).update(first_name=MARK, last_name=f"{MARK} person")
    venue = Venue.objects.create(school=school, name=f"{MARK} venue", address=MARK)
    Room.objects.create(venue=venue, name=f"{MARK} room")
    for cycle in Cycle.objects.filter(school=school):
        cycle.code, cycle.section, cycle.venue = f"{MARK}-{cycle.pk}", MARK, venue
        cycle.starts_on, cycle.ends_on = dt.date(LATER, 1, 5), dt.date(LATER, 6, 30)
        cycle.save()
    Lesson.objects.filter(cycle__school=school).update(topic=MARK, date=dt.date(LATER, 2, 3))
    for exam_round in ExamRound.objects.filter(school=school):
        exam_round.name, exam_round.centre = f"{MARK} round {exam_round.pk}", MARK
        exam_round.registration_deadline = dt.date(LATER, 3, 1)
        exam_round.exam_date = dt.date(LATER, 5, 15)
        exam_round.save()
    ExamResult.objects.filter(registration__exam_round__school=school).update(
        certificate_number=f"{MARK}-CERT"
    )
    Closure.objects.filter(school=school).update(reason=MARK)
    Applicant.objects.filter(school=school).update(
        reference=MARK[:4] + "-" + MARK[4:8], first_name=MARK, last_name=MARK,
        first_name_latin=MARK, last_name_latin=MARK,
        applied_at=timezone.make_aware(dt.datetime(LATER, 1, 2)),
    )  # fmt: skip
    PartnerOrganisation.objects.filter(school=school).update(name=f"{MARK} partner")
    PlacementSession.objects.filter(school=school).update(
        place=MARK, starts_at=timezone.make_aware(dt.datetime(LATER, 1, 3))
    )
    PlacementDecision.objects.filter(student__school=school).update(note=MARK)
    Notification.objects.filter(school=school).update(address=MARK, body=MARK, dedup_key=MARK)
    read = SpecialCategoryRead.objects.create(
        school=school,
        user=User.objects.filter(school=school).first(),
        student=world.foreign_school["student"],
        via=MARK,
    )
    SpecialCategoryRead.objects.filter(pk=read.pk).update(
        read_at=timezone.make_aware(dt.datetime(LATER, 4, 1))
    )
    return school


@pytest.fixture
def world():
    world = build_world()
    mark_school_a(world)
    return world


def _url(model, name: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{name}", args=args)


def _may_view(user: User, model) -> bool:
    return user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")


def test_every_tenant_owned_model_in_the_admin_knows_its_school():
    """A relation the admin offers leads to a model registered as the school's or as shared;
    any other offers no choices at all (``school_choices``), so this keeps them usable."""
    unknown = set()
    for model, model_admin in MODEL_ADMINS:
        if not isinstance(model_admin, SchoolScopedAdmin):
            continue
        for owner in [model, *(inline.model for inline in model_admin.inlines)]:
            for field in owner._meta.get_fields():
                if field.is_relation and field.concrete:
                    label = field.related_model._meta.label
                    if (
                        label not in SCHOOL_PATHS
                        and label not in SHARED
                        and label != "school.School"
                    ):
                        unknown.add(f"{owner._meta.label}.{field.name} → {label}")
    assert not unknown, sorted(unknown)


@pytest.mark.parametrize("role", ROLES)
def test_changelists_show_nothing_of_another_school(world, client, role):
    user = world.users[role]
    client.force_login(user)
    problems = []
    checked = 0
    for model, model_admin in MODEL_ADMINS:
        url = _url(model, "changelist")
        response = client.get(url)
        if not _may_view(user, model):
            if response.status_code != 403:
                problems.append(f"{url} → {response.status_code}, expected 403")
            continue
        if response.status_code != 200:
            problems.append(f"{url} → {response.status_code}")
            continue
        checked += 1
        for query in ("", "?_facets=1"):
            content = client.get(url + query).content.decode()
            if MARK in content:
                at = content.index(MARK)
                problems.append(f"{url}{query} shows …{content[max(0, at - 150) : at + 40]}…")
            if f"__year={LATER}" in content:
                problems.append(f"{url}{query}: the date hierarchy offers school A's {LATER}")
        # The page repeats the words searched for: count the rows found instead.
        for query in (f"?q={MARK}", f"?q={MARK}&_facets=1"):
            if model_admin.search_fields and client.get(url + query).context["cl"].result_count:
                problems.append(f"{url}{query} finds school A's rows")
        if not isinstance(model_admin, SchoolScopedAdmin):
            continue  # shared reference data: levels, exam types and schemes
        for spec in response.context["cl"].filter_specs:
            whole_table = isinstance(spec, RelatedFieldListFilter) or (
                isinstance(spec, AllValuesFieldListFilter) and "__" in spec.field_path
            )
            if whole_table and not isinstance(
                spec, (SchoolRelatedFieldListFilter, SchoolAllValuesFieldListFilter)
            ):
                problems.append(
                    f"{url}: the filter {spec.title} takes its choices from a whole table"
                )
    assert checked >= 12, f"only {checked} changelists were open to the {role}"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_change_and_history_pages_of_another_schools_rows_are_closed(world, client, role):
    user = world.users[role]
    client.force_login(user)
    school_a = world.foreign_school["cycle"].school
    problems = []
    for model, _model_admin in MODEL_ADMINS:
        path = "" if model is School else SCHOOL_PATHS.get(model._meta.label)
        if path is None:
            continue
        rows = model._default_manager.filter(**{f"{path}_id" if path else "pk": school_a.pk})
        foreign = rows.first()
        if foreign is None:
            continue
        for name in ("change", "history"):
            response = client.get(_url(model, name, foreign.pk), follow=True)
            if response.status_code not in (200, 403, 404) or MARK in response.content.decode():
                problems.append(f"{_url(model, name, foreign.pk)} → {response.status_code}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_autocomplete_offers_nothing_of_another_school(world, client, role):
    client.force_login(world.users[role])
    problems = []
    for model, _model_admin in MODEL_ADMINS:
        for field in model._meta.get_fields():
            if not (
                field.is_relation and field.concrete and field.related_model in admin.site._registry
            ):
                continue
            for term in ("", MARK):
                response = client.get(
                    "/admin/autocomplete/",
                    {
                        "app_label": model._meta.app_label,
                        "model_name": model._meta.model_name,
                        "field_name": field.name,
                        "term": term,
                    },
                )
                # Only an answer can offer anything; a refusal's page may repeat the address.
                if response.status_code == 200 and MARK in str(response.json()["results"]):
                    problems.append(f"{model._meta.label}.{field.name} ?term={term}")
    assert not problems, "\n".join(problems)


def test_a_raw_id_field_does_not_name_another_schools_student(world, client):
    client.force_login(world.users["coordinator"])
    placement = world.own["placement"]
    stranger = world.foreign_school["student"]
    page = client.post(
        _url(PlacementDecision, "change", placement.pk),
        {"student": stranger.pk, "level": placement.level_id, "decided_on": "2026-09-01"},
    )
    assert page.status_code == 200  # the form, with its error
    assert "Select a valid choice" in page.content.decode()
    assert MARK not in page.content.decode()
