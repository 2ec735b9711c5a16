"""Sending a mailing: personalised, queued in batches, each delegate once.

A send goes in two steps, each in transactions of its own:

1. `start`: the audience is fixed as one `Recipient` row per delegate (unique per
   mailing and delegate), status "pending", and the mailing becomes "sending".
2. `queue_batch`, repeated: the next pending recipients, locked with SKIP LOCKED so a
   second scheduler takes the batch after instead of waiting or repeating it, are built
   into django-mailer `Message` rows (low priority: registration emails go first) and
   marked "queued" in the same transaction. A crash loses the batch it was in, which is
   still "pending" and is queued by the next run; nothing is queued twice.

The task queue sends the queue (symposium.tasks: a sweep queued after each batch, and
every 15 seconds), and retries what the mail server put off. `run_scheduler` runs
every minute as a periodic task (mailings.tasks).
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from mailer.engine import send_all
from mailer.models import PRIORITY_LOW, PRIORITY_MEDIUM, Message

from breakouts.services import delegate_choices
from checkin import emails as checkin_emails
from checkin.codes import check_in_code
from mailings import placeholders, selectors, texts
from mailings.enums import MailingKind, MailingStatus, RecipientStatus
from mailings.models import Mailing, Recipient
from registration.emails import calendar_file, manage_url
from symposium import audit, mail_identity, outbox
from symposium import tasks as mail_tasks
from symposium.enums import RegistrationStatus
from symposium.models import Delegate, Event
from symposium.text import one_line
from symposium.tokens import event_is_over

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
AUTOMATIC = (MailingKind.JOINING_INSTRUCTIONS, MailingKind.THANK_YOU, MailingKind.MISSED_YOU)
# The desk checks in confirmed delegates only: anyone else's code would be refused there.
NO_CHECK_IN_CODE = "none (only a confirmed place has a check-in code)"


class Unsendable(Exception):
    """This delegate's copy cannot be built (an address no mail header can carry)."""


# Building one delegate's copy ---------------------------------------------------------


def _event_url(event: Event) -> str:
    return settings.SITE_URL + reverse("symposium:event-detail", kwargs={"slug": event.slug})


def values_for(delegate: Delegate, breakouts: list[str]) -> placeholders.Values:
    event = delegate.event
    day = event.starts_on
    active = delegate.status != RegistrationStatus.CANCELLED
    return placeholders.Values(
        first_name=delegate.first_name or delegate.full_name,
        last_name=delegate.last_name,
        event=one_line(event.name),
        date=f"{day:%A} {day.day} {day:%B %Y}",
        venue=one_line(f"{event.venue_name}, {', '.join(event.venue_address.splitlines())}"),
        # A cancelled registration's link opens nothing: the event's page instead.
        manage_link=manage_url(delegate) if active else _event_url(event),
        breakouts=breakouts,
        check_in_code=(
            check_in_code(delegate)
            if delegate.status == RegistrationStatus.CONFIRMED
            else NO_CHECK_IN_CODE
        ),
        start_time=selectors.start_time(event),
        manage_link_text=(
            f"The page of {one_line(event.name)}"
            if not active
            else placeholders.MANAGE_LINK_AFTER_TEXT
            if event_is_over(event)
            else placeholders.MANAGE_LINK_TEXT
        ),
    )


def _footer(event: Event) -> str:
    """Why the delegate gets the email: the same for every copy, rendered once per Event
    object (a batch shares one)."""
    if "_email_footer" not in event.__dict__:
        event.__dict__["_email_footer"] = render_to_string("emails/_footer.txt", {"event": event})
    return event.__dict__["_email_footer"]


def render(mailing: Mailing, delegate: Delegate, breakouts: list[str]) -> dict:
    """The delegate's subject, plain text and HTML. No side effects."""
    values = values_for(delegate, breakouts)
    context = {
        "event": delegate.event,
        "delegate": delegate,
        "subject": one_line(placeholders.fill_text(mailing.subject, values)),
        "body_text": placeholders.fill_text(mailing.body, values),
        "body_html": placeholders.fill_html(mailing.body, values),
        "manage_url": values.manage_link if delegate.status != RegistrationStatus.CANCELLED else "",
        # The link then opens the delegate's data, no longer a registration to change.
        "event_over": event_is_over(delegate.event),
    }
    if _with_check_in(mailing, delegate):
        context |= checkin_emails.context(delegate)
    html = render_to_string("mailings/email.html", context)
    return {
        "subject": context["subject"],
        "text": render_to_string("mailings/email.txt", context) + _footer(delegate.event),
        "html": html,
        # What the admin shows inside its own page.
        "html_body": html.partition("<body>")[2].partition("</body>")[0],
    }


