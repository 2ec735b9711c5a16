"""Audience filters pick exactly the delegates they describe."""

import pytest

from mailings.selectors import audience
from registration.privacy import purge_event
from symposium.enums import RegistrationStatus as Status
from symposium.enums import Sector
from tests.mailings.conftest import make_mailing

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def names(mailing):
    return [delegate.first_name for delegate in audience(mailing)]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["Ana", "Ben", "Eve"]),
        ({"statuses": [Status.WAITLISTED]}, ["Cat"]),
        ({"statuses": [Status.CANCELLED]}, ["Dan"]),
        ({"statuses": [Status.CONFIRMED, Status.WAITLISTED]}, ["Ana", "Ben", "Cat", "Eve"]),
        ({"statuses": list(Status)}, ["Ana", "Ben", "Cat", "Dan", "Eve"]),
        ({"sectors": [Sector.NHS]}, ["Ana"]),
        ({"statuses": list(Status), "sectors": [Sector.NHS, Sector.POLICE]}, ["Ana", "Ben", "Cat"]),
        ({"organisations": "KENT AND MEDWAY ICB"}, ["Ana", "Eve"]),
        ({"organisations": "Kent Police\n\n  Kent County Council  "}, ["Ben"]),
        ({"statuses": list(Status), "organisations": "Kent County Council"}, ["Dan"]),
        ({"organisations": "Kent"}, []),
    ],
)
def test_status_sector_and_organisation_filters_select_exactly(world, filters, expected):
    assert names(make_mailing(world["event"], **filters)) == expected


def test_a_breakout_session_means_a_confirmed_place_in_it(world):
    mailing = make_mailing(world["event"], sessions=[world["crisis_session"]])

    # Eve is only on its waitlist.
    assert names(mailing) == ["Ben"]


def test_a_theme_means_a_confirmed_place_in_any_of_its_sessions(world):
    assert names(make_mailing(world["event"], themes=[world["prevention"]])) == ["Ana"]


def test_sessions_and_themes_are_one_filter_any_of_which_matches(world):
    mailing = make_mailing(
        world["event"], sessions=[world["crisis_session"]], themes=[world["prevention"]]
    )

    assert names(mailing) == ["Ana", "Ben"]


def test_breakouts_and_sector_must_both_match(world):
    mailing = make_mailing(
        world["event"], themes=[world["prevention"], world["crisis"]], sectors=[Sector.POLICE]
    )

    assert names(mailing) == ["Ben"]


def test_anonymised_delegates_are_never_in_an_audience(world):
    world["event"].ends_on = world["event"].starts_on
    purge_event(event=world["event"])

    assert names(make_mailing(world["event"], statuses=list(Status))) == []
