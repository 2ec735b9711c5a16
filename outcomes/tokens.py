"""The facilitator's password-less link: a signed token that opens one session's
outcomes.

As the delegate's manage link (symposium.tokens): the outcome's pk and access key,
signed with SECRET_KEY and a salt used for nothing else, so no other link's token opens
it. A new `SessionOutcome.access_key` ends every link sent so far. The link works after
the event (that is when facilitators write up): for edits until the outcomes are
published, then read-only.
"""

from django.core import signing
from django.utils.crypto import constant_time_compare

from outcomes.models import SessionOutcome
from symposium.models import Event

SALT = "outcomes.facilitator-link"


class InvalidFacilitatorToken(Exception):
    """Tampered, revoked, or for another event: the caller shows a plain 404."""


def _signer():
    return signing.TimestampSigner(salt=SALT)


def make_facilitator_token(outcome: SessionOutcome) -> str:
    return _signer().sign_object({"o": outcome.pk, "k": outcome.access_key})


def outcome_for_token(*, event: Event, token: str, lock: bool = False) -> SessionOutcome:
    """The outcome this token opens at this event, or InvalidFacilitatorToken. With
    `lock`, its row is locked (inside the caller's transaction). One query."""
    try:
        payload = _signer().unsign_object(token)
        pk, access_key = int(payload["o"]), str(payload["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise InvalidFacilitatorToken("Bad signature.") from error
    outcomes = SessionOutcome.objects.select_related("session__theme", "session__agenda_item")
    if lock:
        outcomes = outcomes.select_for_update(of=("self",))
    outcome = outcomes.filter(pk=pk, session__theme__event=event).first()
    if outcome is None or not constant_time_compare(outcome.access_key, access_key):
        raise InvalidFacilitatorToken("No such outcome at this event, or its links were revoked.")
    return outcome
