"""The password-less manage link: a signed token that opens one registration.

The token carries the delegate's pk and access key, signed with SECRET_KEY and a salt
used for nothing else. Rotating `Delegate.access_key` therefore revokes every link sent
so far. A link stops changing anything when the event is over (it still opens the
delegate's own data until the purge), and optionally after
`settings.MANAGE_LINK_MAX_AGE` (seconds or a timedelta) whatever the event's dates.
"""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from symposium.models import Delegate, Event

SALT = "symposium.manage-link"


class InvalidManageToken(Exception):
    """Tampered, revoked, expired or for another event: the caller shows a plain 404."""


def _signer():
    return signing.TimestampSigner(salt=SALT)


def token_payload(delegate: Delegate) -> dict:
    return {"d": delegate.pk, "k": delegate.access_key}


def make_manage_token(delegate: Delegate) -> str:
    return _signer().sign_object(token_payload(delegate))


def manage_link_expires_at(event: Event) -> dt.datetime:
    """Midnight at the start of the day after the event's last day, plus any extra days
    `settings.MANAGE_LINK_DAYS_AFTER_EVENT` allows (default 0)."""
    extra_days = getattr(settings, "MANAGE_LINK_DAYS_AFTER_EVENT", 0)
    last_day = event.ends_on + dt.timedelta(days=1 + extra_days)
    return timezone.make_aware(dt.datetime.combine(last_day, dt.time.min))


def event_is_over(event: Event, *, now: dt.datetime | None = None) -> bool:
    return (now or timezone.now()) >= manage_link_expires_at(event)


def delegate_for_manage_token(
    *, event: Event, token: str, now: dt.datetime | None = None, after_the_event: bool = False
) -> Delegate:
    """The delegate this token opens, or InvalidManageToken. No side effects.

    Once the event is over the link no longer changes anything; with `after_the_event`
    it still opens the registration for the delegate's own data (a copy, or erasure)
    until the event's personal data is purged, which gives every delegate a new access
    key and so ends every link."""
    if event_is_over(event, now=now) and not after_the_event:
        raise InvalidManageToken("The event is over.")
    try:
        payload = _signer().unsign_object(
            token, max_age=getattr(settings, "MANAGE_LINK_MAX_AGE", None)
        )
        pk, access_key = int(payload["d"]), str(payload["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise InvalidManageToken("Bad or expired signature.") from error
    # Their needs (if any) in the same query: the manage page fills its form with them.
    delegate = Delegate.objects.select_related("event", "needs").filter(pk=pk, event=event).first()
    if delegate is None or not constant_time_compare(delegate.access_key, access_key):
        raise InvalidManageToken("No such registration, or its links were revoked.")
    return delegate
