"""Every service that changes what an event holds writes the event's audit log: each is
walked here, through the page or job that calls it, and the entry it wrote is checked
(action, who, through what, about whom). `test_every_state_changing_service_is_walked`
then lists the public functions of the services modules and fails on one that is
neither walked here nor declared below as a read or as a part of a walked action: a new
action cannot go unlogged unnoticed."""

import datetime as dt
import importlib
import inspect
import json

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from breakouts import allocation_services
from breakouts.enums import ChoiceStatus
from breakouts.models import AllocationRun
from checkin import services as checkin_services
from checkin.models import CheckIn
from console import services as console_services
from console.exports import services as export_services
from console.exports.attendees import AttendeeFilters
from mailings import services as mailing_services
from partners import services as partner_services
from partners.models import SeatQuota
from registration import privacy
from registration import services as registration_services
from symposium import audit
from symposium.enums import RegistrationStatus
from symposium.models import AuditEntry, Delegate
from tests.audit.factories import entries, only_entry
from tests.checkin.helpers import desk_url, scan, send_scans
from tests.console.test_go_live import ready  # noqa: F401 - a fixture
from tests.factories import (
    AffiliationFactory,
    BreakoutChoiceFactory,
    BreakoutPreferenceFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
    OrganisationFactory,
    PartnerLeadFactory,
    RankedEventFactory,
    RoomFactory,
    ThemeFactory,
    UserFactory,
)
from tests.helpers import admin_url, manage_url, staff_user
from tests.mailings.conftest import make_mailing
from tests.partners.test_leads import lead_url

pytestmark = pytest.mark.django_db

SERVICE_MODULES = [
    "registration.services",
    "registration.privacy",
    "registration.partner_leads",
    "breakouts.services",
    "breakouts.allocation_services",
    "checkin.services",
    "mailings.services",
    "console.services",
    "console.exports.services",
    "partners.services",
    "symposium.exports.services",
    "mailings.invitations",
    "partners.invitations",
    # Walked in tests/audit/test_walk_apps.py.
    "questions.services",
    "feedback.services",
    "outcomes.services",
    "console.report.services",
]

WALKED: set[str] = set()


def walks(*names):
    """Marks a test as the walk of these services ("module.function")."""
    WALKED.update(names)
    return lambda test: test


# Reads: they change nothing.
READ_ONLY = {
    "registration.services.registration_window",
    "registration.services.window_changes_at",
    "registration.services.event_is_full",
    "registration.privacy.anonymous_email",
    "registration.privacy.delegate_data",
    "registration.privacy.purge_due_on",
    "registration.privacy.events_due_for_purge",
    "breakouts.services.with_waitlist_positions",
    "breakouts.services.delegate_choices",
    "breakouts.services.places_taken",
    "breakouts.services.first_choices_statements",  # SQL for the registration to send
    "breakouts.services.check_first_choices",
    "breakouts.allocation_services.mix_rules",
    "breakouts.allocation_services.rules_words",
    "breakouts.allocation_services.people",
    "breakouts.allocation_services.breach_text",
    "breakouts.allocation_services.changes_since",
    "breakouts.allocation_services.allocation_lines",
    "checkin.services.earliest_scan",
    "mailings.services.values_for",
    "mailings.services.render",
    "mailings.services.build",
    "mailings.services.preview",
    "mailings.services.due_mailings",
    "console.services.deletion_refusal",
    "console.services.event_deletion",
    "console.services.next_theme_numbers",
    "partners.services.find_organisation",
    "partners.services.unmatched_delegates",
    "partners.services.quota_leads",
    "symposium.exports.services.export_basename",
    "mailings.invitations.audience",
    "mailings.invitations.render",
    "mailings.invitations.build",
    "mailings.invitations.status_counts",
    "partners.invitations.new_code",
    "partners.invitations.normalise_code",
    "partners.invitations.find_invitation",
    "partners.invitations.refusal",
    "partners.invitations.preview_import",
    "questions.services.number_text",
    "questions.services.event_questions",
    "questions.services.stored_answers",
    "questions.services.answer_text",
    "questions.services.kind_text",
    "questions.services.desk_answers",
    "questions.services.given_text",
    "questions.services.answer_words",
    "questions.services.delegates_who_answered",
    "feedback.services.default_closes_on",
    "feedback.services.due_at",
    "feedback.services.survey_url",
    "feedback.services.render_email",
    "feedback.services.build_email",
    "feedback.services.due_surveys",
    "feedback.services.is_closed",
    "feedback.services.delegate_data",
    "console.report.services.current_report",
}

