"""Emails to delegates: plain text and HTML, with their own calendar and manage link.

Services call the `notify_*` functions inside their transaction, after the change they
describe. Each builds the email from what the database then holds and writes it to the
django-mailer queue (a `mailer.Message` row) in that same transaction: a change that
rolls back leaves no email, and a mail server that is down never turns a saved
registration into an error. The worker (`manage.py runmailer`, and `retry_deferred`
for the messages it had to put aside) sends the queue.
"""

from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from mailer.engine import send_all
from mailer.models import Message

from breakouts.models import BreakoutChoice, BreakoutSession
from breakouts.services import delegate_choices
from symposium.enums import RegistrationStatus
from symposium.ics import delegate_calendar
from symposium.models import Delegate, DelegateNeeds
from symposium.tokens import make_manage_token


def manage_url(delegate: Delegate) -> str:
    path = reverse(
        "registration:manage",
        kwargs={"event_slug": delegate.event.slug, "token": make_manage_token(delegate)},
    )
    return f"{settings.SITE_URL}{path}"


def calendar_file(delegate: Delegate, choices) -> bytes:
    agenda = delegate.event.agenda_items.select_related("room").order_by("starts_at", "pk")
    return delegate_calendar(delegate, agenda, choices)


def _subject(kind, delegate, choice):
    event = delegate.event.name
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
    }[kind]


def _build(kind: str, delegate_pk: int, choice_pk: int | None, **extra) -> EmailMultiAlternatives:
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
        "choices": choices,
        "choice": choice,
        "has_needs": DelegateNeeds.objects.filter(delegate=delegate).exists(),
        "manage_url": manage_url(delegate) if active else "",
        "register_url": settings.SITE_URL
        + reverse("registration:register", kwargs={"event_slug": delegate.event.slug}),
        **extra,
    }
    message = EmailMultiAlternatives(
        subject=_subject(kind, delegate, choice),
        body=render_to_string(f"emails/{kind}.txt", context),
        to=[delegate.email],
        reply_to=[delegate.event.contact_email] if delegate.event.contact_email else None,
    )
    message.attach_alternative(render_to_string(f"emails/{kind}.html", context), "text/html")
    if delegate.status == RegistrationStatus.CONFIRMED and kind != "manage_link":
        message.attach(
            f"{delegate.event.slug}.ics", calendar_file(delegate, choices), "text/calendar"
        )
    return message


def _send_now(message_pk: int) -> None:
    queued = Message.objects.filter(pk=message_pk)
    # Not if the worker got there first (send_all would take an empty queryset as
    # "the whole queue").
    if queued.exists():
        send_all(queued)


def _queue(kind: str, delegate_pk: int, choice_pk: int | None = None, **extra) -> None:
    # Always the queue, whatever EMAIL_BACKEND says (this is what mailer's DbBackend
    # does): sending here would block the request on the mail server, and a rollback
    # could not take it back.
    queued = Message.objects.create(email=_build(kind, delegate_pk, choice_pk, **extra))
    if settings.SEND_MAIL_ON_COMMIT:
        transaction.on_commit(partial(_send_now, queued.pk), robust=True)


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
    _queue("breakout_swap", choice.delegate_id, choice.pk, given_up=given_up)
