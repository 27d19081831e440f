"""The admin reads applicants and offers, plans placement tests, and keeps the school's
partner organisations and its application settings."""

import datetime as dt

import pytest

from courses.models import SeatOffer
from school.models import PartnerOrganisation, School
from tests.courses.applicant_records import make_applicant
from tests.factories import FACTORY_DAY, CycleFactory, SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, coordinator):
    coordinator.is_staff = True
    coordinator.save()
    client.force_login(coordinator)
    return client


def test_applicants_are_read_only_and_of_the_school(admin_client, school):
    own = make_applicant(school, last_name_latin="Ownschool")
    make_applicant(SchoolFactory(), last_name_latin="Elsewhere")
    listing = admin_client.get("/admin/courses/applicant/").content.decode()
    assert own.reference in listing and "Elsewhere" not in listing
    cycle = CycleFactory(school=school, code="A1-SHOWN")
    SeatOffer.objects.create(
        applicant=own, cycle=cycle, token_hash="secret-hash", offered_at=FACTORY_DAY,
        expires_at=FACTORY_DAY + dt.timedelta(hours=48),
    )  # fmt: skip
    page = admin_client.get(f"/admin/courses/applicant/{own.pk}/change/").content.decode()
    assert 'name="first_name"' not in page  # shown, not editable
    assert "A1-SHOWN" in page and "secret-hash" not in page  # its offers, read-only
    assert admin_client.get("/admin/courses/applicant/add/").status_code == 403
    assert admin_client.get(f"/admin/courses/applicant/{own.pk}/delete/").status_code == 403


def test_a_coordinator_keeps_the_partner_list_and_application_settings(admin_client, school):
    response = admin_client.post(
        "/admin/school/partnerorganisation/add/",
        {"name": "Municipal social services", "active": "on", "school": school.pk},
    )
    assert response.status_code == 302
    assert PartnerOrganisation.objects.get().school == school
    page = admin_client.get(f"/admin/school/school/{school.pk}/change/").content.decode()
    assert 'name="slug"' in page and 'name="applicant_retention_months"' in page


def test_another_schools_partner_is_not_offered(admin_client, school):
    PartnerOrganisation.objects.create(school=SchoolFactory(), name="Elsewhere NGO")
    PartnerOrganisation.objects.create(school=school, name="Our NGO")
    listing = admin_client.get("/admin/school/partnerorganisation/").content.decode()
    assert "Our NGO" in listing and "Elsewhere NGO" not in listing
    assert School.objects.count() == 2
