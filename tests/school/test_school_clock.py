import datetime as dt

import pytest
import time_machine

from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def test_today_is_the_day_where_the_school_is_not_the_servers():
    athens = SchoolFactory(time_zone="Europe/Athens")
    lisbon = SchoolFactory(time_zone="Europe/Lisbon")
    # 22:30 UTC on 30 November: already 1 December in Athens, still 30 November in Lisbon.
    with time_machine.travel(dt.datetime(2026, 11, 30, 22, 30, tzinfo=dt.UTC)):
        assert athens.today() == dt.date(2026, 12, 1)
        assert lisbon.today() == dt.date(2026, 11, 30)