# Changes that are logged by the action they are part of (walked), or that belong to no
# event's log, each with why.
NOT_THEIR_OWN = {
    "registration.services.fill_breakout_session": "breakouts.promoted, by _promote",
    "breakouts.services.lock_sessions": "locks only",
    "breakouts.services.set_breakout_choices": "registration.registered/changed/cancelled",
    "breakouts.services.release_breakout_choices": "registration.cancelled",
    "breakouts.services.claim_held_choices": "registration.promoted",
    "breakouts.allocation_services.set_preferences": "registration.registered/changed",
    "breakouts.allocation_services.place_by_preference": "registration.registered",
    "breakouts.allocation_services.compute_preview": "allocation.previewed (start_preview)",
    "breakouts.allocation_services.preview_allocation": "allocation.previewed; no place",
    "mailings.services.send_now": "sends what mailing.* queued",
    "mailings.services.send": "mailing.email_queued, by queue_batch",
    "mailings.services.run_scheduler": "mailing.started and mailing.email_queued",
    "mailings.services.ensure_automatic_mailings": "follows the event's change (admin.*)",
    "mailings.services.reschedule_automatic": "follows the event's change (admin.*)",
    "mailings.services.purge_recipients": "event.purged",
    "console.services.delete_event": "the event's log goes with the event",
    "console.exports.services.queue_prepared_export": "export.downloaded",
    "console.exports.services.retry_prepared_export": "export.downloaded, once",
    "partners.services.affiliate": "registration.registered / the directory's",
    "partners.services.match_registration": "registration.registered",
    "partners.services.record_affiliation": "registration.registered/changed",
    "partners.services.add_organisation": "the partner directory: no event's",
    "partners.services.match_name": "the partner directory: no event's",
    "partners.services.merge_organisations": "the partner directory: no event's",
    "partners.services.import_directory": "the partner directory: no event's",
    "registration.privacy.forget_in_admin_history": "part of delete_event",
    "registration.privacy.purge_due_events": "event.purged, by purge_event",
    "mailings.invitations.send_run": "invitations.emails_queued, by queue_batch",
    "partners.invitations.use": "registration.registered (an invitation's)",
    "partners.invitations.purge_personal_invitations": "event.purged",
    "partners.invitations.give_back": "registration.cancelled (its invitation's use back)",
    "questions.services.save_answers": "registration.registered/changed",
    "questions.services.delete_sensitive_answers": "registration.cancelled/substituted",
    "questions.services.copy_questions": "event.copied",
    "feedback.services.ensure_survey": "follows the event's change (admin.*)",
    "feedback.services.keep_in_step": "follows the event's change (admin.*)",
    "feedback.services.forget_delegate": "registration.erased",
    "outcomes.services.forget_facilitators": "event.purged",
}


# Registrations -------------------------------------------------------------------------


def form_data(event, **fields):
    return {
        "first_name": "Priya",
        "last_name": "Patel",
        "email": "priya.patel@nhs.net",
        "organisation": "Kent and Medway ICB",
        "sector": "nhs",
        "job_title": "Lead",
        "privacy_consent": "on",
        **fields,
    }


@walks("registration.services.register_delegate")
def test_a_public_registration_is_logged_as_the_delegates_own(client, post):
    event = EventFactory()

    response = post(reverse("registration:register", args=[event.slug]), form_data(event))

    assert response.status_code == 302
    delegate = Delegate.objects.get()
    entry = only_entry(event)
    assert (entry.action, entry.actor, entry.via, entry.delegate) == (
        "registration.registered",
        None,
        audit.Via.PUBLIC,
        delegate,
    )
    assert entry.data == {"status": RegistrationStatus.CONFIRMED, "source": "public"}


