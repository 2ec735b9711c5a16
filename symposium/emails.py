"""Emails to delegates: plain text and HTML, with their own calendar and manage link.

Services call the `notify_*` functions inside their transaction, after the change they
describe. Each adds a small `OutboxEmail` row in that transaction, so a change that
rolls back owes no email. Once it has committed, the email is built from what the
database then holds and written to the django-mailer queue (a `mailer.Message` row) in a
transaction of its own: an email that cannot be built (a template error, an address no
mail header can carry) is logged and left in the outbox with the error, and never turns
someone's registration, cancellation or erasure into an error or a rollback. The mail
worker's sweep (`manage.py send_outbox`) builds what is left, e.g. when the process died
between the commit and the build. The worker (`manage.py run_mail_worker`,
symposium/mail_worker.py) sends the queue, at least once.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from mailer.engine import send_all
from mailer.models import Message

from breakouts.models import BreakoutChoice, BreakoutSession
from breakouts.services import delegate_choices
from checkin import emails as checkin_emails
from symposium import mail_identity
from symposium.enums import RegistrationStatus
from symposium.ics import delegate_calendar
from symposium.models import Delegate, DelegateNeeds, OutboxEmail
from symposium.selectors import event_hours
from symposium.text import one_line
from symposium.tokens import make_manage_token

logger = logging.getLogger(__name__)

# The sweep stops retrying an email it has failed to build for this long (it stays in
# the outbox, with its error, for an organiser to see).
RETRY_FOR = dt.timedelta(days=1)


class Unsendable(Exception):
    """The delegate's data cannot be put into an email."""


def _address(address: str) -> str:
    """An address a mail header can carry as it is; a line break in one would add headers."""
    try:
        validate_email(address)
    except ValidationError as error:
        # Not the address itself: the error is logged and kept on the outbox row.
        raise Unsendable("the email address cannot go into a mail header") from error
    return address


def _reply_to(event) -> list[str] | None:
    try:
        return [_address(event.contact_email)] if event.contact_email else None
    except Unsendable:
        logger.warning("Event %s: its contact email is left out of Reply-To", event.pk)
        return None


def manage_url(delegate: Delegate) -> str:
    path = reverse(
        "registration:manage",
        kwargs={"event_slug": delegate.event.slug, "token": make_manage_token(delegate)},
    )
    return f"{settings.SITE_URL}{path}"


def calendar_file(delegate: Delegate, choices) -> bytes:
    agenda = delegate.event.agenda_items.select_related("room").order_by("starts_at", "pk")
    return delegate_calendar(delegate, agenda, choices)


def _subject(kind, delegate):
    event = one_line(delegate.event.name)
    if kind == "registered" and delegate.status == RegistrationStatus.WAITLISTED:
        return f"You are on the waitlist for {event}"
    return {
        "registered": f"Your place at {event} is confirmed",
        "manage_link": f"Your link to manage your registration for {event}",
        "changed": f"Your registration for {event} has been updated",
        "cancelled": f"Your registration for {event} is cancelled",
        "event_place": f"A place has come up: you are now confirmed for {event}",
        "breakout_place": f"You now have a place in your breakout at {event}",
        "breakout_swap": f"You have moved to your new breakout at {event}",
        "breakout_allocated": f"Your breakout places at {event}",
    }[kind]


def _build(
    kind: str, delegate_pk: int, choice_pk: int | None, given_up_pk: int | None = None
) -> EmailMultiAlternatives:
    delegate = Delegate.objects.select_related("event").get(pk=delegate_pk)
    choice = None
    if choice_pk is not None:
        choice = BreakoutChoice.objects.select_related(
            "session__theme", "session__agenda_item"
        ).get(pk=choice_pk, delegate_id=delegate_pk)
    choices = delegate_choices(delegate=delegate)
    active = delegate.status != RegistrationStatus.CANCELLED
    context = {
        "kind": kind,
        "delegate": delegate,
        "event": delegate.event,
        "hours": event_hours(event=delegate.event),
        "choices": choices,
        "choice": choice,
        "has_needs": DelegateNeeds.objects.filter(delegate=delegate).exists(),
        "manage_url": manage_url(delegate) if active else "",
        "register_url": settings.SITE_URL
        + reverse("registration:register", kwargs={"event_slug": delegate.event.slug}),
        "given_up": BreakoutSession.objects.select_related("theme").filter(pk=given_up_pk).first()
        if given_up_pk
        else None,
    }
    if kind == "breakout_allocated":
        # Imported here: the allocation's services send emails through this module.
        from breakouts.allocation_services import allocation_lines

        context["allocation_lines"] = allocation_lines(delegate=delegate)
    if checkin_emails.wanted(kind, delegate):
        context |= checkin_emails.context(delegate)
    message = checkin_emails.HtmlEmail(
        subject=_subject(kind, delegate),
        body=render_to_string(f"emails/{kind}.txt", context)
        + render_to_string("emails/_footer.txt", context),
        to=[_address(delegate.email)],
        reply_to=_reply_to(delegate.event),
        headers=mail_identity.headers(),
    )
    message.attach_alternative(render_to_string(f"emails/{kind}.html", context), "text/html")
    if "checkin_code" in context:
        checkin_emails.attach_qr(message, delegate)
    if delegate.status == RegistrationStatus.CONFIRMED and kind != "manage_link":
        message.attach(
            f"{delegate.event.slug}.ics", calendar_file(delegate, choices), "text/calendar"
        )
    return message


