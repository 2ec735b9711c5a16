"""The rules of breakout outcomes: the facilitator records and submits them through
their link, organisers publish (or take back) them, the owner's partner lead follows up
an action. Views and the admin call these; nothing else writes outcomes.

Lock order: the outcome's row (`SessionOutcome`), then its actions and pledges. A
facilitator's save and an organiser's publishing both lock the outcome's row first, so
a save that waited behind a publish finds it published and is refused.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from outcomes.models import Action, ActionStatus, OutcomeStatus, SessionOutcome
from partners.services import find_organisation
from symposium import audit, background, page_cache
from symposium.models import Event, new_access_key

PUBLISHED_MESSAGE = (
    "These outcomes have been published, so they can no longer be changed through this "
    "link. Ask the organisers if something needs correcting."
)


class OutcomePublished(ValidationError):
    """The facilitator's change came after publishing: nothing was saved."""


def _owner(row) -> None:
    """The directory's entry for the organisation typed, when it has one (named as the
    directory names it); the typed name otherwise."""
    found = find_organisation(row.organisation_name)
    row.organisation = found
    if found is not None:
        row.organisation_name = found.name


def _log(outcome: SessionOutcome, action: str, **kwargs) -> None:
    """The entry for what was done to these outcomes, at their session's event."""
    audit.log_action(event=outcome.session.theme.event_id, action=action, obj=outcome, **kwargs)


def record_outcome(*, event: Event, token: str, form, actions, pledges, submit: bool):
    """Save what the facilitator wrote (the bound, valid `form` for key points and the
    `actions` and `pledges` formsets) and, with `submit`, send it for review.

    Refused with OutcomePublished (nothing saved) once the outcomes are published.
    Side effects: the outcome's row locked and saved; its actions and pledges added,
    changed or deleted as the formsets say; each owner matched to the partner
    directory (one query per row)."""
    from outcomes.tokens import outcome_for_token

    with transaction.atomic():
        outcome = outcome_for_token(event=event, token=token, lock=True)
        if outcome.is_published:
            raise OutcomePublished(PUBLISHED_MESSAGE)
        outcome.key_points = form.cleaned_data["key_points"]
        if submit:
            outcome.status = OutcomeStatus.SUBMITTED
            outcome.submitted_at = timezone.now()
        outcome.save()
        changed = {}
        for name, formset in (("actions", actions), ("pledges", pledges)):
            formset.instance = outcome
            rows = formset.save(commit=False)
            for row in formset.deleted_objects:
                row.delete()
            for row in rows:
                _owner(row)
                row.outcome = outcome
                row.save()
            changed[f"{name}_saved"] = len(rows)
            changed[f"{name}_deleted"] = len(formset.deleted_objects)
        _log(outcome, "outcomes.submitted" if submit else "outcomes.saved", data=changed)
    return outcome


def publish(*, outcome: SessionOutcome, user) -> SessionOutcome:
    """Publish outcomes submitted for review: they show on the event's public outcomes
    page, and the facilitator's link opens them read-only. Refused (ValidationError)
    for a draft not yet submitted.

    Side effects: the row locked and saved; a new version of the public page cache (the
    event's home page links to the outcomes once one is published)."""
    with transaction.atomic():
        locked = SessionOutcome.objects.select_for_update().get(pk=outcome.pk)
        if locked.status == OutcomeStatus.DRAFT:
            raise ValidationError("The facilitator has not submitted these outcomes yet.")
        if locked.is_published:
            return locked
        locked.status = OutcomeStatus.PUBLISHED
        locked.published_at = timezone.now()
        locked.published_by = user
        locked.save(update_fields=["status", "published_at", "published_by", "updated_at"])
        page_cache.content_changed()
        _log(outcome, "outcomes.published", actor=user)
    return locked


def unpublish(*, outcome: SessionOutcome) -> SessionOutcome:
    """Take published outcomes off the public page, back to "submitted for review": the
    facilitator's link can change them again. Side effects: as `publish`."""
    with transaction.atomic():
        locked = SessionOutcome.objects.select_for_update().get(pk=outcome.pk)
        if not locked.is_published:
            return locked
        locked.status = OutcomeStatus.SUBMITTED
        locked.published_at = None
        locked.published_by = None
        locked.save(update_fields=["status", "published_at", "published_by", "updated_at"])
        page_cache.content_changed()
        _log(outcome, "outcomes.unpublished")
    return locked


