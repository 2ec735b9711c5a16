"""What every email to a delegate carries to say where it comes from and why.

- `Auto-Submitted: auto-generated` (RFC 3834) on every email, the ones a delegate's
  own action causes, the automatic messages and the organisers' mailings alike: each
  copy is made and sent by the portal, not typed to that person, and an autoresponder
  that honours the header sends no out-of-office reply to the event's contact inbox.
  Exchange (nhs.net, most councils) also reads `X-Auto-Response-Suppress`; mailings to
  many also say `Precedence: bulk`, which older autoresponders look for.
- A `Message-ID` in the site's own domain (SITE_URL's host), made when the email is
  built and stored with it, so that a copy sent twice (a mail worker killed between
  the mail server's "accepted" and the queue's "sent") carries the same Message-ID and
  mail programs can show it once.
- A footer saying why the person gets the email, with the event's privacy notice.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import make_msgid
from django.urls import reverse


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def message_id() -> str:
    return make_msgid(domain=site_domain())


def headers(*, bulk: bool = False) -> dict[str, str]:
    """Headers for one email to a delegate; `bulk` for a mailing to many."""
    headers = {
        "Message-ID": message_id(),
        "Auto-Submitted": "auto-generated",
        # Not "All": delivery failures must still come back.
        "X-Auto-Response-Suppress": "OOF, AutoReply",
    }
    if bulk:
        headers["Precedence"] = "bulk"
    return headers


def privacy_url(event) -> str:
    return settings.SITE_URL + reverse("symposium:privacy", kwargs={"slug": event.slug})
