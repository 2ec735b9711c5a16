"""A directory merge (partners.services.merge_organisations) keeps the merged entry,
pointing to the organisation that absorbed it. The actions the merged entry owned are
now the absorbing organisation's: its partner lead follows them up, however many merges
ago it absorbed them, and a network's lead follows those of its members' merged entries."""

import pytest
from django.urls import reverse

from outcomes import selectors
from outcomes.models import Action
from outcomes.services import email_follow_up_links
from partners.models import LeadAction, PartnerLeadAction
from partners.services import merge_organisations
from partners.tokens import make_lead_token
from tests.factories import (
    BreakoutSessionFactory,
    EventFactory,
    NetworkFactory,
    OrganisationFactory,
    PartnerLeadFactory,
)
from tests.outcomes.factories import ActionFactory, PublishedOutcomeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    event = EventFactory(slug="kent-medway")
    outcome = PublishedOutcomeFactory(session=BreakoutSessionFactory(theme__event=event))
    medway = OrganisationFactory(name="Medway Council")
    borough = OrganisationFactory(name="Medway Borough Council")
    police = OrganisationFactory(name="Kent Police")
    return {
        "event": event,
        "medway": medway,
        "borough": borough,
        "ours": ActionFactory(outcome=outcome, organisation=medway, description="Medway's own"),
        "absorbed": ActionFactory(
            outcome=outcome, organisation=borough, description="The borough's action"
        ),
        "theirs": ActionFactory(outcome=outcome, organisation=police, description="Police action"),
        "lead": PartnerLeadFactory(name="Mo Medway", organisation=medway, events=[event]),
    }


def url(lead, event, action=None):
    kwargs = {"event_slug": event.slug, "token": make_lead_token(lead)}
    if action is None:
        return reverse("outcome_actions:list", kwargs=kwargs)
    return reverse("outcome_actions:update", kwargs=kwargs | {"action_pk": action.pk})


def test_the_lead_follows_up_the_actions_of_an_organisation_merged_into_theirs(client, world):
    event, lead = world["event"], world["lead"]
    before = client.get(url(lead, event))
    assert "The borough&#x27;s action" not in before.content.decode()

    merge_organisations(keep=world["medway"], duplicates=[world["borough"]])

    page = client.get(url(lead, event))
    html = page.content.decode()
    assert "Medway&#x27;s own" in html
    assert "The borough&#x27;s action" in html
    assert "Police action" not in html
    assert client.get(url(lead, event, world["absorbed"])).status_code == 200
    assert client.get(url(lead, event, world["theirs"])).status_code == 404


def test_merges_of_merges_are_followed(world):
    """The borough merged into Medway Council, then Medway Council into Medway Unitary:
    the borough still points to Medway Council, which points to the unitary."""
    unitary = OrganisationFactory(name="Medway Unitary Authority")
    lead = PartnerLeadFactory(organisation=unitary, events=[world["event"]])
    merge_organisations(keep=world["medway"], duplicates=[world["borough"]])
    merge_organisations(keep=unitary, duplicates=[world["medway"]])

    actions = selectors.lead_actions(lead=lead, event=world["event"])

    assert sorted(actions.values_list("description", flat=True)) == [
        "Medway's own",
        "The borough's action",
    ]
    # Medway Council's own lead still sees what it owned, the borough's included.
    still = selectors.lead_actions(lead=world["lead"], event=world["event"])
    assert sorted(a.pk for a in still) == sorted([world["ours"].pk, world["absorbed"].pk])


def test_a_networks_lead_follows_up_what_its_members_absorbed(world):
    network = NetworkFactory(name="Better Mental Health Network")
    lead = PartnerLeadFactory(organisation=None, network=network, events=[world["event"]])
    merge_organisations(keep=world["medway"], duplicates=[world["borough"]])
    network.organisations.add(world["medway"])  # Joined after the merge.

    actions = selectors.lead_actions(lead=lead, event=world["event"])

    assert sorted(a.pk for a in actions) == sorted([world["ours"].pk, world["absorbed"].pk])


def test_the_follow_up_email_goes_to_the_lead_of_the_organisation_that_absorbed_the_owner(
    world,
):
    merge_organisations(keep=world["medway"], duplicates=[world["borough"]])
    borough_only = Action.objects.filter(pk=world["absorbed"].pk)

    sent = email_follow_up_links(actions=borough_only)

    assert [(lead, event) for lead, event in sent] == [(world["lead"], world["event"].pk)]
    assert PartnerLeadAction.objects.filter(
        lead=world["lead"], action=LeadAction.LINK_SENT
    ).exists()
