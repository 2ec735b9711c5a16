import pytest

from partners.models import (
    Affiliation,
    MatchedBy,
    Organisation,
    OrganisationAlias,
    OrganisationMerge,
)
from partners.names import name_key
from partners.selectors import search_organisations, to_match
from partners.services import (
    find_organisation,
    match_name,
    match_registration,
    merge_organisations,
)
from symposium.enums import Sector
from tests.factories import DelegateFactory, EventFactory, NetworkFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "spelling",
    [
        "NHS Kent and Medway",
        "nhs kent & medway",
        "N.H.S. Kent and  Medway",
        " NHS  Kent & Medway. ",
    ],
)
def test_spellings_of_one_name_share_a_key(spelling):
    assert name_key(spelling) == "nhs kent and medway"


def test_different_words_are_different_organisations():
    assert name_key("Kent County Council") != name_key("Kent Council")
    assert name_key("Medway Council") != name_key("Medway Community Healthcare")


def test_the_directory_refuses_a_second_entry_of_the_same_name():
    from django.db import IntegrityError

    OrganisationFactory(name="Brighton & Hove City Council")
    with pytest.raises(IntegrityError):
        OrganisationFactory(name="brighton and hove city council")


def test_a_name_an_alias_or_a_merged_name_finds_the_current_entry():
    kept = OrganisationFactory(name="NHS Kent and Medway", sector=Sector.NHS)
    OrganisationAlias.objects.create(organisation=kept, name="Kent and Medway ICB")
    old = OrganisationFactory(name="Kent and Medway CCG", sector=Sector.NHS)
    merge_organisations(keep=kept, duplicates=[old])

    assert find_organisation("nhs kent & medway") == kept
    assert find_organisation("KENT AND MEDWAY ICB") == kept
    assert find_organisation("Kent and Medway C.C.G.") == kept
    assert find_organisation("Someone else entirely") is None


def test_a_known_organisation_gives_the_delegate_its_name_and_sector():
    council = OrganisationFactory(name="Kent County Council", sector=Sector.COUNCIL)
    delegate = DelegateFactory(organisation="kent county  council", sector=Sector.OTHER)

    affiliation = match_registration(delegate=delegate)

    delegate.refresh_from_db()
    assert affiliation.organisation == council
    assert affiliation.matched_by == MatchedBy.NAME
    assert (delegate.organisation, delegate.sector) == ("Kent County Council", Sector.COUNCIL)


def test_an_unknown_name_is_kept_as_typed_on_the_to_match_list():
    event = EventFactory()
    DelegateFactory(event=event, organisation="Brighton & Hove Mind")
    DelegateFactory(event=event, organisation="brighton and hove mind")
    DelegateFactory(event=event, organisation="Dover Youth Club")
    for delegate in event.delegates.all():
        assert match_registration(delegate=delegate) is None

    listed = to_match(event=event)

    assert [(u.key, u.delegates) for u in listed] == [
        ("brighton and hove mind", 2),
        ("dover youth club", 1),
    ]
    assert set(event.delegates.values_list("organisation", flat=True)) == {
        "Brighton & Hove Mind",
        "brighton and hove mind",
        "Dover Youth Club",
    }


def test_an_organiser_matching_a_name_affiliates_everyone_who_typed_it_and_remembers_it():
    mind = OrganisationFactory(name="Mind in Brighton and Hove", sector=Sector.VCSE)
    first = DelegateFactory(organisation="Brighton & Hove Mind", sector=Sector.OTHER)
    second = DelegateFactory(organisation="brighton and hove mind", sector=Sector.OTHER)
    other = DelegateFactory(organisation="Dover Youth Club")

    assert match_name(name="Brighton & Hove Mind", organisation=mind) == 2

    assert set(Affiliation.objects.values_list("delegate", flat=True)) == {first.pk, second.pk}
    first.refresh_from_db()
    assert (first.organisation, first.sector) == ("Mind in Brighton and Hove", Sector.VCSE)
    other.refresh_from_db()
    assert other.organisation == "Dover Youth Club"
    # The next delegate who types it is matched on registering.
    assert find_organisation("BRIGHTON & HOVE MIND") == mind


def test_a_merge_keeps_the_history_moves_delegates_and_counts_them():
    network = NetworkFactory(name="Suicide Prevention Network")
    kept = OrganisationFactory(name="Kent Police", sector=Sector.POLICE)
    duplicate = OrganisationFactory(name="Kent Constabulary", sector=Sector.OTHER)
    duplicate.networks.add(network)
    OrganisationAlias.objects.create(organisation=duplicate, name="KP")
    moved = [DelegateFactory(organisation="Kent Constabulary") for _ in range(3)]
    for delegate in moved:
        match_registration(delegate=delegate)
    staying = DelegateFactory(organisation="Kent Police", sector=Sector.POLICE)
    match_registration(delegate=staying)

    (record,) = merge_organisations(keep=kept, duplicates=[duplicate])

    assert (record.merged_name, record.delegates_moved) == ("Kent Constabulary", 3)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == kept  # Kept, not deleted: its links still resolve.
    assert list(Organisation.objects.current()) == [kept]
    assert kept.affiliations.count() == 4
    assert set(kept.aliases.values_list("name", flat=True)) == {"Kent Constabulary", "KP"}
    assert list(kept.networks.all()) == [network]
    for delegate in moved:
        delegate.refresh_from_db()
        assert (delegate.organisation, delegate.sector) == ("Kent Police", Sector.POLICE)
    assert OrganisationMerge.objects.get().kept == kept


def test_merging_twice_changes_nothing_more():
    kept = OrganisationFactory(name="Medway Council")
    duplicate = OrganisationFactory(name="Medway Unitary Council")
    merge_organisations(keep=kept, duplicates=[duplicate])

    assert merge_organisations(keep=kept, duplicates=[duplicate]) == []
    assert OrganisationMerge.objects.count() == 1


def test_search_finds_names_and_aliases_starting_matches_first():
    kcc = OrganisationFactory(name="Kent County Council")
    east = OrganisationFactory(name="East Kent Hospitals")
    OrganisationFactory(name="Medway Council")
    police = OrganisationFactory(name="Kent Police")
    OrganisationAlias.objects.create(organisation=police, name="Constabulary of Kent")
    merged = OrganisationFactory(name="Kent Fire")
    merge_organisations(keep=kcc, duplicates=[merged])

    assert search_organisations("kent") == [kcc, police, east]
    assert search_organisations("constab") == [police]
    assert search_organisations("  ") == []
