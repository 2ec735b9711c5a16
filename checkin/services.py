"""Checking delegates in, undoing it, and registering walk-ins at the desk.

Lock order: the delegate's row, then its check-ins (registering a walk-in locks the
event first, through symposium.services). Every check-in of a delegate takes the
delegate's row lock first, so desks scanning the same badge at once queue up behind
each other and the second finds the first's check-in.
"""

import datetime as dt
import enum
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from checkin.models import CheckIn, WalkIn
from symposium.enums import RegistrationStatus
from symposium.models import Delegate, Event
from symposium.services import register_delegate

# A desk's clock may run ahead of the server's; a scan is never later than this ahead.
CLOCK_SKEW = dt.timedelta(minutes=2)
UNDO_WITHIN = dt.timedelta(minutes=1)


class Status(enum.StrEnum):
    CHECKED_IN = "checked_in"
    ALREADY = "already"  # checked in before: `check_in` is the earlier one
    UNKNOWN = "unknown"  # not a delegate of this event
    NOT_CONFIRMED = "not_confirmed"  # waitlisted or cancelled


@dataclass(frozen=True)
class Outcome:
    status: Status
    check_in: CheckIn | None = None
    delegate: Delegate | None = None


def _scan_time(at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    if at is None:
        return now
    return min(at, now + CLOCK_SKEW)


def check_in(
    *,
    event: Event,
    delegate_id: int,
    nonce: uuid.UUID,
    at: dt.datetime | None = None,
    desk: str = "",
    by=None,
    sent_offline: bool = False,
    now: dt.datetime | None = None,
) -> Outcome:
    """Check the delegate in, once.

    `at` is when the badge was scanned (a desk that was offline sends it later), `nonce`
    the desk's id for the scan: sending the same scan again changes nothing and gets
    the same answer. When the delegate is already checked in, the earliest scan wins:
    the standing check-in takes this scan's time and desk if this one came first.

    Side effects: locks the delegate row; creates a CheckIn, or moves the standing one
    to an earlier scan.
    """
    now = now or timezone.now()
    at = _scan_time(at, now)
    with transaction.atomic():
        delegate = Delegate.objects.select_for_update().filter(pk=delegate_id, event=event).first()
        if delegate is None:
            return Outcome(Status.UNKNOWN)
        repeated = CheckIn.objects.filter(nonce=nonce, delegate=delegate).first()
        if repeated is not None:
            return Outcome(Status.CHECKED_IN, repeated, delegate)
        if delegate.status != RegistrationStatus.CONFIRMED:
            return Outcome(Status.NOT_CONFIRMED, delegate=delegate)
        standing = CheckIn.objects.filter(delegate=delegate, undone_at__isnull=True).first()
        if standing is None:
            created = CheckIn.objects.create(
                delegate=delegate, at=at, desk=desk, by=by, nonce=nonce, sent_offline=sent_offline
            )
            return Outcome(Status.CHECKED_IN, created, delegate)
        if at < standing.at:
            standing.at, standing.desk, standing.by = at, desk, by
            standing.save(update_fields=["at", "desk", "by"])
        return Outcome(Status.ALREADY, standing, delegate)


def undo_check_in(*, event: Event, nonce: uuid.UUID, now: dt.datetime | None = None) -> bool:
    """Undo a check-in made less than a minute ago (by the server's clock); True if
    done. Side effects: locks the delegate row, stamps the check-in's `undone_at`."""
    now = now or timezone.now()
    with transaction.atomic():
        found = CheckIn.objects.filter(nonce=nonce, delegate__event=event).first()
        if found is None:
            return False
        Delegate.objects.select_for_update().filter(pk=found.delegate_id).first()
        found.refresh_from_db()
        if found.undone_at is not None or now - found.recorded_at > UNDO_WITHIN:
            return False
        found.undone_at = now
        found.save(update_fields=["undone_at"])
        return True


@dataclass(frozen=True)
class WalkInOutcome:
    delegate: Delegate
    # False: the email was already registered (its manage link was emailed again).
    created: bool
    check_in: CheckIn | None = None

    @property
    def needs_organiser(self) -> bool:
        return self.created and self.delegate.status != RegistrationStatus.CONFIRMED


def register_walk_in(
    *,
    event: Event,
    first_name: str,
    last_name: str,
    email: str,
    organisation: str,
    sector: str,
    desk: str = "",
    by=None,
    now: dt.datetime | None = None,
) -> WalkInOutcome:
    """Register someone who turned up without registering, whatever the registration
    window, and check them in if the event has a place; otherwise they join the
    waitlist and the walk-in is flagged for an organiser.

    Side effects: those of symposium.services.register_delegate (event lock, the
    Delegate, the confirmation email); a WalkIn row; a CheckIn when confirmed.
    """
    now = now or timezone.now()
    registration = register_delegate(
        event=event,
        first_name=first_name,
        last_name=last_name,
        email=email,
        organisation=organisation,
        sector=sector,
        now=now,
        enforce_window=False,
    )
    delegate = registration.delegate
    if not registration.created:
        return WalkInOutcome(delegate=delegate, created=False)
    confirmed = delegate.status == RegistrationStatus.CONFIRMED
    WalkIn.objects.create(delegate=delegate, desk=desk, by=by, needs_organiser=not confirmed)
    if not confirmed:
        return WalkInOutcome(delegate=delegate, created=True)
    outcome = check_in(
        event=event, delegate_id=delegate.pk, nonce=uuid.uuid4(), at=now, desk=desk, by=by, now=now
    )
    return WalkInOutcome(delegate=delegate, created=True, check_in=outcome.check_in)
