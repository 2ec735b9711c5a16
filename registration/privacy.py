"""UK GDPR duties towards delegates: their copy of their data, erasure, and retention.

Views (the manage link), the admin and the `purge_personal_data` command call these.
Lock order as in registration.services: the event row, then delegate rows, then sessions,
then django-mailer's queued messages (symposium.queued_mail).
"""

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from breakouts.models import BreakoutChoice
from breakouts.services import delegate_choices
from questions import services as question_services
from questions.models import Answer
from registration import services
from symposium import audit, queued_mail
from symposium.models import Delegate, DelegateNeeds, Event, OutboxEmail, new_access_key
from symposium.tokens import event_is_over

ANONYMOUS_NAME = "Anonymised delegate"
ERASED_NAME = "Erased registration"

# Sent by `purge_event` inside its transaction, with `event`: other apps (the mailings'
# recipient lists) remove what they hold about the event's delegates.
event_purged = Signal()
# Sent inside the erasure's transaction, once the registration is gone (event=): what
# other apps keep that may name the delegate (a badge run's PDF) goes with it.
registration_erased = Signal()


def anonymous_email(delegate_pk: int) -> str:
    """Unique per delegate (one registration per email per event) and undeliverable:
    the .invalid top-level domain never resolves (RFC 2606)."""
    return f"delegate-{delegate_pk}@anonymised.invalid"


# What apps above registration hold about a delegate, added to their copy under a name
# of its own (the feedback app: their survey answers), each a function (delegate) -> data.
DATA_SECTIONS: dict = {}


# Reads -------------------------------------------------------------------------------


def _needs_data(needs: DelegateNeeds | None) -> dict | None:
    if needs is None:
        return None
    return {
        "dietary_requirement": needs.get_dietary_requirement_display(),
        "dietary_details": needs.dietary_details,
        "access_needs": needs.access_needs,
        "consented_at": needs.consented_at,
    }


def _choice_data(choice: BreakoutChoice) -> dict:
    session = choice.session
    return {
        "round": session.agenda_item.title,
        "starts_at": session.agenda_item.starts_at,
        "ends_at": session.agenda_item.ends_at,
        "theme": session.theme.title,
        "room": session.room.name if session.room else None,
        "status": choice.get_status_display(),
        "waitlist_position": choice.waitlist_position,
        "chosen_at": choice.created_at,
    }


def _all_choices(delegate: Delegate) -> list[BreakoutChoice]:
    places = delegate_choices(delegate=delegate)
    return places + [place.waiting_for for place in places if place.waiting_for]


def delegate_data(*, delegate: Delegate, now: dt.datetime | None = None) -> dict:
    """Everything held about one registration, for the delegate's own copy (right of
    access, right to data portability). No side effects; a few queries."""
    event = delegate.event
    needs = DelegateNeeds.objects.filter(delegate=delegate).first()
    return {
        "exported_at": now or timezone.now(),
        "event": {
            "name": event.name,
            "starts_on": event.starts_on,
            "ends_on": event.ends_on,
            "venue": event.venue_name,
            "organisers_contact": event.contact_email,
        },
        "registration": {
            "first_name": delegate.first_name,
            "last_name": delegate.last_name,
            "email": delegate.email,
            "organisation": delegate.organisation,
            "sector": delegate.get_sector_display(),
            "job_title": delegate.job_title,
            "status": delegate.get_status_display(),
            "registered_at": delegate.created_at,
            "updated_at": delegate.updated_at,
            "cancelled_at": delegate.cancelled_at,
            "how_registered": delegate.get_source_display(),
        },
        "consents": {
            "privacy_notice_agreed_at": delegate.privacy_consent_at,
            "needs_storage_agreed_at": needs.consented_at if needs else None,
        },
        "dietary_and_access_needs": _needs_data(needs),
        "breakout_choices": [_choice_data(choice) for choice in _all_choices(delegate)],
        "answers": _answers_data(delegate),
    } | {name: section(delegate) for name, section in DATA_SECTIONS.items()}


