"""Emails held in django-mailer's tables about given delegates, for erasure and purge.

django-mailer keeps each queued or deferred email as a pickled `EmailMessage` in
`mailer_message.message_data`, and its send log (`mailer_messagelog`) can keep one too
(`MAILER_EMAIL_LOG_MESSAGE_DATA`, off here) plus the mail server's error, which may name
the recipient. Nothing in those rows says which delegate an email is about: it is read
from the email itself. An email is about a delegate when it is addressed to them or
names their address anywhere, carries one of their manage links (the token names the
registration, whatever its access key since), or names them in full, unless it is
addressed to someone else of that same name (whose own email it is). A name of one
word alone is not taken to name anyone.
"""

import html
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core import signing
from django.db.models.functions import Lower
from mailer.models import Message, MessageLog, db_to_email

from symposium.models import Delegate
from symposium.tokens import SALT

# What `TimestampSigner.sign_object` makes: payload:timestamp:signature, URL-safe.
TOKEN = re.compile(r"\.?[\w-]{8,}:[\w-]{4,}:[\w-]{20,}")
# An iCalendar line longer than 75 octets goes on in the next one, after a space.
FOLDED = re.compile(r"\r?\n[ \t]")


@dataclass(frozen=True)
class Person:
    pk: int
    email: str
    full_name: str
    last_name: str

    @classmethod
    def of(cls, delegate: Delegate) -> "Person":
        return cls(
            delegate.pk,
            delegate.email.strip().casefold(),
            " ".join(delegate.full_name.split()).casefold(),
            delegate.last_name.strip().casefold(),
        )

    @property
    def named(self) -> bool:
        return bool(self.last_name) and " " in self.full_name


def _text(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    return str(value)


def email_text(email) -> str:
    """Everything a person could read in the email, headers to attachments, as one
    string: HTML entities decoded, iCalendar lines unfolded."""
    parts = [
        email.subject,
        email.from_email,
        *email.to,
        *email.cc,
        *email.bcc,
        *email.reply_to,
        *map(_text, email.extra_headers.values()),
        _text(email.body),
    ]
    parts += [_text(content) for content, _ in getattr(email, "alternatives", [])]
    for attachment in email.attachments:
        content = attachment[1] if isinstance(attachment, tuple) else attachment.get_payload()
        parts.append(_text(content))
    return FOLDED.sub("", html.unescape("\n".join(parts)))


def recipients(email) -> set[str]:
    return {address.casefold() for address in [*email.to, *email.cc, *email.bcc]}


def _token_delegates(text: str) -> set[int]:
    found = set()
    for token in TOKEN.findall(text):
        try:
            payload = signing.TimestampSigner(salt=SALT).unsign_object(token)
            found.add(int(payload["d"]))
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            continue
    return found


class Matcher:
    """Tells whether an email's text is about any of `people`."""

    def __init__(self, people: Iterable[Person]):
        people = list(people)
        self.pks = {person.pk for person in people}
        self.addresses = {person.email for person in people if person.email}
        named = [person for person in people if person.named]
        self.names = {person.full_name for person in named}
        words = sorted(self.addresses | self.names, key=len, reverse=True)
        # Whole words only: ann@example.org is not in joann@example.org.
        alternatives = "|".join(map(re.escape, words))
        self.pattern = re.compile(rf"(?<![\w.+-])(?:{alternatives})(?!\w)") if words else None
        self.namesakes = self._namesakes(named)

    @staticmethod
    def _namesakes(people) -> dict[str, set[str]]:
        """Other delegates' addresses, by full name, for the names of `people`."""
        others = (
            Delegate.objects.exclude(pk__in=[person.pk for person in people])
            .annotate(last=Lower("last_name"))
            .filter(last__in={person.last_name for person in people})
            .only("first_name", "last_name", "email")
        )
        namesakes = defaultdict(set)
        for other in others.iterator():
            namesakes[" ".join(other.full_name.split()).casefold()].add(other.email.casefold())
        return namesakes

    def about(self, text: str, to: set[str] = frozenset()) -> bool:
        if self.pks & _token_delegates(text):
            return True
        if self.pattern is None:
            return False
        text = " ".join(text.split()).casefold() if self.names else text.casefold()
        for found in {match.group() for match in self.pattern.finditer(text)}:
            if found in self.addresses:
                return True
            # A name only: not the email of someone else who has that name.
            if not (to & self.namesakes.get(found, set())):
                return True
        return False


def _message_about(matcher: Matcher, message_data: str) -> bool:
    email = db_to_email(message_data) if message_data else None
    return email is not None and matcher.about(email_text(email), recipients(email))


def forget(*, people: Iterable[Person]) -> int:
    """Delete every queued, deferred and logged email about these people; how many.

    Side effects: deletes mailer Message rows (locking them; a row the worker is
    sending is waited for, and is then gone) and MessageLog rows. Run it inside the
    transaction that erases or anonymises the people, after their rows are locked:
    an email queued by a later transaction is built from what that one reads.
    """
    matcher = Matcher(people)
    queued = [
        message.pk
        for message in Message.objects.only("pk", "message_data").order_by("pk").iterator()
        if _message_about(matcher, message.message_data)
    ]
    logged = [
        log.pk
        for log in MessageLog.objects.only("pk", "message_data", "log_message", "message_id")
        .order_by("pk")
        .iterator()
        if _message_about(matcher, log.message_data)
        or matcher.about(f"{log.log_message}\n{log.message_id or ''}")
    ]
    deleted, _ = Message.objects.filter(pk__in=queued).delete()
    logs_deleted, _ = MessageLog.objects.filter(pk__in=logged).delete()
    return deleted + logs_deleted
