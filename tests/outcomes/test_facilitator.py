"""The facilitator's link: it opens one session's outcomes at one event, records key
points, actions and pledges, submits them for review, and keeps working for edits until
they are published, then shows them read-only."""

import datetime as dt

import pytest
from django.core import signing
from django.urls import reverse

from outcomes.models import Action, OutcomeStatus, Pledge, SessionOutcome
from outcomes.services import revoke_facilitator_link
from outcomes.tokens import make_facilitator_token
from partners.tokens import make_lead_token
from symposium.web.log_filters import redact
from tests.factories import (
    BreakoutSessionFactory,
    EventFactory,
    OrganisationFactory,
    PartnerLeadFactory,
)
from tests.outcomes.factories import (
    ActionFactory,
    PledgeFactory,
    PublishedOutcomeFactory,
    SessionOutcomeFactory,
)

pytestmark = pytest.mark.django_db


def link(outcome, token=None, event=None):
    return reverse(
        "outcomes:facilitator",
        kwargs={
            "event_slug": (event or outcome.session.theme.event).slug,
            "token": token or make_facilitator_token(outcome),
        },
    )


def management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def posted(*, key_points="We agreed one front door.", actions=(), pledges=(), **extra):
    data = {"outcome-key_points": key_points}
    data |= management("actions", max(len(actions), 1))
    data |= management("pledges", max(len(pledges), 1))
    for n, action in enumerate(actions):
        data |= {f"actions-{n}-{name}": value for name, value in action.items()}
    for n, pledge in enumerate(pledges):
        data |= {f"pledges-{n}-{name}": value for name, value in pledge.items()}
    return data | extra


ACTION = {
    "description": "Pilot a shared referral form",
    "organisation_name": "medway council",
    "due_on": "2027-03-31",
    "may_name_organisation": "on",
}
PLEDGE = {"text": "Train 20 staff in trauma-informed care", "organisation_name": "Carers First"}


@pytest.fixture
def outcome():
    return SessionOutcomeFactory(session__theme__title="Prevention and early help")


def test_the_link_opens_a_form_for_its_session(client, outcome):
    response = client.get(link(outcome))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Outcomes of “Prevention and early help”" in html
    assert 'name="actions-0-organisation_name"' in html
    assert "data-organisation-search" in html
    assert "js/organisation-picker.js" in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_facilitator_records_and_submits_with_directory_match(client, outcome):
    medway = OrganisationFactory(name="Medway Council", sector="council")
    response = client.post(
        link(outcome), posted(actions=[ACTION], pledges=[PLEDGE], submit="Submit")
    )
    assert response.status_code == 302
    outcome.refresh_from_db()
    assert outcome.status == OutcomeStatus.SUBMITTED
    assert outcome.submitted_at is not None
    assert outcome.key_points == "We agreed one front door."
    action = outcome.actions.get()
    assert (action.description, action.due_on) == (
        "Pilot a shared referral form",
        dt.date(2027, 3, 31),
    )
    # Typed in lower case, matched to the directory's entry and named as it names it.
    assert action.organisation == medway
    assert action.organisation_name == "Medway Council"
    assert action.may_name_organisation is True
    pledge = outcome.pledges.get()
    assert pledge.organisation is None  # Not in the directory: kept as typed.
    assert pledge.organisation_name == "Carers First"
    assert pledge.may_name_organisation is False
    page = client.get(response["Location"]).content.decode()
    assert "submitted for review" in page
    assert "Submitted for review" in page


def test_save_keeps_a_draft(client, outcome):
    client.post(link(outcome), posted(actions=[ACTION], save="Save"))
    outcome.refresh_from_db()
    assert outcome.status == OutcomeStatus.DRAFT
    assert outcome.actions.count() == 1


