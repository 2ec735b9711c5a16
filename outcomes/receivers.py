"""What outcomes hear from the apps below: the event's personal data purged, and the
links registration's pages offer (registration.hooks)."""

from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse

from outcomes import selectors, services
from outcomes.models import OutcomeStatus, SessionOutcome
from registration.hooks import Link
from registration.privacy import event_purged
from symposium import page_cache


@receiver(event_purged, dispatch_uid="outcomes-forget-facilitators")
def forget_facilitators(sender, event, **kwargs):
    services.forget_facilitators(event=event)


def outcomes_link(*, event) -> list[Link]:
    """The event's home page links to its outcomes once one is published (publishing
    starts a new version of the page cache). One query."""
    if not selectors.has_published_outcomes(event=event):
        return []
    return [Link(reverse("outcomes:public", args=[event.slug]), "Outcomes: sharing good practice")]


def lead_actions_link(*, lead, event, token) -> list[Link]:
    """A partner lead's page links to the follow-up of the actions their organisation
    owns, when it owns a published one. One query."""
    if not selectors.lead_actions(lead=lead, event=event).exists():
        return []
    url = reverse("outcome_actions:list", kwargs={"event_slug": event.slug, "token": token})
    return [Link(url, f"Follow up the actions {lead.leads_for} agreed to lead")]


@receiver(post_delete, sender=SessionOutcome, dispatch_uid="outcomes-deleted-page-cache")
def outcome_deleted(sender, instance, **kwargs):
    # The home page's link to the outcomes may have to go (publishing and taking back
    # start a new version themselves, in outcomes.services).
    if instance.status == OutcomeStatus.PUBLISHED:
        page_cache.content_changed()
