"""A partner lead follows up the actions their organisation owns, through their own
link, after the event too. Every page and POST they can reach is tried with another
organisation's action: a plain 404, and nothing changes."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from outcomes.models import Action, ActionStatus, OutcomeStatus
from partners.models import LeadAction, PartnerLeadAction
from partners.tokens import make_lead_token
from tests.background import run_background_jobs
from tests.factories import (
    BreakoutSessionFactory,
    EventFactory,
    NetworkFactory,
    OrganisationFactory,
    PartnerLeadFactory,
    UserFactory,
)
from tests.helpers import admin_url
from tests.outcomes.factories import ActionFactory, PublishedOutcomeFactory, SessionOutcomeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    event = EventFactory(slug="kent-medway")
    outcome = PublishedOutcomeFactory(session=BreakoutSessionFactory(theme__event=event))
    medway = OrganisationFactory(name="Medway Council")
    police = OrganisationFactory(name="Kent Police")
    network = NetworkFactory(name="Better Mental Health Network")
    network.organisations.add(medway)
    return {
        "event": event,
        "outcome": outcome,
        "ours": ActionFactory(outcome=outcome, organisation=medway, description="Medway's action"),
        "theirs": ActionFactory(outcome=outcome, organisation=police, description="Police action"),
        "lead": PartnerLeadFactory(name="Mo Medway", organisation=medway, events=[event]),
        "network_lead": PartnerLeadFactory(organisation=None, network=network, events=[event]),
    }


def url(lead, event, action=None):
    kwargs = {"event_slug": event.slug, "token": make_lead_token(lead)}
    if action is None:
        return reverse("outcome_actions:list", kwargs=kwargs)
    return reverse("outcome_actions:update", kwargs=kwargs | {"action_pk": action.pk})


def test_the_lead_sees_only_their_organisations_published_actions(client, world):
    draft = SessionOutcomeFactory(session__theme__event=world["event"])
    ActionFactory(outcome=draft, organisation=world["ours"].organisation, description="Draft one")
    response = client.get(url(world["lead"], world["event"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Medway&#x27;s action" in html
    assert "Police action" not in html
    assert "Draft one" not in html
    assert [a.pk for a in response.context["actions"]] == [world["ours"].pk]


def test_the_lead_updates_their_action(client, world):
    response = client.post(
        url(world["lead"], world["event"], world["ours"]),
        {"status": "in_progress", "status_on": "2027-02-01", "status_note": "Form drafted"},
    )
    assert response.status_code == 302
    action = world["ours"]
    action.refresh_from_db()
    assert (action.status, action.status_on, action.status_note) == (
        ActionStatus.IN_PROGRESS,
        dt.date(2027, 2, 1),
        "Form drafted",
    )


def test_a_date_left_empty_is_today(client, world):
    client.post(url(world["lead"], world["event"], world["ours"]), {"status": "done"})
    world["ours"].refresh_from_db()
    assert world["ours"].status_on == timezone.localdate()


def test_a_bad_input_is_explained_and_changes_nothing(client, world):
    response = client.post(
        url(world["lead"], world["event"], world["ours"]),
        {"status": "finished", "status_on": "someday", "status_note": "Kept note"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Choose a status from the list" in html
    assert "Enter a real date" in html
    assert "Kept note" in html
    world["ours"].refresh_from_db()
    assert world["ours"].status == ActionStatus.OPEN


def test_another_organisations_action_is_not_found_on_every_page(client, world):
    theirs = world["theirs"]
    page = url(world["lead"], world["event"], theirs)
    assert client.get(page).status_code == 404
    assert client.post(page, {"status": "done"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ActionStatus.OPEN


def test_an_unpublished_action_is_not_found(client, world):
    world["outcome"].status = OutcomeStatus.SUBMITTED
    world["outcome"].save()
    assert client.get(url(world["lead"], world["event"], world["ours"])).status_code == 404


def test_a_network_lead_follows_up_its_members_actions(client, world):
    lead = world["network_lead"]
    response = client.get(url(lead, world["event"]))
    assert [a.pk for a in response.context["actions"]] == [world["ours"].pk]
    assert client.get(url(lead, world["event"], world["theirs"])).status_code == 404


def test_a_bad_token_or_another_events_lead_is_not_found(client, world):
    other_event = EventFactory()
    stranger = PartnerLeadFactory(organisation=world["ours"].organisation, events=[other_event])
    assert client.get(url(stranger, world["event"])).status_code == 404
    assert client.get(url(stranger, world["event"], world["ours"])).status_code == 404
    bad = reverse("outcome_actions:list", kwargs={"event_slug": "kent-medway", "token": "nonsense"})
    assert client.get(bad).status_code == 404


def test_the_follow_up_works_after_the_event(client):
    event = EventFactory(starts_on=dt.date(2026, 1, 10))
    organisation = OrganisationFactory()
    action = ActionFactory(
        outcome=PublishedOutcomeFactory(session__theme__event=event), organisation=organisation
    )
    lead = PartnerLeadFactory(organisation=organisation, events=[event])
    assert client.get(url(lead, event)).status_code == 200
    assert client.post(url(lead, event, action), {"status": "done"}).status_code == 302


def test_the_leads_page_links_to_the_follow_up_only_when_they_own_actions(client, world):
    page = reverse(
        "registration:partner-lead",
        kwargs={"event_slug": "kent-medway", "token": make_lead_token(world["lead"])},
    )
    html = client.get(page).content.decode()
    assert f'href="{url(world["lead"], world["event"])}"' in html
    assert "Follow up the actions Medway Council agreed to lead" in html
    nobody = PartnerLeadFactory(events=[world["event"]])
    other = reverse(
        "registration:partner-lead",
        kwargs={"event_slug": "kent-medway", "token": make_lead_token(nobody)},
    )
    assert "Follow up the actions" not in client.get(other).content.decode()


def test_the_list_runs_the_same_queries_whatever_the_actions(
    client, world, django_assert_num_queries
):
    list_url = url(world["lead"], world["event"])
    client.get(list_url)
    # The event, the lead, the actions.
    with django_assert_num_queries(3):
        client.get(list_url)
    ActionFactory.create_batch(4, outcome=world["outcome"], organisation=world["ours"].organisation)
    with django_assert_num_queries(3):
        response = client.get(list_url)
    assert len(response.context["actions"]) == 5


@pytest.mark.django_db(transaction=True)
def test_organisers_email_the_owners_leads_their_follow_up_link(world):
    organiser = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(organiser)
    draft = ActionFactory(
        outcome=SessionOutcomeFactory(session__theme__event=world["event"]),
        organisation=OrganisationFactory(),
    )
    PartnerLeadFactory(organisation=draft.organisation, events=[world["event"]])
    response = client.post(
        admin_url(Action, "changelist"),
        {
            "action": "email_follow_up_links",
            "_selected_action": [world["ours"].pk, world["theirs"].pk, draft.pk],
        },
    )
    assert response.status_code == 302
    assert mail.outbox == []  # Nothing built or sent in the request.
    run_background_jobs()

    # Medway's lead and the network's (Medway is a member); no Police lead exists; the
    # draft's owner's lead is not emailed.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world["lead"].email, world["network_lead"].email]
    )
    message = next(m for m in mail.outbox if m.to == [world["lead"].email])
    assert "actions Medway Council agreed" in message.subject
    (link,) = re.findall(r"https?://\S+/partners/[^/\s]+/actions/", message.body)
    page = Client().get(urlsplit(link).path)
    assert page.status_code == 200
    assert "Medway&#x27;s action" in page.content.decode()
    audit = PartnerLeadAction.objects.filter(action=LeadAction.LINK_SENT)
    assert audit.count() == 2
    assert {a.done_by for a in audit} == {organiser}
