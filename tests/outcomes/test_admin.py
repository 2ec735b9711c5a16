"""Outcomes in the console: organisers give a session's facilitator an email and send
their link (on the task queue), review and publish (only with "Can publish outcomes"),
take outcomes back, and follow up actions. Another event's outcomes are not found."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from breakouts.models import BreakoutSession
from outcomes.models import Action, OutcomeStatus, SessionOutcome
from tests.background import run_background_jobs
from tests.factories import (
    BreakoutSessionFactory,
    EventFactory,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
)
from tests.helpers import admin_url, staff_user
from tests.outcomes.factories import (
    ActionFactory,
    PledgeFactory,
    PublishedOutcomeFactory,
    SessionOutcomeFactory,
)

pytestmark = pytest.mark.django_db


def make_action():
    outcome = SessionOutcomeFactory(status=OutcomeStatus.SUBMITTED)
    PledgeFactory(outcome=outcome, organisation=OrganisationFactory())
    return ActionFactory(outcome=outcome, organisation=OrganisationFactory())


# For the console's accessibility walk (tests/browser/test_console_accessibility.py).
MAKERS = {SessionOutcome: make_action, Action: make_action}


def act(client, action, *outcomes):
    return client.post(
        admin_url(SessionOutcome, "changelist"),
        {"action": action, "_selected_action": [o.pk for o in outcomes]},
        follow=True,
    )


def test_the_organisers_group_may_publish(organiser):
    assert organiser.has_perm("outcomes.publish_sessionoutcome")
    assert organiser.has_perm("outcomes.change_action")


def test_an_organiser_publishes_submitted_outcomes(organiser_client, organiser):
    submitted = SessionOutcomeFactory(status=OutcomeStatus.SUBMITTED)
    draft = SessionOutcomeFactory()
    response = act(organiser_client, "publish_outcomes", submitted, draft)
    text = response.content.decode()
    assert "1 session: published." in text
    assert "The facilitator has not submitted these outcomes yet." in text
    submitted.refresh_from_db()
    draft.refresh_from_db()
    assert submitted.status == OutcomeStatus.PUBLISHED
    assert submitted.published_by == organiser
    assert submitted.published_at is not None
    assert draft.status == OutcomeStatus.DRAFT


def test_without_the_publish_permission_nothing_is_published(client):
    client.force_login(
        staff_user("view_sessionoutcome", "change_sessionoutcome", "add_sessionoutcome")
    )
    outcome = SessionOutcomeFactory(status=OutcomeStatus.SUBMITTED)
    page = client.get(admin_url(SessionOutcome, "changelist")).content.decode()
    assert "publish_outcomes" not in page
    assert "email_facilitator_links" in page
    act(client, "publish_outcomes", outcome)
    outcome.refresh_from_db()
    assert outcome.status == OutcomeStatus.SUBMITTED


def test_taking_outcomes_back_reopens_the_facilitators_link(organiser_client):
    outcome = PublishedOutcomeFactory()
    act(organiser_client, "unpublish_outcomes", outcome)
    outcome.refresh_from_db()
    assert (outcome.status, outcome.published_at) == (OutcomeStatus.SUBMITTED, None)


def test_an_organiser_adds_a_sessions_facilitator_email(organiser_client):
    session = BreakoutSessionFactory(facilitator="Dr Sam Lee")
    response = organiser_client.post(
        admin_url(SessionOutcome, "add"),
        {
            "session": session.pk,
            "facilitator_email": "sam.lee@example.org",
            "actions-TOTAL_FORMS": "0",
            "actions-INITIAL_FORMS": "0",
            "pledges-TOTAL_FORMS": "0",
            "pledges-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    outcome = SessionOutcome.objects.get()
    assert (outcome.session, outcome.facilitator_email) == (session, "sam.lee@example.org")
    change = organiser_client.get(admin_url(SessionOutcome, "change", outcome.pk))
    assert "Dr Sam Lee" in change.content.decode()
    assert "/outcomes/manage/" in change.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_facilitators_link_is_emailed_by_a_worker_and_opens_their_form():
    organiser = UserFactory(is_staff=True, is_superuser=True)
    event = EventFactory(name="Kent and Medway ICS symposium", slug="kent-medway")
    outcome = SessionOutcomeFactory(
        session=BreakoutSessionFactory(
            theme__event=event, theme__title="Prevention", facilitator="Dr Sam Lee"
        ),
        facilitator_email="sam.lee@example.org",
    )
    no_email = SessionOutcomeFactory(session__theme__event=event, facilitator_email="")
    client = Client()
    client.force_login(organiser)

    response = act(client, "email_facilitator_links", outcome, no_email)
    assert "give the facilitator&#x27;s email first" in response.content.decode()
    assert mail.outbox == []  # Nothing built or sent in the request.
    run_background_jobs()

    (message,) = mail.outbox
    assert message.to == ["sam.lee@example.org"]
    assert (
        message.subject == "Record the outcomes of your breakout at Kent and Medway ICS symposium"
    )
    assert message.body.startswith("Dear Dr Sam Lee,")
    (url,) = re.findall(r"https?://\S+/outcomes/manage/[^/\s]+/", message.body)
    assert f'href="{url}"' in message.alternatives[0][0]
    page = Client().get(urlsplit(url).path)
    assert page.status_code == 200
    assert "Outcomes of “Prevention”" in page.content.decode()
    outcome.refresh_from_db()
    assert outcome.link_sent_at is not None


def test_another_events_outcomes_are_not_found_by_a_team_member(client):
    ours, theirs = EventFactory(), EventFactory()
    user = staff_user(
        "view_sessionoutcome",
        "change_sessionoutcome",
        "publish_sessionoutcome",
        "change_action",
        "view_action",
    )
    user.event_teams.set([TeamFactory(events=[ours])])
    client.force_login(user)
    their_outcome = SessionOutcomeFactory(
        session__theme__event=theirs, status=OutcomeStatus.SUBMITTED
    )
    their_action = ActionFactory(outcome=their_outcome)
    assert client.get(admin_url(SessionOutcome, "change", their_outcome.pk)).status_code == 404
    assert client.get(admin_url(Action, "change", their_action.pk)).status_code == 404
    act(client, "publish_outcomes", their_outcome)
    their_outcome.refresh_from_db()
    assert their_outcome.status == OutcomeStatus.SUBMITTED


def test_the_changelists_run_the_same_queries_whatever_the_rows(
    organiser_client, django_assert_num_queries
):
    def outcomes(size):
        for _ in range(size):
            outcome = SessionOutcomeFactory(status=OutcomeStatus.SUBMITTED)
            ActionFactory.create_batch(2, outcome=outcome, organisation=OrganisationFactory())

    outcomes(1)
    for model in (SessionOutcome, Action):
        url = admin_url(model, "changelist")
        organiser_client.get(url)
        with CaptureQueriesContext(connection) as one:
            organiser_client.get(url)
        outcomes(3)
        with django_assert_num_queries(len(one.captured_queries)):
            response = organiser_client.get(url)
        assert response.status_code == 200
        assert "Action number" in response.content.decode() or model is SessionOutcome


def test_sessions_are_prepared_for_outcomes_from_the_sessions_list(organiser_client):
    sessions = BreakoutSessionFactory.create_batch(2)
    SessionOutcomeFactory(session=sessions[0])
    response = organiser_client.post(
        admin_url(BreakoutSession, "changelist"),
        {"action": "prepare_outcomes", "_selected_action": [s.pk for s in sessions]},
        follow=True,
    )
    assert "1 session prepared." in response.content.decode()
    assert SessionOutcome.objects.filter(session__in=sessions).count() == 2


def test_facilitators_emails_are_typed_in_the_outcomes_list(organiser_client):
    outcome = SessionOutcomeFactory(facilitator_email="")
    response = organiser_client.post(
        admin_url(SessionOutcome, "changelist"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": outcome.pk,
            "form-0-facilitator_email": "kim@example.org",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    outcome.refresh_from_db()
    assert outcome.facilitator_email == "kim@example.org"


def review_post(outcome, **extra):
    return {
        "facilitator_email": outcome.facilitator_email,
        "key_points": "Corrected points",
        "actions-TOTAL_FORMS": "0",
        "actions-INITIAL_FORMS": "0",
        "pledges-TOTAL_FORMS": "0",
        "pledges-INITIAL_FORMS": "0",
    } | extra


def test_an_organiser_corrects_and_publishes_from_the_review_page(organiser_client):
    outcome = SessionOutcomeFactory(status=OutcomeStatus.SUBMITTED)
    url = admin_url(SessionOutcome, "change", outcome.pk)
    assert 'name="_publish"' in organiser_client.get(url).content.decode()
    response = organiser_client.post(url, review_post(outcome, _publish="Save and publish"))
    assert response.status_code == 302
    outcome.refresh_from_db()
    assert (outcome.key_points, outcome.status) == ("Corrected points", OutcomeStatus.PUBLISHED)


def test_the_review_page_offers_no_publishing_without_the_permission(client):
    client.force_login(staff_user("view_sessionoutcome", "change_sessionoutcome"))
    outcome = SessionOutcomeFactory(status=OutcomeStatus.SUBMITTED)
    url = admin_url(SessionOutcome, "change", outcome.pk)
    assert 'name="_publish"' not in client.get(url).content.decode()
    response = client.post(url, review_post(outcome, _publish="Save and publish"))
    assert response.status_code == 403
    outcome.refresh_from_db()
    assert outcome.status == OutcomeStatus.SUBMITTED
    assert outcome.key_points != "Corrected points"  # The whole change rolled back.