def test_a_bad_row_saves_nothing_and_keeps_what_was_typed(client, outcome):
    bad = ACTION | {"due_on": "31/02/2027x", "description": "Map every front door"}
    response = client.post(
        link(outcome),
        posted(key_points="Kept points", actions=[bad], pledges=[PLEDGE], submit="Submit"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_actions-0-due_on">Action 1: Enter a real date' in html
    assert "Map every front door" in html
    assert "Kept points" in html
    assert "Train 20 staff in trauma-informed care" in html
    assert response.context["has_errors"]
    outcome.refresh_from_db()
    assert (outcome.key_points, outcome.status) == (
        "Partners agreed to share one referral form.",
        "draft",
    )
    assert not Action.objects.exists()
    assert not Pledge.objects.exists()


def test_an_action_needs_an_owner_and_a_due_date(client, outcome):
    response = client.post(
        link(outcome), posted(actions=[{"description": "Do something"}], submit="Submit")
    )
    html = response.content.decode()
    assert "Action 1: Enter the organisation" in html
    assert "Action 1: Enter the due date" in html
    assert not Action.objects.exists()


def test_rows_are_changed_and_removed(client, outcome):
    kept = ActionFactory(outcome=outcome, description="Old words")
    gone = PledgeFactory(outcome=outcome)
    data = posted(key_points="New points", save="Save")
    data |= management("actions", 1, initial=1) | management("pledges", 1, initial=1)
    data |= {
        "actions-0-id": kept.pk,
        "actions-0-description": "New words",
        "actions-0-organisation_name": "Kent Police",
        "actions-0-due_on": "2027-01-15",
        "pledges-0-id": gone.pk,
        "pledges-0-text": gone.text,
        "pledges-0-organisation_name": gone.organisation_name,
        "pledges-0-DELETE": "on",
    }
    assert client.post(link(outcome), data).status_code == 302
    kept.refresh_from_db()
    assert kept.description == "New words"
    assert not Pledge.objects.filter(pk=gone.pk).exists()


def test_a_row_of_another_session_cannot_be_changed_through_this_link(client, outcome):
    theirs = ActionFactory(description="Theirs")
    data = posted(save="Save") | management("actions", 1, initial=1)
    data |= {
        "actions-0-id": theirs.pk,
        "actions-0-description": "Hijacked",
        "actions-0-organisation_name": "Kent Police",
        "actions-0-due_on": "2027-01-15",
    }
    client.post(link(outcome), data)
    theirs.refresh_from_db()
    assert theirs.description == "Theirs"
    assert theirs.outcome != outcome


def test_a_token_for_another_session_or_event_is_not_found(client, outcome):
    other = SessionOutcomeFactory()
    # The other session's token at this event's address.
    response = client.get(link(other, event=outcome.session.theme.event))
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    # Tampered, or a token of another kind signed with another salt.
    assert client.get(link(outcome, token=make_facilitator_token(outcome) + "x")).status_code == 404
    wrong_salt = signing.TimestampSigner(salt="partners.lead-link").sign_object(
        {"o": outcome.pk, "k": outcome.access_key}
    )
    assert client.get(link(outcome, token=wrong_salt)).status_code == 404
    assert client.post(link(other, event=outcome.session.theme.event), posted()).status_code == 404
    other.refresh_from_db()
    assert other.key_points == "Partners agreed to share one referral form."


def test_a_revoked_link_is_not_found_and_a_new_one_works(client, outcome):
    old = link(outcome)
    revoke_facilitator_link(outcome=outcome)
    outcome.refresh_from_db()
    assert client.get(old).status_code == 404
    assert client.get(link(outcome)).status_code == 200


def test_the_link_works_after_the_event(client):
    event = EventFactory(starts_on=dt.date(2026, 1, 10))
    outcome = SessionOutcomeFactory(session=BreakoutSessionFactory(theme__event=event))
    assert client.get(link(outcome)).status_code == 200


def test_published_outcomes_are_read_only_and_edits_are_refused(client):
    outcome = PublishedOutcomeFactory(key_points="Published points")
    ActionFactory(outcome=outcome, description="Published action")
    response = client.get(link(outcome))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<form" not in html
    assert "Published points" in html
    assert "Published action" in html
    assert "can no longer be changed through this link" in html

    refused = client.post(link(outcome), posted(key_points="Changed", actions=[ACTION], submit="1"))
    assert refused.status_code == 409
    assert "can no longer be changed through this link" in refused.content.decode()
    outcome.refresh_from_db()
    assert outcome.key_points == "Published points"
    assert outcome.status == OutcomeStatus.PUBLISHED
    assert list(outcome.actions.values_list("description", flat=True)) == ["Published action"]


def test_the_page_runs_the_same_queries_whatever_the_rows(
    client, outcome, django_assert_num_queries
):
    url = link(outcome)
    client.get(url)
    # The event, the outcome (with its session), its actions, its pledges.
    with django_assert_num_queries(4) as one:
        client.get(url)
    ActionFactory.create_batch(4, outcome=outcome)
    PledgeFactory.create_batch(4, outcome=outcome)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(url)


def test_outcomes_rows_survive_only_their_session(outcome):
    ActionFactory(outcome=outcome)
    outcome.session.delete()
    assert not SessionOutcome.objects.exists()
    assert not Action.objects.exists()


def test_the_links_tokens_are_kept_out_of_logs(outcome):
    token = make_facilitator_token(outcome)
    assert token not in redact(f"GET {link(outcome)} 404")
    lead_token = make_lead_token(PartnerLeadFactory())
    follow_up = reverse(
        "outcome_actions:update", kwargs={"event_slug": "x", "token": lead_token, "action_pk": 1}
    )
    assert lead_token not in redact(f"GET {follow_up} 404")


def test_saved_rows_offer_removal_and_blank_rows_do_not(client, outcome):
    ActionFactory(outcome=outcome)
    html = client.get(link(outcome)).content.decode()
    assert html.count("Remove this action") == 1
    assert 'name="actions-0-DELETE"' in html
    assert 'name="actions-1-DELETE"' not in html
    assert "Remove this pledge" not in html


def test_submitting_needs_key_points_but_saving_a_draft_does_not(client, outcome):
    response = client.post(link(outcome), posted(key_points="  ", actions=[ACTION], submit="1"))
    assert response.status_code == 200
    assert (
        'href="#id_outcome-key_points">Enter the key points before you submit for review'
        in response.content.decode()
    )
    outcome.refresh_from_db()
    assert outcome.status == OutcomeStatus.DRAFT
    assert not outcome.actions.exists()
    assert client.post(link(outcome), posted(key_points="", save="1")).status_code == 302
