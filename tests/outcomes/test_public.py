"""The event's public outcomes page ("share good practice"): published outcomes,
actions and pledges theme by theme; nothing of a draft or a submission; no person;
an organisation named only where it agreed. The event's home page links to it once
something is published."""

import pytest
from django.urls import reverse

from outcomes.models import OutcomeStatus
from outcomes.services import forget_facilitators, publish
from registration.privacy import purge_event
from tests.factories import (
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.outcomes.factories import (
    ActionFactory,
    PledgeFactory,
    PublishedOutcomeFactory,
    SessionOutcomeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory(slug="kent-medway")


def page(client, event):
    return client.get(reverse("outcomes:public", args=[event.slug]))


def published(event, theme_title, **fields):
    return PublishedOutcomeFactory(
        session=BreakoutSessionFactory(
            theme__event=event, theme__title=theme_title, facilitator="Dr Sam Lee"
        ),
        facilitator_email="sam.lee@example.org",
        **fields,
    )


def test_published_outcomes_show_by_theme_and_nothing_personal(client, event):
    outcome = published(event, "Prevention and early help", key_points="One front door")
    ActionFactory(
        outcome=outcome,
        description="Pilot a shared form",
        organisation_name="Kent Police",
        may_name_organisation=True,
    )
    PledgeFactory(
        outcome=outcome,
        text="Train staff",
        organisation_name="Medway Council",
        may_name_organisation=True,
    )
    DelegateFactory(event=event, first_name="Ann", last_name="Achebe", email="ann@example.org")
    response = page(client, event)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Prevention and early help" in html
    assert "One front door" in html
    assert "Pilot a shared form" in html
    assert "Kent Police" in html
    assert "Train staff" in html
    assert "Medway Council" in html
    for personal in ("Dr Sam Lee", "sam.lee@example.org", "Ann", "Achebe", "ann@example.org"):
        assert personal not in html


def test_drafts_and_submissions_are_invisible(client, event):
    SessionOutcomeFactory(session__theme__event=event, key_points="Secret draft")
    submitted = SessionOutcomeFactory(
        session__theme__event=event, key_points="Awaiting review", status=OutcomeStatus.SUBMITTED
    )
    ActionFactory(outcome=submitted, description="Unreviewed action")
    html = page(client, event).content.decode()
    assert "No outcomes are published yet." in html
    for hidden in ("Secret draft", "Awaiting review", "Unreviewed action"):
        assert hidden not in html


def test_another_events_outcomes_are_not_shown(client, event):
    published(EventFactory(), "Their theme", key_points="Their points")
    assert "Their points" not in page(client, event).content.decode()


def test_organisations_are_named_only_where_they_agreed(client, event):
    outcome = published(event, "Housing")
    council = OrganisationFactory(name="Swale Borough Council", sector="council")
    ActionFactory(
        outcome=outcome,
        organisation=council,
        organisation_name=council.name,
        description="Map hostels",
    )
    ActionFactory(outcome=outcome, organisation_name="Secret Charity", description="Open a hub")
    PledgeFactory(
        outcome=outcome, organisation=council, organisation_name=council.name, text="Fund a post"
    )
    html = page(client, event).content.decode()
    assert "Swale Borough Council" not in html
    assert "Secret Charity" not in html
    assert "A partner organisation (Local council)" in html
    # Not in the directory: no sector to give.
    assert html.count("A partner organisation (Local council)") == 2
    assert "<dd>A partner organisation</dd>" in html


def test_an_unpublished_event_shows_nothing_to_the_public(client):
    event = EventFactory(is_published=False)
    published(event, "Hidden")
    assert page(client, event).status_code == 404


def test_the_page_runs_the_same_queries_whatever_the_data(client, event, django_assert_num_queries):
    published(event, "First")
    # The event, the outcomes (with sessions and themes), their actions, their pledges.
    with django_assert_num_queries(4):
        page(client, event)
    for n in range(3):
        outcome = published(event, f"Theme {n}")
        ActionFactory.create_batch(3, outcome=outcome, organisation=OrganisationFactory())
        PledgeFactory.create_batch(2, outcome=outcome, organisation=OrganisationFactory())
    with django_assert_num_queries(4):
        response = page(client, event)
    assert len(response.context["themes"]) == 4


@pytest.mark.django_db(transaction=True)
def test_the_home_page_links_to_the_outcomes_once_one_is_published(client, event):
    home = reverse("symposium:event-detail", args=[event.slug])
    outcome = SessionOutcomeFactory(session__theme__event=event, status=OutcomeStatus.SUBMITTED)
    assert "Outcomes: sharing good practice" not in client.get(home).content.decode()
    publish(outcome=outcome, user=UserFactory())
    # Publishing starts a new version of the page cache: the cached home page goes.
    html = client.get(home).content.decode()
    assert f'<a href="/events/{event.slug}/outcomes/">Outcomes: sharing good practice</a>' in html


def test_the_event_purge_forgets_facilitators_but_keeps_outcomes(event):
    outcome = published(event, "Kept")
    ActionFactory(outcome=outcome)
    key = outcome.access_key
    DelegateFactory(event=event)  # The purge runs for an event with personal data.
    purge_event(event=event)
    outcome.refresh_from_db()
    assert outcome.facilitator_email == ""
    assert outcome.access_key != key
    assert outcome.actions.count() == 1
    # The nightly purge asks again: nothing is left to forget, the link's key stays.
    purged_key = outcome.access_key
    purge_event(event=event)
    assert forget_facilitators(event=event) == 0
    outcome.refresh_from_db()
    assert outcome.access_key == purged_key
