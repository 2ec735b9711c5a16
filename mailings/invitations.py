"""Emailing personal invitations (partners.PersonalInvitation) and reminding those who
have not answered, in the two steps of a mailing (mailings.services):

1. `start_run`: the audience is fixed as one pending `InvitationCopy` per invitee
   (unique per run and invitation) and a task is queued to send it, in one transaction.
   Invitations: those of the event not yet sent. Reminders: those sent, still without
   an answer (neither registered nor declined).
2. `queue_batch`, repeated by the task (`mailings.tasks.send_invitation_run`): the next
   pending copies, locked with SKIP LOCKED, are built into django-mailer messages (low
   priority) and marked queued, and the invitations' `sent_at` or `reminded_at` set, in
   one transaction. A reminder to someone who answered since the run started is skipped.

So each invitee gets one email per run, however often the task is retried, and a
reminder run reaches only those who had not answered.
"""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from mailer.models import PRIORITY_LOW, Message

from mailings import services
from mailings.enums import InvitationCopyStatus, InvitationEmailKind
from mailings.models import InvitationCopy, InvitationRun
from partners.models import InvitationStatus, PersonalInvitation
from symposium import audit, background, mail_identity, outbox
from symposium.models import Event
from symposium.text import one_line

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


def audience(
    *, event: Event, kind: str, among: QuerySet[PersonalInvitation] | None = None
) -> QuerySet[PersonalInvitation]:
    """Who a run of this kind goes to: invitations not yet sent, or (reminders) sent
    and not answered."""
    invitations = among if among is not None else PersonalInvitation.objects.all()
    invitations = invitations.filter(event=event)
    if kind == InvitationEmailKind.INVITATION:
        return invitations.filter(sent_at__isnull=True)
    return invitations.filter(sent_at__isnull=False, status=InvitationStatus.INVITED)


