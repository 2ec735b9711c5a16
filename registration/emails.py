"""Emails to delegates: plain text and HTML, with their own calendar and manage link.

What each kind of email says, built from what the database holds when it is built.
symposium.outbox owes the emails (`outbox.notify_*`), builds them through `build` (which
this app registers when it is ready) and queues them; see there for when and how.
"""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.template.loader import render_to_string
from django.urls import reverse

from breakouts.allocation_services import allocation_lines
from breakouts.models import BreakoutChoice, BreakoutSession
from breakouts.services import delegate_choices
from symposium import mail_identity, outbox
from symposium.enums import RegistrationStatus
from symposium.ics import delegate_calendar
from symposium.models import Delegate, DelegateNeeds
from symposium.selectors import event_hours
from symposium.text import one_line
from symposium.tokens import make_manage_token

logger = logging.getLogger(__name__)


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
        "substituted": f"Your place at {event} has passed to a colleague",
    }[kind]


def build(
    kind: str, delegate_pk: int, choice_pk: int | None, given_up_pk: int | None = None
) -> outbox.HtmlEmail:
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
        context["allocation_lines"] = allocation_lines(delegate=delegate)
    extras = [extra for extra in outbox.EXTRAS if extra.wanted(kind, delegate)]
    for extra in extras:
        context |= extra.context(delegate)
    message = outbox.HtmlEmail(
        subject=_subject(kind, delegate),
        body=render_to_string(f"emails/{kind}.txt", context)
        + render_to_string("emails/_footer.txt", context),
        to=[_address(delegate.email)],
        reply_to=_reply_to(delegate.event),
        headers=mail_identity.headers(),
    )
    message.attach_alternative(render_to_string(f"emails/{kind}.html", context), "text/html")
    for extra in extras:
        extra.attach(message, delegate)
    if delegate.status == RegistrationStatus.CONFIRMED and kind != "manage_link":
        message.attach(
            f"{delegate.event.slug}.ics", calendar_file(delegate, choices), "text/calendar"
        )
    return message
