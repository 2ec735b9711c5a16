"""The outbox: emails owed to delegates, written in the transaction of the change they
describe and built once it has committed.

Services call the `notify_*` functions inside their transaction, after the change they
describe. Each adds a small `OutboxEmail` row and queues a `deliver_email` task
(symposium/tasks.py) in that transaction, so a change that rolls back owes no email and
no request builds one. Once it has committed, a task worker builds the email from what
the database then holds and writes it to the django-mailer queue (a `mailer.Message`
row) in a transaction of its own, with the outbox row locked and deleted (so it is built
once), then sends it (symposium/mail_worker.py, at least once). An email that cannot be
built (a template error, an address no mail header can carry) is logged and left in the
outbox with the error, and never turns someone's registration, cancellation or erasure
into an error or a rollback. The mail sweep, a periodic task every 15 seconds, builds
what is left and sends what is queued.

What an email says is the registration app's (registration.emails builds it); what
other apps add to it (check-in's QR code) they register as an extra. Both are hooks the
apps above fill in when they are ready, so any app can owe an email by its kind
without importing the apps that write it.
"""

import datetime as dt
import logging
from collections.abc import Callable
from email.mime.image import MIMEImage
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEMultipart
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from mailer.engine import send_all
from mailer.models import Message

from symposium import background
from symposium.models import Delegate, OutboxEmail

logger = logging.getLogger(__name__)

# The sweep stops retrying an email it has failed to build for this long (it stays in
# the outbox, with its error, for an organiser to see).
RETRY_FOR = dt.timedelta(days=1)

# (kind, delegate_pk, choice_pk, given_up_pk) -> the message: registration.emails.build.
Builder = Callable[[str, int, int | None, int | None], EmailMultiAlternatives]
_builder: Builder | None = None


class Extra(Protocol):
    """A part another app adds to some emails (checkin.emails: the check-in QR code)."""

    def wanted(self, kind: str, delegate: Delegate) -> bool: ...

    def context(self, delegate: Delegate) -> dict: ...

    def attach(self, message: "HtmlEmail", delegate: Delegate) -> None: ...


EXTRAS: list[Extra] = []


def build_with(builder: Builder) -> None:
    global _builder
    _builder = builder


def add_extra(extra: Extra) -> None:
    if extra not in EXTRAS:
        EXTRAS.append(extra)


def build(kind: str, delegate_pk: int, choice_pk=None, given_up_pk=None):
    if _builder is None:
        raise RuntimeError("No app builds the outbox's emails (is `registration` installed?)")
    return _builder(kind, delegate_pk, choice_pk, given_up_pk)