def start_run(
    *,
    event: Event,
    kind: str,
    among: QuerySet[PersonalInvitation] | None = None,
    requested_by=None,
) -> InvitationRun | None:
    """Fix the audience and queue its sending (None when nobody is in it).

    Side effects, in one transaction: an InvitationRun, one InvitationCopy per invitee,
    a job for the task queue (run once the transaction commits)."""
    from mailings import tasks

    with transaction.atomic():
        pks = list(
            audience(event=event, kind=kind, among=among)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not pks:
            return None
        run = InvitationRun.objects.create(
            event=event, kind=kind, requested_by=requested_by, total=len(pks)
        )
        InvitationCopy.objects.bulk_create(
            [InvitationCopy(run=run, invitation_id=pk) for pk in pks], batch_size=2000
        )
        background.defer(tasks.send_invitation_run, run_pk=run.pk)
        audit.log_action(
            event=event,
            action="invitations.run_started",
            actor=requested_by,
            obj=run,
            data={"kind": kind, "invitees": len(pks)},
        )
    return run


def _url(name: str, personal: PersonalInvitation) -> str:
    return settings.SITE_URL + reverse(
        name, kwargs={"event_slug": personal.event.slug, "code": personal.invitation.code}
    )


def render(personal: PersonalInvitation, *, kind: str) -> dict:
    """The invitee's subject, plain text and HTML. No side effects."""
    event = personal.event
    reminder = kind == InvitationEmailKind.REMINDER
    subject = one_line(f"{'Reminder: you are' if reminder else 'You are'} invited to {event.name}")
    context = {
        "subject": subject,
        "event": event,
        "personal": personal,
        "reminder": reminder,
        "invitation_url": _url("registration:invitation", personal),
        "decline_url": _url("registration:invitation-decline", personal),
        "valid_until": personal.invitation.valid_until,
    }
    return {
        "subject": subject,
        "text": render_to_string("mailings/invitation.txt", context),
        "html": render_to_string("mailings/invitation.html", context),
    }


def build(personal: PersonalInvitation, *, kind: str) -> outbox.HtmlEmail:
    copy = render(personal, kind=kind)
    validate_email(personal.email)  # ValidationError: an address no header can carry.
    event = personal.event
    message = outbox.HtmlEmail(
        subject=copy["subject"],
        body=copy["text"],
        to=[personal.email],
        reply_to=[event.contact_email] if event.contact_email else None,
        headers=mail_identity.headers(bulk=True),
    )
    message.attach_alternative(copy["html"], "text/html")
    return message


def queue_batch(*, run_pk: int, batch_size: int = BATCH_SIZE, now=None) -> int:
    """Queue the next `batch_size` pending copies of the run in one transaction; how
    many it dealt with (0: none left, or all in another process's batch).

    Side effects: Message rows; the copies queued (or failed, or skipped: a reminder
    to someone who answered meanwhile); the invitations' sent_at, or reminded_at and
    reminders; the run's count; the run finished when no copy is pending."""
    now = now or timezone.now()
    with transaction.atomic():
        run = InvitationRun.objects.select_related("event").get(pk=run_pk)
        copies = list(
            run.copies.filter(status=InvitationCopyStatus.PENDING)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("invitation__invitation")
            .order_by("pk")[:batch_size]
        )
        if not copies:
            if not run.copies.filter(status=InvitationCopyStatus.PENDING).exists():
                InvitationRun.objects.filter(pk=run.pk, finished_at__isnull=True).update(
                    finished_at=now
                )
            return 0
        messages, done = [], []
        for copy in copies:
            personal = copy.invitation
            personal.event = run.event
            if run.kind == InvitationEmailKind.REMINDER and personal.status != (
                InvitationStatus.INVITED
            ):
                copy.status = InvitationCopyStatus.SKIPPED
                continue
            try:
                message = build(personal, kind=run.kind)
            except ValidationError:
                logger.warning("Invitation run %s: invitation %s skipped", run.pk, personal.pk)
                copy.status, copy.error = InvitationCopyStatus.FAILED, "not an email address"
                continue
            queued = Message(priority=PRIORITY_LOW)
            queued.email = message
            messages.append(queued)
            copy.status, copy.queued_at = InvitationCopyStatus.QUEUED, now
            done.append(personal.pk)
        Message.objects.bulk_create(messages)
        InvitationCopy.objects.bulk_update(copies, ["status", "queued_at", "error"])
        sent = PersonalInvitation.objects.filter(pk__in=done)
        if run.kind == InvitationEmailKind.REMINDER:
            sent.update(reminded_at=now, reminders=F("reminders") + 1)
        else:
            sent.update(sent_at=now)
        InvitationRun.objects.filter(pk=run.pk).update(queued=F("queued") + len(messages))
        audit.log_action(
            event=run.event_id,
            action="invitations.emails_queued",
            obj=run,
            data={"kind": run.kind, "queued": len(messages), "dealt_with": len(copies)},
        )
    services.send_now([message.pk for message in messages])
    return len(copies)


def send_run(*, run_pk: int, batch_size: int = BATCH_SIZE) -> int:
    """Queue every pending copy of the run; how many this call dealt with."""
    done = 0
    while count := queue_batch(run_pk=run_pk, batch_size=batch_size):
        done += count
    queue_batch(run_pk=run_pk)  # Marks the run finished.
    return done


def status_counts(*, event: Event | None = None, tag: str | None = None) -> dict[str, int]:
    """How many personal invitations are not yet sent, sent without an answer,
    registered, declined, and registered then cancelled: one query."""
    invitations = PersonalInvitation.objects.all()
    if event is not None:
        invitations = invitations.filter(event=event)
    if tag:
        invitations = invitations.filter(tag=tag)
    unanswered = Q(status=InvitationStatus.INVITED)
    return invitations.aggregate(
        not_sent=Count("pk", filter=unanswered & Q(sent_at__isnull=True)),
        invited=Count("pk", filter=unanswered & Q(sent_at__isnull=False)),
        registered=Count("pk", filter=Q(status=InvitationStatus.REGISTERED)),
        declined=Count("pk", filter=Q(status=InvitationStatus.DECLINED)),
        cancelled=Count("pk", filter=Q(status=InvitationStatus.CANCELLED)),
    )
