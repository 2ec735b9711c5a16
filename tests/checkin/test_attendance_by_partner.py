"""Attendance by partner on the staff overview: the directory's organisation each
delegate is affiliated with (registered, checked in, no-show), and by partner network;
the page and its figures run the same queries however many delegates and partners."""

import uuid

import pytest
from django.urls import reverse

from checkin import services
from checkin.selectors import NOT_IN_DIRECTORY, attendance
from partners.services import merge_organisations
from symposium.enums import RegistrationStatus, Sector
from tests.checkin.helpers import desk_url
from tests.factories import (
    AffiliationFactory,
    DelegateFactory,
    EventFactory,
    NetworkFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db


def check_in(delegate):
    services.check_in(event=delegate.event, delegate_id=delegate.pk, nonce=uuid.uuid4())


def member(event, organisation, typed=None, **fields):
    delegate = DelegateFactory(
        event=event, organisation=typed or organisation.name, sector=organisation.sector, **fields
    )
    AffiliationFactory(delegate=delegate, organisation=organisation)
    return delegate


def figures(rows):
    return {row["label"]: (row["expected"], row["checked_in"], row["no_show"]) for row in rows}


@pytest.fixture
def day():
    event = EventFactory(slug="kent-medway")
    mental_health = NetworkFactory(name="Better Mental Health Network")
    suicide = NetworkFactory(name="Suicide Prevention Network")
    medway = OrganisationFactory(name="Medway Council", sector=Sector.COUNCIL)
    mind = OrganisationFactory(name="Mind in Kent", sector=Sector.VCSE)
    police = OrganisationFactory(name="Kent Police", sector=Sector.POLICE)
    medway.networks.add(mental_health, suicide)
    mind.networks.add(mental_health)
    ana = member(event, medway, typed="medway council")  # Typed otherwise, counted once.
    bob = member(event, medway, typed="Medway Borough Council")
    cat = member(event, mind)
    dan = member(event, police)
    member(event, police, status=RegistrationStatus.WAITLISTED)  # Not registered: waiting.
    member(event, mind, status=RegistrationStatus.CANCELLED)
    eve = DelegateFactory(event=event, organisation="Hythe Men's Shed")  # Not matched.
    for delegate in (ana, cat, dan, eve):
        check_in(delegate)
    return event, {"medway": medway, "mind": mind, "police": police, "bob": bob}


def test_attendance_by_partner_follows_the_directory_not_what_was_typed(day):
    event, _ = day

    data = attendance(event=event)

    assert figures(data["by_partner"]) == {
        "Kent Police": (1, 1, 0),
        "Medway Council": (2, 1, 1),
        "Mind in Kent": (1, 1, 0),
        NOT_IN_DIRECTORY: (1, 1, 0),
    }
    assert [row["label"] for row in data["by_partner"]][-1] == NOT_IN_DIRECTORY
    assert figures(data["by_network"]) == {
        "Better Mental Health Network": (3, 2, 1),
        "Suicide Prevention Network": (2, 1, 1),
    }


def test_a_merged_partners_people_count_under_the_entry_kept(day, organiser):
    event, world = day
    duplicate = OrganisationFactory(name="Medway Cncl", sector=Sector.COUNCIL)
    member(event, duplicate)

    merge_organisations(keep=world["medway"], duplicates=[duplicate], merged_by=organiser)

    assert figures(attendance(event=event)["by_partner"])["Medway Council"] == (3, 1, 2)


def test_the_overview_says_registered_checked_in_and_no_show_by_partner(organiser_client, day):
    event, _ = day

    html = organiser_client.get(reverse("staff:overview", args=[event.slug])).content.decode()

    assert "<h3>By partner</h3>" in html
    assert "<h3>By partner network</h3>" in html
    assert "No-show: registered (a confirmed place) and not checked in" in html
    row = html.split('<th scope="row">Medway Council</th>')[1].split("</tr>")[0]
    cells = [cell.split("</td>")[0] for cell in row.split('<td class="text-end">')[1:]]
    assert cells == ["1", "2", "1"]  # Checked in, registered, no-show.
    data = organiser_client.get(desk_url(event, "attendance")).json()
    assert figures(data["by_partner"])["Medway Council"] == (2, 1, 1)


def grow(event, partners, networks, people):
    """`partners` more organisations in `networks` networks, `people` delegates each,
    every other one checked in."""
    made = [NetworkFactory() for _ in range(networks)]
    for _ in range(partners):
        organisation = OrganisationFactory()
        organisation.networks.add(*made)
        for person in range(people):
            delegate = member(event, organisation)
            if person % 2:
                check_in(delegate)


# Measured: 20 for the page (the session, the account, its teams, the event, the overview's
# figures and attendance's eight), 14 for the figures alone, at either size.
QUERIES = {"overview": 20, "figures": 14}


@pytest.mark.parametrize("size", [(1, 1, 1), (30, 4, 5)])
def test_the_overview_runs_the_same_queries_whatever_the_size(
    organiser_client, django_assert_max_num_queries, size
):
    event = EventFactory()
    grow(event, *size)
    overview = reverse("staff:overview", args=[event.slug])
    organiser_client.get(overview)  # Sessions, permissions and caches warmed.

    with django_assert_max_num_queries(QUERIES["overview"]):
        assert organiser_client.get(overview).status_code == 200
    with django_assert_max_num_queries(QUERIES["figures"]):
        assert organiser_client.get(desk_url(event, "attendance")).status_code == 200
    with django_assert_max_num_queries(8):
        assert len(attendance(event=event)["by_partner"]) == size[0]
