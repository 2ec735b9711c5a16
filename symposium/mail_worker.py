"""The mail worker: sends django-mailer's queue one message at a time, and retries what
the mail server put off within a minute. It runs on the task queue (symposium.tasks:
each email's own task sends it, and the sweep every 15 seconds the rest).

Delivery is at least once, never exactly once. For each message, in this order:

1. claim: the next message not put aside is locked (SELECT ... FOR UPDATE SKIP LOCKED)
   in a transaction of its own; another worker skips it and takes the next one;
2. send: one SMTP transaction, while the lock is held;
3. mark: the message is deleted from the queue and its success logged, and the
   transaction commits.

A worker that dies before the commit releases the lock (PostgreSQL rolls back the
transaction of a connection that closes), so nothing is lost: the next worker sends
that message again. If the mail server had already accepted it, that delegate gets
it twice, and only that message: one duplicate at most per crash. No program can do
better against SMTP: the server's "250 accepted" and our "sent" are two writes in two
systems, and a crash can always fall between them (SMTP has no two-phase commit and
no way to ask "did you already accept this?"). Waiting to mark it sent before sending
would lose it instead. The copy sent twice carries the same Message-ID (made when the
email was built, `symposium.mail_identity`), so most mail programs show it once.

A message the server refuses for now (a 4xx, a dropped connection, a timeout) is put
aside (django-mailer's "deferred"), its time of failure kept in `when_added`, and
comes back after 5, 10, 20, 40 seconds, then every minute
(`MAILER_RETRY_FIRST_SECONDS`, `MAILER_RETRY_MAX_SECONDS`) until
`MAILER_EMAIL_MAX_RETRIES` tries; a message refused for good (5xx for every
recipient) is not retried. When the mail server cannot be reached at all, no message
is touched: the worker waits, 5 seconds doubling to a minute, and tries again. So
`retry_deferred` from cron is no longer needed.
"""

import datetime as dt
import logging
import smtplib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.mail import get_connection
from django.db import close_old_connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from mailer.models import (
    PRIORITY_DEFERRED,
    PRIORITY_MEDIUM,
    RESULT_FAILURE,
    RESULT_SUCCESS,
    Message,
    MessageLog,
    get_message_id,
)

from symposium import mail_identity

logger = logging.getLogger(__name__)

SENT, DEFERRED, DISCARDED = "sent", "deferred", "discarded"


class ServerUnreachable(Exception):
    """No connection to the mail server: nothing was sent, no message is to blame."""


def _first_delay() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "MAILER_RETRY_FIRST_SECONDS", 5))


def _max_delay() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "MAILER_RETRY_MAX_SECONDS", 60))


def retry_delay(retries: int) -> dt.timedelta:
    """How long a message put aside `retries` times before waits: doubling, capped."""
    return min(_first_delay() * 2 ** min(retries, 20), _max_delay())


def retry_due(*, now: dt.datetime | None = None) -> int:
    """Put back into the queue every deferred message whose wait is over, in one UPDATE.
    Returns how many."""
    now = now or timezone.now()
    due, retries = Q(), 0
    while retry_delay(retries) < _max_delay():
        due |= Q(retry_count=retries, when_added__lte=now - retry_delay(retries))
        retries += 1
    due |= Q(retry_count__gte=retries, when_added__lte=now - _max_delay())
    waiting = Message.objects.deferred().filter(due)
    max_retries = getattr(settings, "MAILER_EMAIL_MAX_RETRIES", None)
    if max_retries is not None:
        waiting = waiting.filter(retry_count__lt=max_retries)
    return waiting.update(priority=PRIORITY_MEDIUM, retry_count=F("retry_count") + 1)