def _address(address: str) -> str:
    try:
        validate_email(address)
    except ValidationError as error:
        raise Unsendable("the email address cannot go into a mail header") from error
    return address


def _with_check_in(mailing: Mailing, delegate: Delegate) -> bool:
    """The check-in code, QR and calendar: when the organiser ticked it, for a confirmed
    place (the desk refuses anyone else's code)."""
    return mailing.include_check_in and delegate.status == RegistrationStatus.CONFIRMED


def build(mailing: Mailing, delegate: Delegate, breakouts: list[str], *, to: str | None = None):
    copy = render(mailing, delegate, breakouts)
    event = delegate.event
    try:
        reply_to = [_address(event.contact_email)] if event.contact_email else None
    except Unsendable:
        reply_to = None
    message = outbox.HtmlEmail(
        subject=copy["subject"],
        body=copy["text"],
        to=[_address(to or delegate.email)],
        reply_to=reply_to,
        headers=mail_identity.headers(bulk=True),
    )
    message.attach_alternative(copy["html"], "text/html")
    if _with_check_in(mailing, delegate):
        # The QR inline by Content-ID, as in the confirmation; their day as a file.
        checkin_emails.attach(message, delegate)
        choices = delegate_choices(delegate=delegate)
        message.attach(f"{event.slug}.ics", calendar_file(delegate, choices), "text/calendar")
    return message


def preview(*, mailing: Mailing, delegate: Delegate) -> dict:
    return render(mailing, delegate, selectors.breakout_lines([delegate.pk])[delegate.pk])


# Organisers' actions ------------------------------------------------------------------


def send_test(*, mailing: Mailing, delegate: Delegate, to: str) -> int:
    """Queue the delegate's copy to `to` (the organiser), subject marked as a test.
    Side effect: one Message row, sent at once when SEND_MAIL_ON_COMMIT. Returns its pk."""
    message = build(mailing, delegate, selectors.breakout_lines([delegate.pk])[delegate.pk], to=to)
    message.subject = f"[Test] {message.subject}"
    with transaction.atomic():
        queued = Message(priority=PRIORITY_MEDIUM)
        queued.email = message
        queued.save()
        audit.log_action(
            event=mailing.event_id,
            action="mailing.test_sent",
            obj=mailing,
            data={"to": to, "as_delegate_id": delegate.pk},
        )
    send_now([queued.pk])
    return queued.pk


def schedule(*, mailing: Mailing, send_at: dt.datetime) -> Mailing:
    """Send the mailing at `send_at` (now or earlier: at the scheduler's next run).
    Side effect: the mailing becomes "scheduled". Refused once it has started."""
    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().get(pk=mailing.pk)
        if mailing.status not in (MailingStatus.DRAFT, MailingStatus.SCHEDULED):
            raise ValidationError("This message is already being sent.")
        mailing.status, mailing.send_at = MailingStatus.SCHEDULED, send_at
        mailing.save(update_fields=["status", "send_at", "updated_at"])
        audit.log_action(
            event=mailing.event_id,
            action="mailing.scheduled",
            obj=mailing,
            data={"send_at": send_at.isoformat()},
        )
    return mailing


def unschedule(*, mailing: Mailing) -> bool:
    """Back to draft, if it has not started. Returns whether it was unscheduled."""
    with transaction.atomic():
        done = Mailing.objects.filter(pk=mailing.pk, status=MailingStatus.SCHEDULED).update(
            status=MailingStatus.DRAFT, send_at=None
        )
        if done:
            audit.log_action(event=mailing.event_id, action="mailing.unscheduled", obj=mailing)
    return bool(done)


# Sending ------------------------------------------------------------------------------


def start(*, mailing_pk: int, now: dt.datetime | None = None) -> bool:
    """Fix the audience of a scheduled mailing as pending recipients and mark it
    "sending". Returns False when it is not scheduled or someone else holds it."""
    now = now or timezone.now()
    with transaction.atomic():
        mailing = (
            Mailing.objects.select_for_update(skip_locked=True)
            .filter(pk=mailing_pk, status=MailingStatus.SCHEDULED)
            .first()
        )
        if mailing is None:
            return False
        delegate_ids = list(selectors.audience(mailing).values_list("pk", flat=True))
        Recipient.objects.bulk_create(
            [Recipient(mailing=mailing, delegate_id=pk) for pk in delegate_ids],
            batch_size=2000,
            ignore_conflicts=True,
        )
        mailing.status, mailing.started_at = MailingStatus.SENDING, now
        mailing.total = mailing.recipients.count()
        mailing.save(update_fields=["status", "started_at", "total", "updated_at"])
        audit.log_action(
            event=mailing.event_id,
            action="mailing.started",
            obj=mailing,
            data={"recipients": mailing.total},
        )
    return True


