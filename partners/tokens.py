"""The partner lead's password-less link: a signed token that opens their people.

As the delegate's manage link (symposium.tokens): the lead's pk and access key, signed
with SECRET_KEY and a salt used for nothing else, so a manage token is no lead token
and the other way round. A new `PartnerLead.access_key` revokes every link sent so far.
The link opens an event only while the lead leads for it and the event is not over
(the follow-up of their organisation's actions, after the event, asks for it anyway).
"""

from django.core import signing
from django.utils.crypto import constant_time_compare

from partners.models import PartnerLead
from symposium.models import Event
from symposium.tokens import event_is_over

SALT = "partners.lead-link"


class InvalidLeadToken(Exception):
    """Tampered, revoked, for an event they do not lead for, or the event is over: the
    caller shows a plain 404."""


def _signer():
    return signing.TimestampSigner(salt=SALT)


def make_lead_token(lead: PartnerLead) -> str:
    return _signer().sign_object({"l": lead.pk, "k": lead.access_key})


def lead_for_token(*, event: Event, token: str, after_the_event: bool = False) -> PartnerLead:
    """The lead this token opens at this event, or InvalidLeadToken. No side effects.
    One query. With `after_the_event` it opens the lead after the event too (following
    up the actions their organisation owns, outcomes.lead_views): nothing of their
    people, only what comes after."""
    if event_is_over(event) and not after_the_event:
        raise InvalidLeadToken("The event is over.")
    try:
        payload = _signer().unsign_object(token)
        pk, access_key = int(payload["l"]), str(payload["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise InvalidLeadToken("Bad signature.") from error
    lead = (
        PartnerLead.objects.select_related("organisation", "network")
        .filter(pk=pk, events=event)
        .first()
    )
    if lead is None or not constant_time_compare(lead.access_key, access_key):
        raise InvalidLeadToken("No such lead at this event, or their links were revoked.")
    return lead
