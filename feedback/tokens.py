"""The survey link: a signed token that opens one delegate's survey invitation.

It carries the invitation's pk and the delegate's access key, signed with SECRET_KEY and
a salt used for nothing else, so the purge (which gives every delegate a new access key)
and an erasure (which deletes the invitation) end it. It names the invitation, never a
response: in anonymous mode nothing the link opens leads to the answers given through it.
"""

from django.core import signing
from django.utils.crypto import constant_time_compare

from feedback.models import SurveyInvitation
from symposium.models import Event

SALT = "feedback.survey-link"


class InvalidSurveyToken(Exception):
    """Tampered, revoked or for another event: the caller shows a plain 404."""


def _signer():
    return signing.Signer(salt=SALT)


def make_survey_token(invitation: SurveyInvitation) -> str:
    return _signer().sign_object({"i": invitation.pk, "k": invitation.delegate.access_key})


def invitation_for_token(*, event: Event, token: str) -> SurveyInvitation:
    """The invitation this token opens (with its survey, event and delegate), or
    InvalidSurveyToken. No side effects."""
    try:
        payload = _signer().unsign_object(token)
        pk, access_key = int(payload["i"]), str(payload["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise InvalidSurveyToken("Bad signature.") from error
    invitation = (
        SurveyInvitation.objects.select_related("survey__event", "delegate")
        .filter(pk=pk, survey__event=event)
        .first()
    )
    if invitation is None or not constant_time_compare(invitation.delegate.access_key, access_key):
        raise InvalidSurveyToken("No such invitation, or its links were revoked.")
    return invitation