def _queue_copy(mailing, recipient, breakouts) -> Message | None:
    try:
        message = build(mailing, recipient.delegate, breakouts)
    except Unsendable as error:
        logger.warning("Mailing %s: delegate %s skipped", mailing.pk, recipient.delegate_id)
        recipient.status, recipient.error = RecipientStatus.FAILED, str(error)
        return None
    queued = Message(priority=PRIORITY_LOW)
    queued.email = message
    return queued


def queue_batch(*, mailing_pk: int, batch_size: int = BATCH_SIZE) -> int | None:
    """Queue the next `batch_size` pending copies in one transaction.

    The pending recipients are locked with SKIP LOCKED, so schedulers on several
    servers queue different batches of one mailing side by side. Returns how many
    recipients this batch dealt with; 0 when none is left (the mailing is then "sent");
    None when it is not sending, or every pending copy is in another process's batch.
    """
    now = timezone.now()
    with transaction.atomic():
        mailing = (
            Mailing.objects.select_related("event")
            .filter(pk=mailing_pk, status=MailingStatus.SENDING)
            .first()
        )
        if mailing is None:
            return None
        recipients = list(
            mailing.recipients.filter(status=RecipientStatus.PENDING)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("delegate__event")
            .order_by("pk")[:batch_size]
        )
        if not recipients:
            return _finish(mailing, now)
        messages = _queue_copies(mailing, recipients, now)
    send_now([message.pk for message in messages])
    return len(recipients)


def _queue_copies(mailing: Mailing, recipients: list[Recipient], now) -> list[Message]:
    """Build and queue the recipients' copies and mark them, in the caller's transaction,
    which holds their rows."""
    for recipient in recipients:
        recipient.delegate.event = mailing.event  # One event: its start time read once.
    lines = selectors.breakout_lines([recipient.delegate_id for recipient in recipients])
    pairs = [(r, _queue_copy(mailing, r, lines[r.delegate_id])) for r in recipients]
    messages = Message.objects.bulk_create([message for _r, message in pairs if message])
    # One UPDATE for the batch: bulk_update's CASE per row costs more than the building.
    Recipient.objects.filter(pk__in=[r.pk for r, message in pairs if message]).update(
        status=RecipientStatus.QUEUED, queued_at=now
    )
    for recipient in (recipient for recipient, message in pairs if not message):
        recipient.save(update_fields=["status", "error"])
    Mailing.objects.filter(pk=mailing.pk).update(queued=F("queued") + len(messages))
    audit.log_actions(
        audit.entry(
            event=mailing.event_id,
            action="mailing.email_queued",
            delegate=recipient.delegate_id,
            data={"mailing_id": mailing.pk, "subject": mailing.subject, "failed": not message},
        )
        for recipient, message in pairs
    )
    return messages


def queue_late_joiners(*, mailing_pk: int, now: dt.datetime | None = None) -> int:
    """Joining instructions already sent: queue a copy for everyone who has joined the
    audience since (registered, or promoted from the waitlist), not yet checked in.

    Side effects, in one transaction under the mailing's row lock (skipped when another
    scheduler holds it): one Recipient row per newcomer (unique per mailing and
    delegate: nobody gets two), their copies queued, the mailing's counts raised.
    Returns how many were queued or failed."""
    now = now or timezone.now()
    with transaction.atomic():
        mailing = (
            Mailing.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("event")
            .filter(pk=mailing_pk, status=MailingStatus.SENT, is_enabled=True)
            .first()
        )
        if mailing is None:
            return 0
        newcomers = list(
            selectors.not_checked_in(selectors.audience(mailing))
            .exclude(pk__in=mailing.recipients.values("delegate_id"))
            .values_list("pk", flat=True)
        )
        if not newcomers:
            return 0
        Recipient.objects.bulk_create(
            [Recipient(mailing=mailing, delegate_id=pk) for pk in newcomers],
            ignore_conflicts=True,
        )
        recipients = list(
            mailing.recipients.filter(delegate_id__in=newcomers, status=RecipientStatus.PENDING)
            .select_related("delegate")
            .order_by("pk")
        )
        Mailing.objects.filter(pk=mailing.pk).update(total=F("total") + len(recipients))
        messages = _queue_copies(mailing, recipients, now)
    send_now([message.pk for message in messages])
    return len(recipients)


def _finish(mailing: Mailing, now: dt.datetime) -> int | None:
    """ "Sent" once no copy is pending; None while others still hold some."""
    if mailing.recipients.filter(status=RecipientStatus.PENDING).exists():
        return None
    if Mailing.objects.filter(pk=mailing.pk, status=MailingStatus.SENDING).update(
        status=MailingStatus.SENT, finished_at=now, updated_at=now
    ):
        audit.log_action(event=mailing.event_id, action="mailing.finished", obj=mailing)
    return 0


