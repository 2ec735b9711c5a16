"""What a partner lead does to their people's registrations, with the audit line
written in the same transaction. The rules themselves are registration.services'
(substitute_delegate, cancel_registration); which registrations are the lead's is
partners.selectors.lead_delegates', which the views check before calling these."""

from django.db import transaction

from partners.models import LeadAction, PartnerLead
from partners.services import record_lead_action
from registration import services
from symposium.enums import RegistrationStatus
from symposium.models import Delegate, Event


def substitute_for_lead(*, lead: PartnerLead, delegate: Delegate, **colleague) -> Delegate:
    """registration.services.substitute_delegate, recorded in the lead's audit."""
    with transaction.atomic():
        replacement = services.substitute_delegate(delegate=delegate, **colleague)
        record_lead_action(
            lead=lead,
            action=LeadAction.SUBSTITUTED,
            event=delegate.event,
            delegate=delegate,
            colleague=replacement,
            details=f"{delegate.full_name} <{delegate.email}> replaced by "
            f"{replacement.full_name} <{replacement.email}>",
        )
    return replacement


def cancel_for_lead(*, lead: PartnerLead, delegate: Delegate) -> Delegate:
    """registration.services.cancel_registration (waitlists move up), recorded in the
    lead's audit; a registration cancelled already is left alone and not recorded."""
    with transaction.atomic():
        # The event's lock first (the lock order), so that the status read is the one
        # cancelling finds: two leads' clicks record one cancellation.
        Event.objects.select_for_update().filter(pk=delegate.event_id).first()
        was = Delegate.objects.filter(pk=delegate.pk).values_list("status", flat=True).first()
        cancelled = services.cancel_registration(delegate=delegate)
        if was != RegistrationStatus.CANCELLED:
            record_lead_action(
                lead=lead,
                action=LeadAction.CANCELLED,
                event=delegate.event,
                delegate=cancelled,
                details=f"{cancelled.full_name} <{cancelled.email}>",
            )
    return cancelled