def test_a_registration_added_by_an_organiser_names_them():
    event = EventFactory()
    organiser = UserFactory(is_staff=True, username="olivia")

    with audit.acting(via=audit.Via.ADMIN):
        registration_services.register_delegate(
            event=event,
            added_by=organiser,
            first_name="Sam",
            last_name="Smith",
            email="sam@example.org",
            organisation="Kent Police",
            sector="police",
        )

    entry = only_entry(event)
    assert (entry.actor, entry.actor_name, entry.via) == (organiser, "olivia", "admin")


@walks("registration.services.update_registration")
def test_a_change_on_the_manage_page_is_logged(post):
    delegate = DelegateFactory(job_title="Nurse")
    data = {
        "first_name": delegate.first_name,
        "last_name": delegate.last_name,
        "email": delegate.email,
        "organisation": delegate.organisation,
        "sector": delegate.sector,
        "job_title": "Ward manager",
    }

    response = post(manage_url(delegate), data)

    assert response.status_code == 302, response.content.decode()[:500]
    entry = only_entry(delegate.event)
    assert (entry.action, entry.via, entry.delegate) == ("registration.changed", "public", delegate)
    assert entry.data["details_changed"] is True


@walks(
    "registration.services.cancel_registration",
    "registration.services.promote_from_event_waitlist",
)
def test_a_cancellation_and_the_promotion_it_makes_are_logged(post):
    event = EventFactory(delegate_capacity=1)
    leaving = DelegateFactory(event=event)
    waiting = DelegateFactory(event=event, status=RegistrationStatus.WAITLISTED)

    response = post(reverse("registration:cancel", args=[event.slug, _token(leaving)]))

    assert response.status_code == 302
    cancelled, promoted = entries(event)
    assert (cancelled.action, cancelled.delegate, cancelled.via) == (
        "registration.cancelled",
        leaving,
        "public",
    )
    assert (promoted.action, promoted.delegate) == ("registration.promoted", waiting)


def test_promotions_after_a_raised_capacity_are_one_insert(django_assert_num_queries):
    event = EventFactory(delegate_capacity=3)
    waiting = [DelegateFactory(event=event, status=RegistrationStatus.WAITLISTED) for _ in "abc"]

    registration_services.promote_from_event_waitlist(event=event)

    assert [e.delegate for e in entries(event)] == list(reversed(waiting))
    assert {e.action for e in entries(event)} == {"registration.promoted"}
    assert {e.via for e in entries(event)} == {audit.Via.WORKER}


def _token(delegate):
    from symposium.tokens import make_manage_token

    return make_manage_token(delegate)


@walks(
    "registration.services.send_manage_link",
    "registration.services.email_manage_link",
)
def test_a_manage_link_emailed_again_is_logged(post):
    delegate = DelegateFactory()

    post(reverse("registration:resend-link", args=[delegate.event.slug]), {"email": delegate.email})

    entry = only_entry(delegate.event)
    assert (entry.action, entry.delegate, entry.via) == (
        "registration.manage_link_emailed",
        delegate,
        "public",
    )


@walks("registration.services.release_quotas", "partners.services.warn_quota_releases")
def test_a_quota_warned_then_released_is_logged():
    event = EventFactory(delegate_capacity=1)
    organisation = OrganisationFactory(name="Medway Council")
    PartnerLeadFactory(organisation=organisation, events=[event])
    quota = SeatQuota.objects.create(
        event=event,
        organisation=organisation,
        seats=1,
        release_at=timezone.now() + dt.timedelta(days=1),
    )
    waiting = DelegateFactory(event=event, status=RegistrationStatus.WAITLISTED)

    partner_services.warn_quota_releases()
    registration_services.release_quotas(now=timezone.now() + dt.timedelta(days=2))

    warned, released, promoted = reversed(entries(event))
    assert (warned.action, warned.object_id) == ("quota.warned", str(quota.pk))
    assert (released.action, released.object_id) == ("quota.released", str(quota.pk))
    assert (promoted.action, promoted.delegate) == ("registration.promoted", waiting)
    assert {warned.via, released.via} == {audit.Via.WORKER}


