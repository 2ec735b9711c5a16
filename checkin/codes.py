"""The check-in code: what a delegate's QR code holds and the desk reads out.

`<delegate pk>-<8 characters>`, e.g. `1234-K7M2Q9XR`: an HMAC of the event and the
delegate with SECRET_KEY and a salt of its own. It is not the manage link's token
(another salt, another shape, no access key): it opens nothing and changes nothing, it
only lets a desk of the same event find the delegate. Short enough to read out; the
alphabet (Crockford's base 32) has no I, L, O or U to mishear.

After SECRET_KEY is rotated, codes made with a key in SECRET_KEY_FALLBACKS (printed on
badges, sent in emails) are still accepted; new ones are made with the new key.
"""

import base64
import re

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from symposium.models import Delegate

SALT = "checkin.code"
MAC_LENGTH = 8
CROCKFORD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "ABCDEFGHJKMNPQRSTVWXYZ0123456789")
SHAPE = re.compile(r"^(\d{1,12})([0-9A-Z]{8})$")


def _mac(event_id: int, delegate_id: int, *, secret=None) -> str:
    digest = salted_hmac(
        SALT, f"{event_id}:{delegate_id}", secret=secret, algorithm="sha256"
    ).digest()
    return base64.b32encode(digest).decode()[:MAC_LENGTH].translate(CROCKFORD)


def check_in_code(delegate: Delegate) -> str:
    return f"{delegate.pk}-{_mac(delegate.event_id, delegate.pk)}"


def normalise(code: str) -> str:
    """What a person typed: spaces gone (and any dash: the hyphen is optional, and a
    phone may type another dash), upper case, O read as 0 and I or L as 1."""
    code = re.sub(r"[\s\-\u2010-\u2015\u2212]+", "", code).upper()
    return code.replace("O", "0").replace("I", "1").replace("L", "1")


def delegate_id_for_code(*, event_id: int, code: str) -> int | None:
    """The delegate's pk if the code is this event's, else None. No query."""
    match = SHAPE.match(normalise(code))
    if not match:
        return None
    delegate_id = int(match[1])
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        if constant_time_compare(match[2], _mac(event_id, delegate_id, secret=secret)):
            return delegate_id
    return None