def _refused_for_good(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return False


class MailWorker:
    """Sends the queue through MAILER_EMAIL_BACKEND over one connection, kept open while
    there is mail to send."""

    def __init__(self):
        self.connection = None

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # A dead connection may fail to close: it is dropped anyway.
                logger.debug("Closing the mail connection failed", exc_info=True)
            self.connection = None

    def _connect(self):
        if self.connection is None:
            self.connection = get_connection(backend=settings.MAILER_EMAIL_BACKEND)
        try:
            self.connection.open()
        except Exception as error:
            self.close()
            raise ServerUnreachable(str(error)) from error
        return self.connection

    def send_next(self, *, now: dt.datetime | None = None) -> str | None:
        """Claim, send and mark the next message (see the module's docstring). Returns
        SENT, DEFERRED, DISCARDED (unreadable, dropped), or None when no message is
        waiting. Raises ServerUnreachable, leaving the message in the queue as it was.
        Lock: one Message row, for the SMTP transaction."""
        return self._send_first(
            Message.objects.non_deferred().order_by("priority", "when_added", "pk"), now=now
        )

    def send_message(self, pk: int, *, now: dt.datetime | None = None) -> str | None:
        """As `send_next`, for the message `pk` only: None when it is gone (sent by
        another worker) or another worker holds it, or it was put aside meanwhile."""
        return self._send_first(Message.objects.non_deferred().filter(pk=pk), now=now)

    def _send_first(self, messages, *, now) -> str | None:
        with transaction.atomic():
            message = messages.select_for_update(skip_locked=True).first()
            if message is None:
                return None
            email = message.email
            if email is None:
                logger.warning("Message %s could not be read from the queue: dropped", message.pk)
                message.delete()
                return DISCARDED
            if get_message_id(email) is None:  # Queued by code that did not set one.
                email.extra_headers["Message-ID"] = mail_identity.message_id()
            email.connection = self._connect()
            try:
                email.send()
            except Exception as error:
                email.connection = None
                self.close()  # Whatever state the conversation is in, start afresh.
                self._put_aside(message, email, error, now=now or timezone.now())
                return DEFERRED
            email.connection = None
            message.email = email  # With its Message-ID, for the log.
            MessageLog.objects.log(message, RESULT_SUCCESS)
            message.delete()
        return SENT

    @staticmethod
    def _put_aside(message, email, error, *, now) -> None:
        for_good = _refused_for_good(error)
        logger.warning(
            "Message %s %s: %s", message.pk, "refused" if for_good else "put aside", error
        )
        message.email = email
        message.priority = PRIORITY_DEFERRED
        message.when_added = now  # The wait before the next try counts from now.
        if for_good:
            message.retry_count = max(
                message.retry_count, getattr(settings, "MAILER_EMAIL_MAX_RETRIES", 0) or 0
            )
        message.save()
        MessageLog.objects.log(message, RESULT_FAILURE, log_message=str(error)[:2000])


def run(
    *,
    once: bool = False,
    stop: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, int]:
    """Send until stopped (`once`: until nothing is waiting to be sent now). Deferred
    messages come back as their wait ends; an unreachable server is tried again after
    a wait that doubles up to a minute. Returns counts of what happened."""
    worker = MailWorker()
    counts = {SENT: 0, DEFERRED: 0, DISCARDED: 0, "unreachable": 0}
    idle = getattr(settings, "MAILER_EMPTY_QUEUE_SLEEP", 5)
    pause = _first_delay()
    retried_at = 0.0
    try:
        while not stop():
            if time.monotonic() - retried_at >= 1:  # Not one UPDATE per message sent.
                retry_due()
                retried_at = time.monotonic()
            try:
                outcome = worker.send_next()
            except ServerUnreachable as error:
                counts["unreachable"] += 1
                logger.warning("Mail server unreachable (%s): next try in %s", error, pause)
                if once:
                    break
                sleep(pause.total_seconds())
                pause = min(pause * 2, _max_delay())
                continue
            pause = _first_delay()
            if outcome is not None:
                counts[outcome] += 1
                continue
            worker.close()
            if once:
                break
            close_old_connections()
            sleep(idle)
    finally:
        worker.close()
    return counts