def _send_now(message_pks: list[int]) -> None:
    queued = Message.objects.filter(pk__in=message_pks)
    # Not if the worker got there first (send_all would take an empty queryset as
    # "the whole queue").
    if queued.exists():
        send_all(queued)


def _record_failure(owed_pk: int, error: Exception) -> None:
    logger.error("Could not build the email owed as outbox row %s", owed_pk, exc_info=error)
    OutboxEmail.objects.filter(pk=owed_pk).update(
        attempts=F("attempts") + 1,
        tried_at=timezone.now(),
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )


def _render(owed: OutboxEmail) -> int | None:
    """Queue the email and drop it from the outbox; the Message's pk, or None when it
    could not be built (the failure is logged and kept on the row). The caller holds
    the row's lock."""
    owed_pk = owed.pk  # delete() forgets it
    try:
        with transaction.atomic():
            queued = Message.objects.create(
                email=_build(owed.kind, owed.delegate_id, owed.choice_id, owed.given_up_id)
            )
            owed.delete()
    except Exception as error:  # Whatever it is, it must not reach the caller.
        _record_failure(owed_pk, error)
        return None
    return queued.pk


def render_owed(owed_pk: int) -> int | None:
    """Queue one owed email in a transaction of its own; the Message's pk, or None when
    it was queued already, is being queued by someone else, or failed."""
    with transaction.atomic():
        owed = OutboxEmail.objects.select_for_update(skip_locked=True).filter(pk=owed_pk).first()
        return _render(owed) if owed else None


# After the commit ------------------------------------------------------------------
# The change has committed: the person must be told it succeeded, so nothing here may
# raise into their request. What fails is logged and left for the mail worker. Each hook
# is a named function (Django's robust-hook logging reads `__qualname__`, which a
# functools.partial lacks: that logging itself raised, and answered a saved
# registration with a 500); robust=True only guards against what slips through.


def _drop_lost_connection() -> None:
    """A connection the database has ended fails every later query of this request (its
    session is saved after the hooks): close it, so that the next query opens a new one."""
    if (
        not connection.in_atomic_block
        and connection.connection is not None
        and not connection.is_usable()
    ):
        connection.close()


def _send_after_commit(message_pks: list[int]) -> None:
    try:
        _send_now(message_pks)
    except Exception:
        logger.exception(
            "After the commit: could not send queued messages %s; the mail worker will",
            message_pks,
        )
        _drop_lost_connection()


def _render_after_commit(owed_pk: int) -> None:
    try:
        queued = render_owed(owed_pk)
    except Exception:
        logger.exception(
            "After the commit: could not queue the email owed as outbox row %s; "
            "the mail worker's sweep will",
            owed_pk,
        )
        _drop_lost_connection()
        return
    if queued and settings.SEND_MAIL_ON_COMMIT:
        _send_after_commit([queued])


def owed_emails(*, now: dt.datetime | None = None):
    """What the sweep should (re)try: never tried, or failed within RETRY_FOR."""
    now = now or timezone.now()
    return OutboxEmail.objects.filter(Q(attempts=0) | Q(created_at__gte=now - RETRY_FOR))


def send_outbox(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """The mail worker's sweep: queue every owed email, one transaction each, skipping
    rows another server is queueing. Returns (queued, failed)."""
    queued = failed = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            owed = (
                owed_emails(now=now)
                .select_for_update(skip_locked=True)
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .first()
            )
            if owed is None:
                return queued, failed
            last_pk = owed.pk
            if _render(owed):
                queued += 1
            else:
                failed += 1


def _queue(
    kind: str, delegate_pk: int, choice_pk: int | None = None, given_up_pk: int | None = None
) -> None:
    owed = OutboxEmail.objects.create(
        kind=kind, delegate_id=delegate_pk, choice_id=choice_pk, given_up_id=given_up_pk
    )
    owed_pk = owed.pk

    def render_after_commit() -> None:
        _render_after_commit(owed_pk)

    transaction.on_commit(render_after_commit, robust=True)


def notify_registered(*, delegate: Delegate) -> None:
    """Confirmation (place or waitlist), with details, breakouts and the manage link."""
    _queue("registered", delegate.pk)


def notify_manage_link(*, delegate: Delegate) -> None:
    _queue("manage_link", delegate.pk)


def notify_changed(*, delegate: Delegate) -> None:
    _queue("changed", delegate.pk)


def notify_cancelled(*, delegate: Delegate) -> None:
    _queue("cancelled", delegate.pk)


def notify_event_place(*, delegate: Delegate) -> None:
    """Promoted from the event's waitlist."""
    _queue("event_place", delegate.pk)


def notify_breakout_place(*, choice: BreakoutChoice) -> None:
    """Promoted from a breakout session's waitlist."""
    _queue("breakout_place", choice.delegate_id, choice.pk)


def notify_breakout_swap(*, choice: BreakoutChoice, given_up: BreakoutSession) -> None:
    """Promoted from a session's waitlist into the place the delegate was waiting for,
    giving up the place they had kept in `given_up` until then."""
    _queue("breakout_swap", choice.delegate_id, choice.pk, given_up.pk)


def notify_breakout_allocated(*, delegate_pk: int) -> None:
    """Ranked preferences: the places the allocation gave, and why, in plain words."""
    _queue("breakout_allocated", delegate_pk)