def _answers_data(delegate: Delegate) -> list[dict]:
    questions = question_services.event_questions(event=delegate.event, cached=False)
    answers = question_services.stored_answers(delegate=delegate, questions=questions)
    consented = dict(
        Answer.objects.filter(delegate=delegate, consented_at__isnull=False).values_list(
            "question_id", "consented_at"
        )
    )
    return [
        {
            "question": question.label,
            "answer": question_services.given_text(answers[question.pk]),
            "storage_agreed_at": consented.get(question.pk),
        }
        for question in questions
        if question.pk in answers
    ]


@dataclass(frozen=True)
class PurgeResult:
    event: Event
    needs_deleted: int
    delegates_anonymised: int
    answers_deleted: int = 0
    # Emails owed, queued, deferred or logged about the delegates (not counted by a dry run).
    emails_deleted: int = 0

    def __bool__(self):
        return bool(self.needs_deleted or self.delegates_anonymised or self.answers_deleted)


def purge_due_on(event: Event) -> dt.date:
    """The first day on which the event's personal data is past its retention period."""
    return event.ends_on + dt.timedelta(days=event.retention_days + 1)


def events_due_for_purge(*, today: dt.date | None = None) -> list[Event]:
    """Events whose `ends_on + retention_days` has passed. No side effects."""
    today = today or timezone.localdate()
    ended = Event.objects.filter(ends_on__lt=today).order_by("ends_on", "pk")
    return [event for event in ended if purge_due_on(event) <= today]


# Writes ------------------------------------------------------------------------------


def _scrub_admin_history(model, pks, text: str) -> None:
    """The admin's history names each object (`object_repr`); name it `text` instead."""
    if pks:
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=[str(pk) for pk in pks],
        ).update(object_repr=text)


def _scrub_history_of(delegates, text: str) -> None:
    delegate_ids = list(delegates.values_list("pk", flat=True))
    _scrub_admin_history(Delegate, delegate_ids, text)
    needs = DelegateNeeds.objects.filter(delegate_id__in=delegate_ids)
    _scrub_admin_history(DelegateNeeds, list(needs.values_list("pk", flat=True)), text)
    choices = BreakoutChoice.objects.filter(delegate_id__in=delegate_ids)
    _scrub_admin_history(BreakoutChoice, list(choices.values_list("pk", flat=True)), text)


def forget_in_admin_history(*, delegates) -> None:
    """Name these delegates (and their needs and choices) as erased in the admin's
    history, before their rows go. Side effects: updates LogEntry rows."""
    _scrub_history_of(delegates, ERASED_NAME)


def erase_registration(*, delegate: Delegate, now: dt.datetime | None = None) -> bool:
    """Erase a registration at the delegate's request (right to erasure).

    Side effects, in one transaction: cancels it first (`services.cancel_registration`:
    the event place and breakout places go to the waitlists, the promoted delegates
    are emailed), then deletes the Delegate row with its needs, answers, choices and the
    emails it is owed (the cancellation's among them), the name in the admin's
    history, and then every email to or about the delegate that is queued, deferred
    or logged (`queued_mail.forget`). No email confirms it: it would keep the address
    until the mail server takes it, and the page does. Every manage link dies with
    the row. The audit log keeps what was done, no longer to whom
    (`audit.forget_delegates`). Returns False if it was already erased.

    Once the event is over there is no place to give anyone and nothing to tell: the
    row is deleted without cancelling it first.
    """
    with transaction.atomic():
        # Before cancelling, which deletes the needs and choices the history also names.
        _scrub_history_of(Delegate.objects.filter(pk=delegate.pk), ERASED_NAME)
        if event_is_over(delegate.event, now=now):
            delegate = Delegate.objects.filter(pk=delegate.pk).first()
            if delegate is None:
                return False
        else:
            try:
                delegate = services.cancel_registration(delegate=delegate, now=now)
            except Delegate.DoesNotExist:
                return False
        person = queued_mail.Person.of(delegate)
        # Deleting first waits for whoever holds rows that go with it (an email being
        # queued from the outbox, a mailing's batch): what they queue is then seen.
        event = delegate.event
        # The log keeps what was done (the cancellation…), no longer to whom.
        audit.forget_delegates(delegate_ids=[delegate.pk])
        audit.log_action(event=event, action="registration.erased")
        delegate.delete()
        queued_mail.forget(people=[person])
        registration_erased.send(sender=Delegate, event=event)
    return True