def send_now(message_pks: list[int]) -> None:
    """Have the queue sent soon: a sweep on the task queue (symposium.tasks), or with
    SEND_MAIL_ON_COMMIT (tests) straight away, here."""
    if not message_pks:
        return
    if settings.SEND_MAIL_ON_COMMIT:
        send_all(Message.objects.filter(pk__in=message_pks))
        return
    mail_tasks.send_queued_mail()


def send(*, mailing_pk: int, batch_size: int = BATCH_SIZE, max_batches: int | None = None) -> int:
    """Start the mailing if it is scheduled, then queue batches until none is left,
    other processes hold the rest, or `max_batches` have been queued. Returns how many
    recipients this call dealt with."""
    start(mailing_pk=mailing_pk)
    done = batches = 0
    while max_batches is None or batches < max_batches:
        count = queue_batch(mailing_pk=mailing_pk, batch_size=batch_size)
        if not count:
            break
        done, batches = done + count, batches + 1
    return done


# Automatic messages and the scheduler -------------------------------------------------


def ensure_automatic_mailings(*, event: Event) -> None:
    """Give a new event to come its automatic messages (joining instructions and
    thank-you switched on, "sorry we missed you" off), each unless it has it. Called
    once, when the event is created: an organiser who deletes one or switches it off
    has decided, and no later run brings it back. Side effect: up to three Mailing
    rows, scheduled for when they are due."""
    if event.starts_on <= timezone.localdate():
        return
    for kind in AUTOMATIC:
        if Mailing.objects.filter(event=event, kind=kind).exists():
            continue
        days_before = (
            texts.JOINING_DAYS_BEFORE if kind == MailingKind.JOINING_INSTRUCTIONS else None
        )
        try:
            with transaction.atomic():
                Mailing.objects.create(
                    event=event,
                    kind=kind,
                    days_before=days_before,
                    status=MailingStatus.SCHEDULED,
                    send_at=texts.due_at(
                        kind=kind,
                        starts_on=event.starts_on,
                        ends_on=event.ends_on,
                        days_before=days_before,
                    ),
                    **texts.DEFAULTS[kind],
                )
        except IntegrityError:
            pass  # Another server made it a moment ago.


def reschedule_automatic(*, event: Event) -> None:
    """Keep automatic messages not yet started in step with the event's dates."""
    for mailing in Mailing.objects.filter(
        event=event, kind__in=AUTOMATIC, status=MailingStatus.SCHEDULED
    ):
        send_at = texts.due_at(
            kind=mailing.kind,
            starts_on=event.starts_on,
            ends_on=event.ends_on,
            days_before=mailing.days_before,
        )
        if send_at != mailing.send_at:
            Mailing.objects.filter(pk=mailing.pk, status=MailingStatus.SCHEDULED).update(
                send_at=send_at
            )


def due_mailings(*, now: dt.datetime | None = None) -> list[int]:
    """Mailings to start or carry on: scheduled and due, or sending (resumed after a
    crash), automatic ones only when switched on."""
    now = now or timezone.now()
    scheduled = Mailing.objects.filter(status=MailingStatus.SCHEDULED, send_at__lte=now)
    sending = Mailing.objects.filter(status=MailingStatus.SENDING)
    due = (scheduled | sending).exclude(is_enabled=False)
    return list(due.order_by("send_at", "pk").values_list("pk", flat=True))


def run_scheduler(*, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """One run of `manage.py send_mailings`: automatic messages of events to come kept
    in step with their dates, then every due mailing, then joining instructions for
    those who joined after they went out. It never creates an automatic
    message (an organiser may have deleted it). Safe to run on several servers at once.
    Returns how many recipients this run queued or failed."""
    now = now or timezone.now()
    for event in Event.objects.filter(starts_on__gt=timezone.localdate(now)):
        reschedule_automatic(event=event)
    done = sum(send(mailing_pk=pk, batch_size=batch_size) for pk in due_mailings(now=now))
    # Joining instructions reach whoever registers after they went out, until the end.
    late = Mailing.objects.filter(
        kind=MailingKind.JOINING_INSTRUCTIONS,
        status=MailingStatus.SENT,
        is_enabled=True,
        event__ends_on__gte=timezone.localdate(now),
    )
    return done + sum(
        queue_late_joiners(mailing_pk=pk, now=now) for pk in late.values_list("pk", flat=True)
    )


# Personal data ------------------------------------------------------------------------


def purge_recipients(*, event: Event) -> int:
    """Delete who each of the event's mailings went to, keeping the mailings, their
    audience definitions and counts. Returns how many rows were deleted."""
    deleted, _ = Recipient.objects.filter(mailing__event=event).delete()
    return deleted
