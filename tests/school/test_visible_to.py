"""The one scoping rule every resource follows (``school.scoping``); the scoping matrix in
tests/security checks each endpoint's rules."""

import pytest

from school.choices import Role
from school.models import Venue
from school.scoping import Scope, of_school, visible_to
from tests.factories import UserFactory, VenueFactory

pytestmark = pytest.mark.django_db

VENUES = Scope(Venue, {Role.COORDINATOR: of_school()})


def test_a_named_role_sees_the_rows_its_filter_selects():
    coordinator = UserFactory(role="coordinator")
    own = VenueFactory(school=coordinator.school)
    VenueFactory()
    assert list(visible_to(coordinator, VENUES)) == [own]


def test_a_role_the_scope_does_not_name_sees_nothing():
    auditor = UserFactory(role="auditor")
    VenueFactory(school=auditor.school)
    assert not visible_to(auditor, VENUES).exists()


def test_an_operator_sees_every_row_and_a_user_without_a_school_none():
    VenueFactory.create_batch(2)
    operator = UserFactory(role="", school=None, is_superuser=True)
    assert visible_to(operator, VENUES).count() == 2
    nobody = UserFactory(role="", school=None)
    assert not visible_to(nobody, VENUES).exists()