@walks(
    "registration.services.substitute_delegate", "registration.partner_leads.substitute_for_lead"
)
def test_a_leads_substitution_is_logged_as_the_leads(post):
    event = EventFactory()
    organisation = OrganisationFactory(name="Medway Council")
    lead = PartnerLeadFactory(organisation=organisation, events=[event])
    ann = DelegateFactory(event=event, organisation="Medway Council")
    AffiliationFactory(delegate=ann, organisation=organisation)

    response = post(
        lead_url(lead, event, "partner-substitute", ann),
        {
            "first_name": "Dee",
            "last_name": "Dlamini",
            "email": "dee@example.org",
            "job_title": "Officer",
        },
    )

    assert response.status_code == 302, response.content.decode()[:500]
    colleague = Delegate.objects.get(email="dee@example.org")
    actions = {(e.action, e.delegate_id, e.via) for e in entries(event)}
    assert actions == {
        ("registration.substituted", ann.pk, "lead"),
        ("registration.registered", colleague.pk, "lead"),
        ("lead.substituted", ann.pk, "lead"),
    }
    lead_entry = entries(event).get(action="lead.substituted")
    assert lead_entry.data == {"lead_id": lead.pk, "colleague_id": colleague.pk}
    assert "Dee Dlamini" in lead_entry.personal["details"]


@walks("registration.partner_leads.cancel_for_lead", "partners.services.record_lead_action")
def test_a_leads_cancellation_is_logged(post):
    event = EventFactory()
    organisation = OrganisationFactory(name="Medway Council")
    lead = PartnerLeadFactory(organisation=organisation, events=[event])
    ann = DelegateFactory(event=event, organisation="Medway Council")
    AffiliationFactory(delegate=ann, organisation=organisation)

    response = post(lead_url(lead, event, "partner-cancel", ann))

    assert response.status_code == 302
    assert {(e.action, e.delegate_id, e.via, e.actor) for e in entries(event)} == {
        ("registration.cancelled", ann.pk, "lead", None),
        ("lead.cancelled", ann.pk, "lead", None),
    }


@walks("partners.services.email_lead_links", "partners.services.revoke_lead_links")
def test_an_organisers_link_emails_and_revocations_are_logged():
    event = EventFactory()
    lead = PartnerLeadFactory(organisation=OrganisationFactory(), events=[event])
    organiser = UserFactory(is_staff=True)

    with audit.acting(via=audit.Via.ADMIN, actor=organiser):
        partner_services.email_lead_links(lead=lead, done_by=organiser)
        partner_services.revoke_lead_links(lead=lead, done_by=organiser)

    revoked, sent = entries(event)
    assert (sent.action, sent.actor, sent.data["lead_id"]) == ("lead.link_sent", organiser, lead.pk)
    assert (revoked.action, revoked.actor) == ("lead.links_revoked", organiser)


@walks(
    "partners.invitations.create_invitation",
    "partners.invitations.import_invitations",
    "partners.invitations.decline",
)
def test_invitations_created_imported_and_declined_are_logged(post):
    from partners import invitations
    from partners.models import PersonalInvitation

    event = EventFactory()
    organiser = UserFactory(is_staff=True)
    rows = [
        invitations.ImportRow(
            line=2, name="Ann Smith", email="ann@example.org", organisation_name=""
        )
    ]

    with audit.acting(via=audit.Via.ADMIN, actor=organiser):
        invitations.create_invitation(event=event, max_uses=5, tag="members")
        invitations.import_invitations(event=event, rows=rows, tag="members")
    personal = PersonalInvitation.objects.get()
    invitations.decline(personal=personal)
    invitations.decline(personal=personal)  # declined already: nothing done

    declined, imported, created = entries(event)
    assert (created.action, created.actor, created.data) == (
        "invitation.created",
        organiser,
        {"max_uses": 5, "tag": "members"},
    )
    assert (imported.action, imported.data) == (
        "invitations.imported",
        {"rows": 1, "tag": "members"},
    )
    assert declined.action == "invitation.declined"
    assert "Ann" not in json.dumps(imported.data) + json.dumps(declined.data)


@walks("mailings.invitations.start_run", "mailings.invitations.queue_batch")
def test_personal_invitation_emails_sent_are_logged(organiser_client, organiser):
    from mailings import invitations as invitation_emails
    from mailings.enums import InvitationEmailKind
    from tests.factories import PersonalInvitationFactory

    event = EventFactory()
    PersonalInvitationFactory(event=event)
    PersonalInvitationFactory(event=event)

    with audit.acting(via=audit.Via.ADMIN):
        run = invitation_emails.start_run(
            event=event, kind=InvitationEmailKind.INVITATION, requested_by=organiser
        )
    invitation_emails.send_run(run_pk=run.pk)

    queued, started = entries(event)
    assert (started.action, started.actor, started.data["invitees"]) == (
        "invitations.run_started",
        organiser,
        2,
    )
    assert (queued.action, queued.via, queued.data["queued"]) == (
        "invitations.emails_queued",
        "worker",
        2,
    )


