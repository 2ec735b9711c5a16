"""Delegates added by an organiser in the console, or at the desk as walk-ins, are
affiliated with the directory as public registrations are: the directory's name and
sector, and the affiliation the counts by partner follow."""

import pytest

from partners.models import Affiliation, MatchedBy, OrganisationAlias
from symposium.models import Delegate
from tests.admin_forms import change_form_data
from tests.checkin.helpers import desk_url
from tests.factories import EventFactory, OrganisationFactory
from tests.helpers import admin_url, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def medway():
    organisation = OrganisationFactory(name="Medway Council", sector="council")
    OrganisationAlias.objects.create(organisation=organisation, name="Medway Borough Council")
    return organisation


def add_in_console(organiser_client, post, event, organisation, sector="other"):
    data = change_form_data(organiser_client.get(admin_url(Delegate, "add")))
    data |= {
        "event": event.pk,
        "first_name": "Ada",
        "last_name": "Added",
        "email": "ada@example.org",
        "organisation": organisation,
        "sector": sector,
    }
    response = post(admin_url(Delegate, "add"), data)
    assert response.status_code == 302
    return Delegate.objects.get(email="ada@example.org")


def test_a_delegate_added_in_the_console_is_affiliated_by_another_name(
    organiser_client, post, medway
):
    delegate = add_in_console(
        organiser_client, post, EventFactory(), " medway  borough council ", sector="other"
    )

    assert (delegate.organisation, delegate.sector) == ("Medway Council", "council")
    affiliation = Affiliation.objects.get(delegate=delegate)
    assert (affiliation.organisation, affiliation.matched_by) == (medway, MatchedBy.NAME)


def test_a_name_the_directory_does_not_know_is_kept_for_matching(organiser_client, post, medway):
    delegate = add_in_console(organiser_client, post, EventFactory(), "Hythe Men's Shed")

    assert (delegate.organisation, delegate.sector) == ("Hythe Men's Shed", "other")
    assert not Affiliation.objects.filter(delegate=delegate).exists()


def test_a_walk_in_at_the_desk_is_affiliated_too(client, post, medway):
    client.force_login(staff_user(groups=["Event staff"]))
    event = EventFactory()

    response = post(
        desk_url(event, "walk-in"),
        {
            "first_name": "Ana",
            "last_name": "Able",
            "email": "ana@example.org",
            "organisation": "MEDWAY COUNCIL",
            "sector": "other",
            "desk": "Desk 3",
        },
    )

    assert response.status_code == 302
    delegate = Delegate.objects.get(email="ana@example.org")
    assert (delegate.organisation, delegate.sector) == ("Medway Council", "council")
    assert Affiliation.objects.get(delegate=delegate).organisation == medway
