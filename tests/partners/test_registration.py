"""The directory at registration: the search behind the organisation picker, the typed
organisation resolved to the directory's entry (its name and sector), an unknown one
kept as typed for organisers to match. The POST's queries:
tests/registration/test_register_queries.py."""

import json

import pytest
from django.urls import reverse

from partners.models import Affiliation, MatchedBy, OrganisationAlias
from partners.selectors import to_match
from partners.services import merge_organisations
from symposium.enums import Sector
from symposium.models import Delegate
from tests.factories import DelegateFactory, EventFactory, OrganisationFactory
from tests.helpers import manage_url

pytestmark = pytest.mark.django_db


def search(client, query):
    response = client.get(reverse("partners:search"), {"q": query})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)["results"]


def form_data(**overrides):
    return {
        "first_name": "Priya",
        "last_name": "O'Neill",
        "email": "priya.oneill@nhs.net",
        "organisation": "Kent and Medway ICB",
        "sector": "other",
        "job_title": "Head of Partnerships",
        "privacy_consent": "on",
    } | overrides


@pytest.fixture
def event():
    return EventFactory(name="Kent and Medway ICS symposium", slug="kent-medway")


def register(post, event, **overrides):
    url = reverse("registration:register", kwargs={"event_slug": event.slug})
    response = post(url, form_data(**overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    return Delegate.objects.get(event=event, email=form_data(**overrides)["email"])


def test_search_answers_name_and_sector_of_current_entries_only(client):
    police = OrganisationFactory(
        name="Kent Police", sector=Sector.POLICE, website="https://kent.police.uk"
    )
    OrganisationAlias.objects.create(organisation=police, name="Kent Constabulary")
    council = OrganisationFactory(name="Kent County Council", sector=Sector.COUNCIL)
    merged = OrganisationFactory(name="Kent CC", sector=Sector.COUNCIL)
    merge_organisations(keep=council, duplicates=[merged])

    assert search(client, "kent") == [
        {"name": "Kent County Council", "sector": "council", "sector_label": "Local council"},
        {"name": "Kent Police", "sector": "police", "sector_label": "Police"},
    ]
    assert search(client, "constab") == [
        {"name": "Kent Police", "sector": "police", "sector_label": "Police"}
    ]
    assert search(client, "k") == []  # Too short to mean anything.
    assert search(client, "") == []


def test_search_is_rate_limited_per_address(client, settings):
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"directory-search": {"ip": "3/m"}}
    url = reverse("partners:search")

    answers = [client.get(url, {"q": "kent"}).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]


def test_search_refuses_writes(client):
    assert client.post(reverse("partners:search"), {"q": "kent"}).status_code == 405


def test_register_page_has_a_plain_text_box_the_script_enhances(client, event):
    body = client.get(reverse("registration:register", kwargs={"event_slug": event.slug}))
    html = body.content.decode()

    assert 'type="text" name="organisation"' in html
    assert f'data-organisation-search="{reverse("partners:search")}"' in html
    assert 'data-sector-field="id_sector"' in html
    assert "js/organisation-picker.js" in html
    assert 'role="combobox"' not in html  # The script's to add: without it, a text box.


def test_a_typed_name_the_directory_knows_takes_its_name_and_sector(post, event):
    icb = OrganisationFactory(name="NHS Kent and Medway", sector=Sector.NHS)
    OrganisationAlias.objects.create(organisation=icb, name="Kent and Medway ICB")

    delegate = register(post, event, organisation="kent & medway  I.C.B.", sector="other")

    assert (delegate.organisation, delegate.sector) == ("NHS Kent and Medway", Sector.NHS)
    assert (delegate.affiliation.organisation, delegate.affiliation.matched_by) == (
        icb,
        MatchedBy.NAME,
    )


def test_a_name_the_directory_does_not_know_is_kept_as_typed_to_match(post, event):
    OrganisationFactory(name="NHS Kent and Medway", sector=Sector.NHS)

    delegate = register(post, event, organisation="Dover Youth Club", sector="vcse")

    assert (delegate.organisation, delegate.sector) == ("Dover Youth Club", Sector.VCSE)
    assert not Affiliation.objects.exists()
    assert [(u.name, u.delegates) for u in to_match(event=event)] == [("Dover Youth Club", 1)]


def test_registering_again_after_cancelling_replaces_the_affiliation(post, event):
    old = OrganisationFactory(name="Medway Council", sector=Sector.COUNCIL)
    new = OrganisationFactory(name="Kent Police", sector=Sector.POLICE)
    delegate = DelegateFactory(event=event, email="priya.oneill@nhs.net", status="cancelled")
    Affiliation.objects.create(delegate=delegate, organisation=old, matched_by=MatchedBy.NAME)

    register(post, event, organisation="kent police")

    assert Affiliation.objects.get().organisation == new
    register(post, event, email="b@example.org", organisation="Unknown Trust")
    assert Affiliation.objects.count() == 1


def test_a_cancelled_registration_renewed_with_an_unknown_name_loses_its_old_entry(post, event):
    old = OrganisationFactory(name="Medway Council", sector=Sector.COUNCIL)
    delegate = DelegateFactory(event=event, email="priya.oneill@nhs.net", status="cancelled")
    Affiliation.objects.create(delegate=delegate, organisation=old, matched_by=MatchedBy.NAME)

    register(post, event, organisation="Dover Youth Club", sector="vcse")

    assert not Affiliation.objects.exists()


def manage_data(delegate, **overrides):
    return {
        "first_name": delegate.first_name,
        "last_name": delegate.last_name,
        "email": delegate.email,
        "organisation": delegate.organisation,
        "sector": delegate.sector,
        "job_title": delegate.job_title,
    } | overrides


def test_changing_ones_organisation_on_the_manage_page_follows_the_directory(post, event):
    police = OrganisationFactory(name="Kent Police", sector=Sector.POLICE)
    delegate = DelegateFactory(event=event, organisation="Dover Youth Club", sector=Sector.VCSE)

    response = post(manage_url(delegate), manage_data(delegate, organisation="KENT POLICE"))

    assert response.status_code == 302
    delegate.refresh_from_db()
    assert (delegate.organisation, delegate.sector) == ("Kent Police", Sector.POLICE)
    assert delegate.affiliation.organisation == police

    post(manage_url(delegate), manage_data(delegate, organisation="Swale Food Bank"))

    delegate.refresh_from_db()
    assert delegate.organisation == "Swale Food Bank"
    assert not Affiliation.objects.exists()


def test_an_unchanged_unknown_name_keeps_what_an_organiser_matched(post, event):
    mind = OrganisationFactory(name="Mind in Brighton and Hove", sector=Sector.VCSE)
    delegate = DelegateFactory(event=event, organisation="Mind in Brighton and Hove")
    Affiliation.objects.create(delegate=delegate, organisation=mind, matched_by=MatchedBy.ORGANISER)
    mind.name = "Brighton and Hove Mind"  # Renamed since, by an organiser.
    mind.save()

    post(manage_url(delegate), manage_data(delegate, job_title="Director"))

    assert Affiliation.objects.get().organisation == mind


def test_the_manage_page_pays_one_lookup_and_at_most_one_write_for_the_directory(client, event):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for number in range(30):
        OrganisationFactory(name=f"Kent partner {number}")
    police = OrganisationFactory(name="Kent Police", sector=Sector.POLICE)
    delegate = DelegateFactory(event=event, organisation="Dover Youth Club", sector=Sector.VCSE)

    def count(**changes):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(manage_url(delegate), manage_data(delegate, **changes))
        assert response.status_code == 302
        delegate.refresh_from_db()
        return len(queries)

    count(job_title="Youth worker")  # Warms what the page keeps in the cache.
    unchanged = count(job_title="Youth work manager")  # The lookup only.
    to_entry = count(organisation="kent police")  # The lookup and one upsert.
    to_unknown = count(organisation="Swale Food Bank")  # The lookup and one delete.

    print(f"manage POST: {unchanged} queries, {to_entry} to a directory entry")
    assert to_entry == to_unknown == unchanged + 1
    assert Affiliation.objects.filter(organisation=police).count() == 0
