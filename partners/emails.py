"""The email that gives a partner lead their link. Built by a worker
(partners.tasks.email_lead_link), never in a request."""

from django.conf import settings
from django.core.validators import validate_email
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from partners.models import PartnerLead
from partners.quotas import QuotaUse
from partners.tokens import make_lead_token
from symposium import mail_identity, outbox
from symposium.models import Event
from symposium.text import one_line


def lead_url(*, lead: PartnerLead, event: Event) -> str:
    path = reverse(
        "registration:partner-lead",
        kwargs={"event_slug": event.slug, "token": make_lead_token(lead)},
    )
    return f"{settings.SITE_URL}{path}"


def build_lead_link(*, lead: PartnerLead, event: Event) -> outbox.HtmlEmail:
    validate_email(lead.email)  # Nothing a mail header cannot carry.
    context = {"lead": lead, "event": event, "lead_url": lead_url(lead=lead, event=event)}
    message = outbox.HtmlEmail(
        subject=f"Your link to your people at {one_line(event.name)}",
        body=render_to_string("partners/emails/lead_link.txt", context),
        to=[lead.email],
        reply_to=[event.contact_email] if event.contact_email else None,
        headers=mail_identity.headers(),
    )
    message.attach_alternative(
        render_to_string("partners/emails/lead_link.html", context), "text/html"
    )
    return message


def build_quota_warning(*, lead: PartnerLead, use: QuotaUse) -> outbox.HtmlEmail:
    """The warning, before a quota's release, that its unused seats return to the
    general pool."""
    validate_email(lead.email)
    event = use.quota.event
    context = {"lead": lead, "event": event, "use": use, "quota": use.quota}
    message = outbox.HtmlEmail(
        subject=f"Your places at {one_line(event.name)}: "
        f"unused seats are released on {timezone.localtime(use.quota.release_at):%-d %B}",
        body=render_to_string("partners/emails/quota_warning.txt", context),
        to=[lead.email],
        reply_to=[event.contact_email] if event.contact_email else None,
        headers=mail_identity.headers(),
    )
    message.attach_alternative(
        render_to_string("partners/emails/quota_warning.html", context), "text/html"
    )
    return message