class HtmlEmail(EmailMultiAlternatives):
    """An email whose HTML may show images by Content-ID: the HTML part goes into a
    multipart/related with its images, so mail programs show them in place and do not
    list them as attachments (the calendar stays the only attachment)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.inline_images: list[MIMEImage] = []

    def _create_alternatives(self, msg):
        msg = super()._create_alternatives(msg)
        if not self.inline_images or not msg.is_multipart():
            return msg
        parts = msg.get_payload()
        for index, part in enumerate(parts):
            if part.get_content_type() == "text/html":
                related = SafeMIMEMultipart(
                    _subtype="related", encoding=self.encoding or settings.DEFAULT_CHARSET
                )
                related.attach(part)
                for image in self.inline_images:
                    related.attach(image)
                parts[index] = related
        return msg


def _send_now(message_pks: list[int]) -> None:
    queued = Message.objects.filter(pk__in=message_pks)
    # Not if the worker got there first (send_all would take an empty queryset as
    # "the whole queue").
    if queued.exists():
        send_all(queued)


def _record_failure(owed_pk: int, error: Exception) -> None:
    logger.error("Could not build the email owed as outbox row %s", owed_pk, exc_info=error)
    OutboxEmail.objects.filter(pk=owed_pk).update(
        attempts=F("attempts") + 1,
        tried_at=timezone.now(),
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )


class BuildFailed(Exception):
    """An owed email could not be built (the error is kept on its outbox row)."""


def _render(owed: OutboxEmail, *, raise_errors: bool = False) -> int | None:
    """Queue the email and drop it from the outbox; the Message's pk, or None when it
    could not be built (the failure is logged and kept on the row; with `raise_errors`,
    BuildFailed is then raised, for a task to be retried). The caller holds the row's
    lock."""
    owed_pk = owed.pk  # delete() forgets it
    try:
        with transaction.atomic():
            queued = Message.objects.create(
                email=build(owed.kind, owed.delegate_id, owed.choice_id, owed.given_up_id)
            )
            owed.delete()
    except Exception as error:  # Whatever it is, it must not reach the caller.
        _record_failure(owed_pk, error)
        if raise_errors:
            raise BuildFailed(f"outbox row {owed_pk}: {type(error).__name__}: {error}") from error
        return None
    return queued.pk


def render_owed(owed_pk: int, *, raise_errors: bool = False) -> int | None:
    """Queue one owed email in a transaction of its own; the Message's pk, or None when
    it was queued already, is being queued by someone else, or failed (BuildFailed
    with `raise_errors`). Built once: the row is locked, and goes with the build."""
    with transaction.atomic():
        owed = OutboxEmail.objects.select_for_update(skip_locked=True).filter(pk=owed_pk).first()
        return _render(owed, raise_errors=raise_errors) if owed else None


# After the commit ------------------------------------------------------------------
# The change has committed: the person must be told it succeeded, so nothing here may
# raise into their request. What fails is logged and left for the mail worker. Each hook
# is a named function (Django's robust-hook logging reads `__qualname__`, which a
# functools.partial lacks: that logging itself raised, and answered a saved
# registration with a 500); robust=True only guards against what slips through.


def _drop_lost_connection() -> None:
    """A connection the database has ended fails every later query of this request (its
    session is saved after the hooks): close it, so that the next query opens a new one."""
    if (
        not connection.in_atomic_block
        and connection.connection is not None
        and not connection.is_usable()
    ):
        connection.close()


def _send_after_commit(message_pks: list[int]) -> None:
    try:
        _send_now(message_pks)
    except Exception:
        logger.exception(
            "After the commit: could not send queued messages %s; the mail worker will",
            message_pks,
        )
        _drop_lost_connection()


def _render_after_commit(owed_pk: int) -> None:
    try:
        queued = render_owed(owed_pk)
    except Exception:
        logger.exception(
            "After the commit: could not queue the email owed as outbox row %s; "
            "the mail worker's sweep will",
            owed_pk,
        )
        _drop_lost_connection()
        return
    if queued and settings.SEND_MAIL_ON_COMMIT:
        _send_after_commit([queued])


def owed_emails(*, now: dt.datetime | None = None):
    """What the sweep should (re)try: never tried, or failed within RETRY_FOR."""
    now = now or timezone.now()
    return OutboxEmail.objects.filter(Q(attempts=0) | Q(created_at__gte=now - RETRY_FOR))


def send_outbox(
    *, now: dt.datetime | None = None, older_than: dt.timedelta | None = None
) -> tuple[int, int]:
    """The sweep (symposium.tasks.send_mail, periodic): queue every owed email, one
    transaction each, skipping rows another worker is queueing; with `older_than`,
    only rows owed for that long (newer ones have their own task on the way). Returns
    (queued, failed)."""
    queued = failed = 0
    last_pk = 0
    owed_before = (now or timezone.now()) - older_than if older_than else None
    while True:
        with transaction.atomic():
            candidates = owed_emails(now=now)
            if owed_before is not None:
                candidates = candidates.filter(created_at__lt=owed_before)
            owed = (
                candidates.select_for_update(skip_locked=True)
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .first()
            )
            if owed is None:
                return queued, failed
            last_pk = owed.pk
            if _render(owed):
                queued += 1
            else:
                failed += 1


def _queue(
    kind: str, delegate_pk: int, choice_pk: int | None = None, given_up_pk: int | None = None
) -> None:
    owed = OutboxEmail.objects.create(
        kind=kind, delegate_id=delegate_pk, choice_id=choice_pk, given_up_id=given_up_pk
    )
    owed_pk = owed.pk
    # The request builds nothing: a task, queued in this same transaction, builds the
    # email once it has committed and sends it (without a queue, in this process
    # right after the commit: symposium.background.defer).
    from symposium import tasks

    background.defer(tasks.deliver_email, owed_pk=owed_pk)
    if settings.BACKGROUND_QUEUE and settings.SEND_MAIL_ON_COMMIT:
        # Tests only (SEND_MAIL_ON_COMMIT): built and sent here as well, at once;
        # the task then finds the row gone and does nothing.

        def render_after_commit() -> None:
            _render_after_commit(owed_pk)

        transaction.on_commit(render_after_commit, robust=True)


def notify_registered(*, delegate: Delegate) -> None:
    """Confirmation (place or waitlist), with details, breakouts and the manage link."""
    _queue("registered", delegate.pk)


def notify_manage_link(*, delegate: Delegate) -> None:
    _queue("manage_link", delegate.pk)


def notify_changed(*, delegate: Delegate) -> None:
    _queue("changed", delegate.pk)


def notify_cancelled(*, delegate: Delegate) -> None:
    _queue("cancelled", delegate.pk)


def notify_event_place(*, delegate: Delegate) -> None:
    """Promoted from the event's waitlist."""
    _queue("event_place", delegate.pk)


def notify_breakout_place(*, choice) -> None:
    """Promoted from a breakout session's waitlist."""
    _queue("breakout_place", choice.delegate_id, choice.pk)


def notify_breakout_swap(*, choice, given_up) -> None:
    """Promoted from a session's waitlist into the place the delegate was waiting for,
    giving up the place they had kept in `given_up` until then."""
    _queue("breakout_swap", choice.delegate_id, choice.pk, given_up.pk)


def notify_substituted(*, delegate: Delegate) -> None:
    """The delegate's place has passed to a colleague (registration.services.
    substitute_delegate): built from the replaced registration, which keeps their name
    and address."""
    _queue("substituted", delegate.pk)


def notify_breakout_allocated(*, delegate_pk: int) -> None:
    """Ranked preferences: the places the allocation gave, and why, in plain words."""
    _queue("breakout_allocated", delegate_pk)