def purge_event(
    *, event: Event, now: dt.datetime | None = None, dry_run: bool = False
) -> PurgeResult:
    """Remove an event's personal data, keeping what the staff overview counts.

    Side effects (none with `dry_run`): locks the event, then its delegates; deletes
    every DelegateNeeds and every Answer (to the event's own questions) of the event;
    sends `event_purged` (mailings delete their recipient lists; sent even when the
    event has no delegate data left, so the other apps' copies go); deletes every email
    owed (OutboxEmail), queued, deferred or logged (django-mailer, `queued_mail.forget`)
    to or about the delegates being anonymised; anonymises each delegate not yet anonymised
    (name, email and job title replaced, access key rotated so every manage link
    dies, `anonymised_at` set) and their names in the admin's history and the
    event's audit log (`audit.forget_event`: the log keeps what was done). Sector,
    organisation, status, breakout choices, timestamps and ExportRecords stay.
    Running it again changes nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        needs = DelegateNeeds.objects.filter(delegate__event=event)
        answers = Answer.objects.filter(delegate__event=event)
        delegates = list(
            Delegate.objects.select_for_update()
            .filter(event=event, anonymised_at__isnull=True)
            .order_by("pk")
        )
        result = PurgeResult(
            event=event,
            needs_deleted=needs.count(),
            delegates_anonymised=len(delegates),
            answers_deleted=answers.count(),
        )
        if dry_run:
            return result
        if not result:
            # No delegate's data left here (none registered, or purged before): what
            # other apps hold about the event still goes (facilitators' emails, the
            # feedback behind the report's frozen figures). Their receivers keep what
            # they did the first time.
            event_purged.send(sender=Event, event=event)
            return result
        _scrub_history_of(Delegate.objects.filter(event=event), ANONYMOUS_NAME)
        audit.forget_event(event=event)
        audit.log_action(
            event=event,
            action="event.purged",
            data={
                "delegates_anonymised": result.delegates_anonymised,
                "needs_deleted": result.needs_deleted,
            },
        )
        needs.delete()
        answers.delete()
        event_purged.send(sender=Event, event=event)
        owed, _ = OutboxEmail.objects.filter(delegate__in=delegates).delete()
        people = [queued_mail.Person.of(delegate) for delegate in delegates]
        for delegate in delegates:
            delegate.first_name, delegate.last_name = "", ANONYMOUS_NAME
            delegate.email = anonymous_email(delegate.pk)
            delegate.job_title, delegate.access_key = "", new_access_key()
            delegate.anonymised_at = delegate.updated_at = now
        Delegate.objects.bulk_update(
            delegates,
            [
                "first_name",
                "last_name",
                "email",
                "job_title",
                "access_key",
                "anonymised_at",
                "updated_at",
            ],
            batch_size=500,
        )
        # Last: the deletions above waited for whoever was queueing these emails.
        forgotten = queued_mail.forget(people=people)
    return dataclasses.replace(result, emails_deleted=owed + forgotten)


def purge_due_events(
    *, today: dt.date | None = None, now: dt.datetime | None = None, dry_run: bool = False
) -> list[PurgeResult]:
    """Purge every event past its retention period (see `purge_event`); returns what
    was (or, with `dry_run`, would be) removed, one result per event concerned."""
    results = [
        purge_event(event=event, now=now, dry_run=dry_run)
        for event in events_due_for_purge(today=today)
    ]
    return [result for result in results if result]