def email_facilitator_link(*, outcome: SessionOutcome) -> None:
    """Email the facilitator their link. The email is built and sent by a worker
    (outcomes.tasks.email_facilitator_link), queued in this transaction, as a partner
    lead's link is (it is to no delegate, so it has no outbox row).
    Refused (ValidationError) without an email address.

    Side effects: one task; `link_sent_at` saved."""
    from outcomes import tasks

    if not outcome.facilitator_email:
        raise ValidationError(f"{outcome.session}: give the facilitator's email first.")
    with transaction.atomic():
        background.defer(tasks.email_facilitator_link, outcome_pk=outcome.pk)
        SessionOutcome.objects.filter(pk=outcome.pk).update(link_sent_at=timezone.now())
        _log(outcome, "outcomes.link_emailed", data={"to": outcome.facilitator_email})


def revoke_facilitator_link(*, outcome: SessionOutcome) -> None:
    """Every link sent for these outcomes stops working; one emailed afterwards works."""
    with transaction.atomic():
        SessionOutcome.objects.filter(pk=outcome.pk).update(access_key=new_access_key())
        _log(outcome, "outcomes.link_revoked")


def outcomes_for_sessions(*, sessions) -> int:
    """An outcome record (a draft) for each of these breakout sessions that has none;
    how many were made."""
    made = []
    with transaction.atomic():
        for session in sessions:
            outcome, created = SessionOutcome.objects.get_or_create(session=session)
            if created:
                made.append(
                    audit.entry(
                        event=session.theme.event_id, action="outcomes.records_made", obj=outcome
                    )
                )
        audit.log_actions(made)
    return len(made)


def follow_up_action(
    *, action: Action, status: str, status_on: dt.date | None, note: str, lead=None
) -> Action:
    """The owner's update of an action: its status, the date it took it (today unless
    given) and a note. The caller has checked that the action is the owner's
    (outcomes.selectors.lead_actions). `lead`: the partner lead who did it, for the log.
    Side effects: the action's row saved; an entry in the event's audit log."""
    if status not in ActionStatus.values:
        raise ValidationError("Choose a status from the list.")
    with transaction.atomic():
        locked = Action.objects.select_for_update().get(pk=action.pk)
        locked.status = status
        locked.status_on = status_on or timezone.localdate()
        locked.status_note = note
        locked.save(update_fields=["status", "status_on", "status_note", "updated_at"])
        audit.log_action(
            event=action.outcome.session.theme.event_id,
            action="outcomes.action_updated",
            obj=locked,
            data={
                "status": status,
                "status_on": locked.status_on.isoformat(),
                "lead_id": lead.pk if lead is not None else None,
            },
        )
    return locked


def email_follow_up_links(*, actions, done_by=None) -> list:
    """Email the partner leads of these (published) actions' owners, at the actions'
    events, their link to follow them up: a lead for the owning organisation (or the one
    that absorbed it in a directory merge), or for a network it belongs to. Each lead
    once per event, queued in this transaction (outcomes.tasks.email_follow_up_link).
    Returns the (lead, event) pairs.

    Side effects: one task and one line of the leads' audit (PartnerLeadAction) each."""
    from outcomes import tasks
    from partners.models import LeadAction, PartnerLead
    from partners.selectors import merged_into_chain
    from partners.services import record_lead_action

    published = actions.filter(outcome__status=OutcomeStatus.PUBLISHED, organisation__isnull=False)
    pairs = set(published.values_list("organisation_id", "outcome__session__theme__event_id"))
    sent, done = [], set()
    with transaction.atomic():
        for organisation_id, event_id in sorted(pairs):
            # The owner, or the organisation that absorbed it in a directory merge.
            owners = merged_into_chain(organisation_id)
            leads = PartnerLead.objects.filter(events=event_id).filter(
                Q(organisation_id__in=owners) | Q(network__organisations__in=owners)
            )
            for lead in leads.distinct().order_by("pk"):
                if (lead.pk, event_id) in done:
                    continue
                done.add((lead.pk, event_id))
                background.defer(tasks.email_follow_up_link, lead_pk=lead.pk, event_pk=event_id)
                record_lead_action(
                    lead=lead,
                    action=LeadAction.LINK_SENT,
                    event=Event.objects.get(pk=event_id),
                    done_by=done_by,
                    details=f"actions follow-up, to {lead.email}",
                )
                sent.append((lead, event_id))
    return sent


def forget_facilitators(*, event: Event) -> int:
    """The event's personal data goes (registration.privacy.purge_event): facilitators'
    emails are emptied and their links end. Outcomes, actions and pledges (no one's
    personal data) stay. Sent again (the nightly purge asks every past event), it finds
    no email left and changes nothing."""
    return (
        SessionOutcome.objects.filter(session__theme__event=event)
        .exclude(facilitator_email="")
        .update(facilitator_email="", access_key=new_access_key())
    )
