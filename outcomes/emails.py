"""The email that gives a facilitator their link. Built by a worker
(outcomes.tasks.email_facilitator_link), never in a request."""

from django.conf import settings
from django.core.validators import validate_email
from django.template.loader import render_to_string
from django.urls import reverse

from outcomes.models import SessionOutcome
from outcomes.tokens import make_facilitator_token
from partners.models import PartnerLead
from partners.tokens import make_lead_token
from symposium import mail_identity, outbox
from symposium.models import Event
from symposium.text import one_line


def facilitator_url(outcome: SessionOutcome) -> str:
    path = reverse(
        "outcomes:facilitator",
        kwargs={
            "event_slug": outcome.session.theme.event.slug,
            "token": make_facilitator_token(outcome),
        },
    )
    return f"{settings.SITE_URL}{path}"


def build_facilitator_link(*, outcome: SessionOutcome) -> outbox.HtmlEmail:
    validate_email(outcome.facilitator_email)  # Nothing a mail header cannot carry.
    session = outcome.session
    event = session.theme.event
    context = {
        "outcome": outcome,
        "session": session,
        "event": event,
        "facilitator_url": facilitator_url(outcome),
    }
    message = outbox.HtmlEmail(
        subject=f"Record the outcomes of your breakout at {one_line(event.name)}",
        body=render_to_string("outcomes/emails/facilitator_link.txt", context),
        to=[outcome.facilitator_email],
        reply_to=[event.contact_email] if event.contact_email else None,
        headers=mail_identity.headers(),
    )
    message.attach_alternative(
        render_to_string("outcomes/emails/facilitator_link.html", context), "text/html"
    )
    return message


def follow_up_url(*, lead: PartnerLead, event: Event) -> str:
    path = reverse(
        "outcome_actions:list", kwargs={"event_slug": event.slug, "token": make_lead_token(lead)}
    )
    return f"{settings.SITE_URL}{path}"


def build_follow_up_link(*, lead: PartnerLead, event: Event) -> outbox.HtmlEmail:
    """A partner lead's link to follow up the actions their organisation agreed to lead."""
    validate_email(lead.email)
    context = {"lead": lead, "event": event, "follow_up_url": follow_up_url(lead=lead, event=event)}
    message = outbox.HtmlEmail(
        subject=f"The actions {one_line(str(lead.leads_for))} agreed at {one_line(event.name)}",
        body=render_to_string("outcomes/emails/follow_up_link.txt", context),
        to=[lead.email],
        reply_to=[event.contact_email] if event.contact_email else None,
        headers=mail_identity.headers(),
    )
    message.attach_alternative(
        render_to_string("outcomes/emails/follow_up_link.html", context), "text/html"
    )
    return message