# Breakouts and their allocation ------------------------------------------------------------


@walks("breakouts.services.promote_from_session_waitlist")
def test_a_breakout_place_given_from_its_queue_is_logged():
    session = BreakoutSessionFactory(capacity=1)
    event = session.theme.event
    held = BreakoutChoiceFactory(session=session, delegate=DelegateFactory(event=event))
    queued = BreakoutChoiceFactory(
        session=session, delegate=DelegateFactory(event=event), status=ChoiceStatus.WAITLISTED
    )
    held.delete()

    registration_services.fill_breakout_session(session=session)

    entry = only_entry(event)
    assert (entry.action, entry.delegate_id) == ("breakouts.promoted", queued.delegate_id)
    assert entry.data == {"choice_id": queued.pk, "session_id": session.pk, "swap": False}


@walks("breakouts.allocation_services.move_delegate")
def test_a_delegate_moved_in_the_admin_is_logged():
    breakout_round = BreakoutRoundFactory()
    event = breakout_round.event
    first, second = (
        BreakoutSessionFactory(theme=ThemeFactory(event=event), agenda_item=breakout_round)
        for _ in "ab"
    )
    choice = BreakoutChoiceFactory(session=first, delegate=DelegateFactory(event=event))
    organiser = UserFactory(is_staff=True)

    with audit.acting(via=audit.Via.ADMIN, actor=organiser):
        allocation_services.move_delegate(choice=choice, session=second)

    entry = only_entry(event)
    assert (entry.action, entry.actor, entry.delegate_id) == (
        "breakouts.moved",
        organiser,
        choice.delegate_id,
    )
    assert entry.data["to_session_id"] == second.pk


@walks(
    "breakouts.allocation_services.start_preview",
    "breakouts.allocation_services.confirm_allocation",
    "breakouts.services.give_places",
)
def test_an_allocation_previewed_then_confirmed_in_the_admin_is_logged(client, organiser):
    event = RankedEventFactory()
    session = BreakoutSessionFactory(
        theme=ThemeFactory(event=event), agenda_item=BreakoutRoundFactory(event=event)
    )
    delegates = [DelegateFactory(event=event) for _ in "ab"]
    for delegate in delegates:
        BreakoutPreferenceFactory(delegate=delegate, session=session, rank=1)
    client.force_login(organiser)
    run = AllocationRun.objects.create(event=event)
    with audit.acting(via=audit.Via.ADMIN, actor=organiser):
        allocation_services.start_preview(run=run)
    allocation_services.preview_allocation(run=run)

    response = client.post(reverse("admin:breakouts_allocationrun_confirm", args=[run.pk]))

    assert response.status_code == 302
    confirmed = entries(event).get(action="allocation.confirmed")
    assert (confirmed.actor, confirmed.via, confirmed.data["places"]) == (organiser, "admin", 2)
    given = entries(event).filter(action="breakouts.places_given")
    assert {e.delegate_id for e in given} == {d.pk for d in delegates}
    assert entries(event).filter(action="allocation.previewed").count() == 1


# The desk ----------------------------------------------------------------------------------


@walks("checkin.services.check_in", "checkin.services.undo_check_in")
def test_a_check_in_and_its_undo_at_the_desk_are_logged(client):
    desk = staff_user(groups=["Event staff"])
    client.force_login(desk)
    delegate = DelegateFactory()

    [result] = send_scans(client, delegate.event, scan(delegate, desk="Desk 2")).json()["results"]
    client.post(
        desk_url(delegate.event, "undo"),
        json.dumps({"nonce": result["undo_nonce"]}),
        "application/json",
    )

    undone, checked_in = entries(delegate.event)
    check_in = CheckIn.objects.get()
    assert (checked_in.action, checked_in.actor, checked_in.via, checked_in.delegate) == (
        "checkin.checked_in",
        desk,
        "desk",
        delegate,
    )
    assert checked_in.data == {"check_in_id": check_in.pk, "desk": "Desk 2", "sent_offline": False}
    assert (undone.action, undone.actor, undone.via) == ("checkin.undone", desk, "desk")


