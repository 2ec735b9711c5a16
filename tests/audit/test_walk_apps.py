"""The walk of tests/audit/test_walk.py, continued for the apps built after it: the
feedback survey, breakout outcomes and the board report. Each service is walked through
the page or job that calls it, and the entry it wrote is checked."""

import pytest
from django.urls import reverse

from console.report import services as report_services
from feedback import services as feedback_services
from outcomes.models import Action, OutcomeStatus, SessionOutcome
from registration import privacy
from symposium import audit
from symposium.models import AuditEntry, BoardReport
from tests.audit.test_walk import walks
from tests.factories import (
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
    OrganisationFactory,
    PartnerLeadFactory,
    UserFactory,
)
from tests.feedback.factories import build_symposium
from tests.feedback.helpers import answers, invite, survey_url
from tests.helpers import admin_url
from tests.outcomes.factories import ActionFactory, PublishedOutcomeFactory, SessionOutcomeFactory
from tests.outcomes.test_facilitator import ACTION, link, posted
from tests.outcomes.test_follow_up import url as lead_action_url

pytestmark = pytest.mark.django_db


def logged(event, action):
    return AuditEntry.objects.filter(event=event, action=action).select_related("actor", "delegate")


@pytest.fixture
def organiser_in(client):
    organiser = UserFactory(is_staff=True, is_superuser=True, username="olivia")
    client.force_login(organiser)
    return organiser


# Feedback ------------------------------------------------------------------------------


@walks("feedback.services.send_survey", "feedback.services.send_due_surveys")
def test_sending_the_survey_logs_the_count_by_the_worker():
    world = build_symposium()
    due = feedback_services.due_at(world["event"])

    assert feedback_services.send_due_surveys(now=due) == 2

    [entry] = logged(world["event"], "feedback.survey_sent")
    assert (entry.actor, entry.via, entry.delegate) == (None, audit.Via.WORKER, None)
    assert entry.data == {"emails": 2, "first": True}
    assert entry.personal == {}
    # A second run with no one new writes nothing.
    feedback_services.send_due_surveys(now=due)
    assert logged(world["event"], "feedback.survey_sent").count() == 1


@walks("feedback.services.submit_response")
def test_a_named_answer_is_logged_with_the_delegate_an_anonymous_one_not_at_all(client):
    named = build_symposium()
    anonymous = build_symposium(anonymous=True, slug="anonymous")

    for world in (named, anonymous):
        page = client.post(survey_url(invite(world["survey"], world["sam"])), answers(world))
        assert page.status_code == 302

    [entry] = logged(named["event"], "feedback.answered")
    assert (entry.actor, entry.via, entry.delegate) == (None, audit.Via.PUBLIC, named["sam"])
    assert not AuditEntry.objects.filter(event=anonymous["event"]).exists()


# Outcomes ------------------------------------------------------------------------------


@walks("outcomes.services.record_outcome")
def test_the_facilitators_save_and_submit_are_logged(client):
    outcome = SessionOutcomeFactory()
    event = outcome.session.theme.event

    client.post(link(outcome), posted(actions=[ACTION]))
    client.post(link(outcome), posted(submit="Submit for review"))

    saved, submitted = logged(event, "outcomes.saved"), logged(event, "outcomes.submitted")
    assert [(e.actor, e.via, e.object_id) for e in saved] == [
        (None, audit.Via.PUBLIC, str(outcome.pk))
    ]
    assert saved[0].data == {
        "actions_saved": 1,
        "actions_deleted": 0,
        "pledges_saved": 0,
        "pledges_deleted": 0,
    }
    assert submitted.count() == 1
    outcome.refresh_from_db()
    assert outcome.status == OutcomeStatus.SUBMITTED


def act(client, model, action, *rows):
    return client.post(
        admin_url(model, "changelist"),
        {"action": action, "_selected_action": [row.pk for row in rows]},
    )


@walks(
    "outcomes.services.publish",
    "outcomes.services.unpublish",
    "outcomes.services.email_facilitator_link",
    "outcomes.services.revoke_facilitator_link",
)
def test_the_organisers_outcome_actions_are_logged_as_theirs(client, organiser_in):
    outcome = SessionOutcomeFactory(
        status=OutcomeStatus.SUBMITTED, facilitator_email="sam.lee@example.org"
    )
    event = outcome.session.theme.event

    for action in (
        "email_facilitator_links",
        "revoke_facilitator_links",
        "publish_outcomes",
        "unpublish_outcomes",
    ):
        act(client, SessionOutcome, action, outcome)

    found = {
        entry.action: entry
        for entry in AuditEntry.objects.filter(event=event).select_related("actor")
    }
    assert set(found) == {
        "outcomes.link_emailed",
        "outcomes.link_revoked",
        "outcomes.published",
        "outcomes.unpublished",
    }
    assert {(e.actor, e.via, e.object_id) for e in found.values()} == {
        (organiser_in, audit.Via.ADMIN, str(outcome.pk))
    }
    # The facilitator's address is personal data: purged with the event.
    assert found["outcomes.link_emailed"].personal == {"to": "sam.lee@example.org"}
    assert found["outcomes.link_emailed"].data == {}


