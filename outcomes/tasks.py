"""Facilitators' emails on the task queue (symposium.background)."""

from django.db import close_old_connections, connection

from outcomes.emails import build_facilitator_link, build_follow_up_link
from outcomes.models import SessionOutcome
from partners.models import PartnerLead
from partners.tasks import _send
from symposium import background
from symposium.models import Event


@background.task()
def email_facilitator_link(*, outcome_pk: int) -> None:
    """Build the facilitator's link into django-mailer's queue and send it. Nothing for
    outcomes deleted since, or without an address any more."""
    try:
        outcome = (
            SessionOutcome.objects.select_related("session__theme__event", "session__agenda_item")
            .filter(pk=outcome_pk)
            .exclude(facilitator_email="")
            .first()
        )
        if outcome is not None:
            _send(build_facilitator_link(outcome=outcome))
    finally:
        # As after a request (symposium.tasks): the worker's thread keeps a connection
        # only while it is usable; not when called inside a caller's transaction.
        if not connection.in_atomic_block:
            close_old_connections()


@background.task()
def email_follow_up_link(*, lead_pk: int, event_pk: int) -> None:
    """Build and send a partner lead their link to follow up their organisation's
    actions. Nothing for a lead deleted or no longer leading for the event since."""
    try:
        lead = PartnerLead.objects.filter(pk=lead_pk, events=event_pk).first()
        event = Event.objects.filter(pk=event_pk).first()
        if lead is not None and event is not None:
            _send(build_follow_up_link(lead=lead, event=event))
    finally:
        if not connection.in_atomic_block:
            close_old_connections()