@walks("checkin.services.register_walk_in")
def test_a_walk_in_is_logged_with_its_registration_and_check_in():
    event = EventFactory()
    desk = UserFactory(is_staff=True)

    with audit.acting(via=audit.Via.DESK, actor=desk):
        outcome = checkin_services.register_walk_in(
            event=event,
            first_name="Wal",
            last_name="Kin",
            email="walk@example.org",
            organisation="Kent Police",
            sector="police",
            by=desk,
        )

    assert [(e.action, e.actor, e.delegate) for e in reversed(entries(event))] == [
        ("registration.registered", desk, outcome.delegate),
        ("checkin.walk_in", desk, outcome.delegate),
        ("checkin.checked_in", desk, outcome.delegate),
    ]


# Emails ----------------------------------------------------------------------------------


@walks(
    "mailings.services.send_test",
    "mailings.services.schedule",
    "mailings.services.unschedule",
    "mailings.services.start",
    "mailings.services.queue_batch",
)
def test_a_mailing_tested_scheduled_and_sent_is_logged_per_email():
    event = EventFactory()
    ana, ben = (DelegateFactory(event=event) for _ in "ab")
    mailing = make_mailing(event, subject="Parking")
    organiser = UserFactory(is_staff=True)

    with audit.acting(via=audit.Via.ADMIN, actor=organiser):
        mailing_services.send_test(mailing=mailing, delegate=ana, to="olivia@example.org")
        mailing_services.schedule(mailing=mailing, send_at=timezone.now() + dt.timedelta(days=1))
        mailing_services.unschedule(mailing=mailing)
        mailing_services.schedule(mailing=mailing, send_at=timezone.now())
    mailing_services.start(mailing_pk=mailing.pk)
    mailing_services.queue_batch(mailing_pk=mailing.pk)
    mailing_services.queue_batch(mailing_pk=mailing.pk)

    staff_actions = [
        (e.action, e.actor) for e in reversed(entries(event)) if e.via == audit.Via.ADMIN
    ]
    assert staff_actions == [
        ("mailing.test_sent", organiser),
        ("mailing.scheduled", organiser),
        ("mailing.unscheduled", organiser),
        ("mailing.scheduled", organiser),
    ]
    test_sent = entries(event).get(action="mailing.test_sent")
    assert test_sent.personal == {"to": "olivia@example.org"}
    queued = entries(event).filter(action="mailing.email_queued")
    assert {e.delegate for e in queued} == {ana, ben}
    assert {e.data["subject"] for e in queued} == {"Parking"}
    assert entries(event).filter(action="mailing.started").get().data == {"recipients": 2}
    assert entries(event).filter(action="mailing.finished").count() == 1


@walks("mailings.services.queue_late_joiners")
def test_joining_instructions_queued_for_a_late_joiner_are_logged():
    from mailings.enums import MailingStatus

    event = EventFactory()
    mailing = make_mailing(event, status=MailingStatus.SENT)
    late = DelegateFactory(event=event)

    assert mailing_services.queue_late_joiners(mailing_pk=mailing.pk) == 1

    entry = only_entry(event)
    assert (entry.action, entry.delegate) == ("mailing.email_queued", late)


# Exports ---------------------------------------------------------------------------------


@walks(
    "console.exports.services.request_attendee_export",
    "symposium.exports.services.record_export",
)
def test_an_attendee_list_downloaded_is_logged(client, organiser):
    event = DelegateFactory().event
    client.force_login(organiser)

    with audit.acting(via=audit.Via.STAFF, actor=organiser):
        export_services.request_attendee_export(
            event=event, filters=AttendeeFilters(), file_format="csv", exported_by=organiser
        )

    entry = only_entry(event)
    assert (entry.action, entry.actor, entry.via) == ("export.downloaded", organiser, "staff")
    assert (entry.data["format"], entry.data["rows"]) == ("csv", 1)