@walks("outcomes.services.outcomes_for_sessions")
def test_preparing_sessions_for_outcomes_logs_each_record_made(client, organiser_in):
    from breakouts.models import BreakoutSession

    sessions = BreakoutSessionFactory.create_batch(2)
    SessionOutcomeFactory(session=sessions[0])

    act(client, BreakoutSession, "prepare_outcomes", *sessions)

    [entry] = AuditEntry.objects.filter(action="outcomes.records_made").select_related("actor")
    made = SessionOutcome.objects.get(session=sessions[1])
    assert (entry.event_id, entry.actor, entry.via, entry.object_id) == (
        sessions[1].theme.event_id,
        organiser_in,
        audit.Via.ADMIN,
        str(made.pk),
    )


@walks("outcomes.services.follow_up_action")
def test_a_leads_update_of_an_action_is_logged_through_their_link(client):
    event = EventFactory(slug="kent-medway")
    outcome = PublishedOutcomeFactory(session=BreakoutSessionFactory(theme__event=event))
    medway = OrganisationFactory(name="Medway Council")
    action = ActionFactory(outcome=outcome, organisation=medway)
    lead = PartnerLeadFactory(organisation=medway, events=[event])

    page = client.post(lead_action_url(lead, event, action), {"status": "done"})

    assert page.status_code == 302
    [entry] = logged(event, "outcomes.action_updated")
    assert (entry.actor, entry.via, entry.object_id) == (None, audit.Via.LEAD, str(action.pk))
    assert entry.data["status"] == "done"
    assert entry.data["lead_id"] == lead.pk


@walks("outcomes.services.email_follow_up_links")
def test_emailing_follow_up_links_logs_each_leads_link(client, organiser_in):
    event = EventFactory()
    outcome = PublishedOutcomeFactory(session=BreakoutSessionFactory(theme__event=event))
    action = ActionFactory(outcome=outcome, organisation=OrganisationFactory())
    lead = PartnerLeadFactory(organisation=action.organisation, events=[event])

    act(client, Action, "email_follow_up_links", action)

    [entry] = logged(event, "lead.link_sent")
    assert (entry.actor, entry.via) == (organiser_in, audit.Via.ADMIN)
    assert entry.data["lead_id"] == lead.pk
    assert entry.personal == {"details": f"actions follow-up, to {lead.email}"}


# The board report ----------------------------------------------------------------------


@walks("console.report.services.request_report", "console.report.services.prepare_report")
def test_asking_for_the_report_is_the_organisers_and_preparing_it_the_workers(
    client, organiser_in, django_capture_on_commit_callbacks
):
    event = build_symposium()["event"]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:report", args=[event.slug]))
    report = BoardReport.objects.get(event=event)
    if report.status != BoardReport.Status.DONE:  # queued: run it as the worker would
        report_services.prepare_report(report_id=report.pk)

    report.refresh_from_db()
    assert report.status == BoardReport.Status.DONE
    [asked] = logged(event, "report.requested")
    [prepared] = logged(event, "report.prepared")
    assert (asked.actor, asked.via, asked.object_id) == (
        organiser_in,
        audit.Via.STAFF,
        str(report.pk),
    )
    assert (prepared.actor, prepared.via, prepared.object_id) == (
        None,
        audit.Via.WORKER,
        str(report.pk),
    )


@walks("console.report.services.pick_quotes")
def test_picking_quotes_is_logged_with_counts_only(client, organiser_in):
    world = build_symposium()
    named = feedback_services.submit_response(
        invitation=invite(world["survey"], world["sam"]),
        answers=feedback_services.Answers(
            overall=4, comments="Loved it", do_differently="", ratings=[]
        ),
    )

    client.post(
        reverse("staff:report-quotes", args=[world["event"].slug]),
        {"comments_quoted": [str(named.pk)]},
    )

    [entry] = logged(world["event"], "report.quotes_picked")
    assert (entry.actor, entry.via) == (organiser_in, audit.Via.STAFF)
    assert entry.data == {"shown": 1, "comments_quoted": 1, "do_differently_quoted": 0}
    assert "Loved it" not in repr((entry.data, entry.personal, entry.object_repr))


@walks("console.report.services.forget_erased_quotes")
def test_an_erased_delegates_quotes_leave_the_reports_and_it_is_logged():
    world = build_symposium()
    # Quotes are printed from five responses: Sam's and four others'.
    others = DelegateFactory.create_batch(4, event=world["event"])
    for n, delegate in enumerate([world["sam"], *others]):
        response = feedback_services.submit_response(
            invitation=invite(world["survey"], delegate),
            answers=feedback_services.Answers(
                overall=4, comments=f"Loved it {n}", do_differently="", ratings=[]
            ),
        )
        response.comments_quoted = True
        response.save()
    report = BoardReport.objects.create(event=world["event"])
    report_services.prepare_report(report_id=report.pk)
    report.refresh_from_db()
    assert "Loved it 0" in report.figures["feedback"]["quotes"]["comments"]

    privacy.erase_registration(delegate=world["sam"])

    [entry] = logged(world["event"], "report.quotes_forgotten")
    assert entry.data == {"reports": 1}


@walks("console.report.services.freeze_and_purge_feedback")
def test_the_purge_logs_the_frozen_report_and_the_feedback_deleted():
    world = build_symposium()
    feedback_services.submit_response(
        invitation=invite(world["survey"], world["sam"]),
        answers=feedback_services.Answers(overall=4, comments="", do_differently="", ratings=[]),
    )

    privacy.purge_event(event=world["event"])

    [entry] = logged(world["event"], "report.frozen")
    frozen = BoardReport.objects.get(event=world["event"], frozen=True)
    assert (entry.via, entry.object_id) == (audit.Via.WORKER, str(frozen.pk))
    assert entry.data["rows_deleted"] >= 2  # the response (and its ratings), the link