@walks(
    "console.exports.services.start_attendee_export",
    "console.exports.services.start_selection_export",
)
def test_the_other_attendee_exports_are_logged():
    event = DelegateFactory().event
    organiser = UserFactory(is_staff=True)

    export_services.start_attendee_export(
        event=event, filters=AttendeeFilters(), file_format="xlsx", exported_by=organiser
    )
    export_services.start_selection_export(
        event=event,
        delegates=Delegate.objects.filter(event=event),
        file_format="csv",
        filters={},
        exported_by=organiser,
    )

    assert [(e.action, e.actor, e.data["rows"]) for e in entries(event)] == [
        ("export.downloaded", organiser, 1),
        ("export.downloaded", organiser, 1),
    ]


def test_an_export_by_command_is_logged_as_the_commands(tmp_path):
    from django.core.management import call_command

    event = DelegateFactory().event

    call_command("export_attendees", event.slug, "--output", str(tmp_path / "list.csv"))

    entry = only_entry(event)
    assert (entry.action, entry.actor, entry.via) == ("export.downloaded", None, "command")


# The event -----------------------------------------------------------------------------


@walks("console.services.publish_event", "console.services.unpublish_event")
def test_publishing_and_unpublishing_are_logged(ready):  # noqa: F811 - the fixture
    event = ready["event"]
    organiser = UserFactory(is_staff=True)

    with audit.acting(via=audit.Via.ADMIN, actor=organiser):
        console_services.publish_event(event=event)
        console_services.publish_event(event=event)  # published already: nothing done
        console_services.unpublish_event(event=event)

    assert [(e.action, e.actor) for e in reversed(entries(event))] == [
        ("event.published", organiser),
        ("event.unpublished", organiser),
    ]


@walks("console.services.copy_event")
def test_a_copied_event_starts_its_log_with_the_copy():
    event = EventFactory()

    copy = console_services.copy_event(
        event=event,
        name="Next year",
        slug="next-year",
        starts_on=event.starts_on.replace(year=2030),
    )

    entry = only_entry(copy)
    assert (entry.action, entry.data) == ("event.copied", {"from_event_id": event.pk})
    assert not entries(event).exists()


@walks("console.services.move_delegates")
def test_delegates_moved_into_a_session_are_logged_in_one_insert():
    session = BreakoutSessionFactory(capacity=5)
    event = session.theme.event
    delegates = [DelegateFactory(event=event) for _ in "ab"]

    console_services.move_delegates(delegates=delegates, session=session)

    moved = entries(event).filter(action="event.delegates_moved")
    assert {e.delegate for e in moved} == set(delegates)


@walks("console.services.save_session_grid")
def test_a_session_grid_saved_is_logged_with_its_counts():
    event = EventFactory()
    breakout_round = BreakoutRoundFactory(event=event)
    rows = [
        console_services.GridRow(
            theme=None,
            number=1,
            title="Prevention",
            cells=[
                console_services.GridCell(
                    agenda_item=breakout_round,
                    session=None,
                    capacity=20,
                    room=RoomFactory(event=event),
                    facilitator="",
                )
            ],
        )
    ]

    console_services.save_session_grid(event=event, rows=rows)

    assert only_entry(event).data == {"themes": 1, "sessions": 1}


# Personal data ---------------------------------------------------------------------------


@walks("registration.privacy.erase_registration")
def test_an_erasure_is_logged_and_the_log_forgets_the_delegate(post):
    delegate = DelegateFactory(first_name="Erin", last_name="Erased")
    event = delegate.event
    with audit.acting(via=audit.Via.PUBLIC):
        audit.log_action(
            event=event, action="registration.changed", obj=delegate, data={"name": "Erin"}
        )

    response = post(reverse("registration:delete", args=[event.slug, _token(delegate)]))

    assert response.status_code in (200, 302)
    assert not Delegate.objects.filter(pk=delegate.pk).exists()
    assert {e.action for e in entries(event)} == {
        "registration.changed",
        "registration.cancelled",
        "registration.erased",
    }
    for entry in entries(event):
        assert entry.delegate_id is None
        assert entry.personal == {}
        assert "Erin" not in entry.object_repr + json.dumps(entry.data)


@walks("registration.privacy.purge_event")
def test_a_purge_is_logged_and_scrubs_names_and_addresses_keeping_what_was_done():
    delegate = DelegateFactory(first_name="Pat", last_name="Purged", email="pat@example.org")
    event = delegate.event
    registration_services.cancel_registration(delegate=delegate)
    audit.log_action(event=event, action="mailing.test_sent", data={"to": "pat@example.org"})
    with audit.acting(via=audit.Via.ADMIN, actor=UserFactory(is_staff=True, username="olivia")):
        audit.log_action(event=event, action="admin.changed", obj=delegate)
    other = DelegateFactory(first_name="Kept", last_name="Elsewhere")
    audit.log_action(event=other.event, action="admin.changed", obj=other)

    privacy.purge_event(event=event, now=timezone.now())

    purged = entries(event).get(action="event.purged")
    assert purged.data == {"delegates_anonymised": 1, "needs_deleted": 0}
    for entry in entries(event):
        text = entry.object_repr + json.dumps(entry.data) + json.dumps(entry.personal)
        assert "Pat" not in text
        assert "pat@example.org" not in text
        assert entry.delegate_id is None
    kept = entries(event).get(action="admin.changed")
    assert (kept.actor_name, kept.object_type) == ("olivia", "symposium.delegate")
    assert entries(other.event).get().object_repr == "Kept Elsewhere (Kent County Council)"


# The admin ---------------------------------------------------------------------------------


def test_an_admin_addition_change_and_deletion_are_logged(organiser_client, organiser):
    event = EventFactory()
    Room = apps.get_model("symposium", "Room")
    added = organiser_client.post(
        admin_url(Room, "add"), {"event": event.pk, "name": "Room A", "capacity": 30}
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    room = Room.objects.get()
    changed = organiser_client.post(
        admin_url(Room, "change", room.pk), {"event": event.pk, "name": "Room B", "capacity": 30}
    )
    assert changed.status_code == 302
    organiser_client.post(admin_url(Room, "delete", room.pk), {"post": "yes"})

    deleted, changed, added = entries(event)
    assert (added.action, added.actor, added.via, added.object_repr) == (
        "admin.added",
        organiser,
        "admin",
        "Room A",
    )
    assert (changed.action, changed.object_repr) == ("admin.changed", "Room B")
    assert changed.data == {"changes": [{"changed": {"fields": ["Name"]}}]}
    assert (deleted.action, deleted.object_id) == ("admin.deleted", str(room.pk))


def test_a_failed_action_logs_nothing():
    event = EventFactory()
    session = BreakoutSessionFactory(capacity=1, theme=ThemeFactory(event=event))
    BreakoutChoiceFactory(session=session, delegate=DelegateFactory(event=event))
    delegate = DelegateFactory(event=event)

    with pytest.raises(ValidationError):
        console_services.move_delegates(delegates=[delegate], session=session)
    with pytest.raises(ValidationError):
        registration_services.update_registration(
            delegate=DelegateFactory(event=event, status=RegistrationStatus.CANCELLED),
            first_name="A",
            last_name="B",
            email="ab@example.org",
            organisation="X",
            sector="nhs",
        )

    assert not AuditEntry.objects.exists()


def test_an_unknown_action_is_refused():
    with pytest.raises(ValueError, match="Unknown audit action"):
        audit.log_action(event=EventFactory(), action="registration.teleported")


# The guard ---------------------------------------------------------------------------------


def public_functions(module_name):
    module = importlib.import_module(module_name)
    return {
        f"{module_name}.{name}"
        for name, value in vars(module).items()
        if inspect.isfunction(value)
        and not name.startswith("_")
        and value.__module__ == module_name
    }


def test_every_state_changing_service_is_walked():
    importlib.import_module("tests.audit.test_walk_apps")  # its walks count too
    found = set().union(*(public_functions(name) for name in SERVICE_MODULES))

    unaccounted = found - WALKED - READ_ONLY - set(NOT_THEIR_OWN)

    assert unaccounted == set(), (
        "A service neither walked by tests/audit/test_walk.py nor declared a read: log "
        "what it does (symposium.audit.log_action) and walk it."
    )
    assert (WALKED | READ_ONLY | set(NOT_THEIR_OWN)) - found == set()  # no stale names


def test_every_logged_action_has_words():
    assert all(words and words != action for action, words in audit.ACTIONS.items())
