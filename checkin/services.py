"""Checking delegates in, undoing it, and registering walk-ins at the desk.

Lock order: the delegate's row, then its check-ins (registering a walk-in locks the
event first, through registration.services). Every check-in of a delegate takes the
delegate's row lock first, so desks scanning the same badge at once queue up behind
each other and the second finds the first's check-in.
"""

import datetime as dt
import enum
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from checkin.models import CheckIn, WalkIn
from partners.services import find_organisation
from registration.services import register_delegate
from symposium import audit
from symposium.enums import RegistrationStatus
from symposium.models import Delegate, Event

# A desk's clock may run ahead of the server's; a scan is never later than this ahead.
CLOCK_SKEW = dt.timedelta(minutes=2)
UNDO_WITHIN = dt.timedelta(minutes=1)
# Before the event's first day a desk is being tried out: its scans of the last day count.
TRY_OUT = dt.timedelta(days=1)


class Status(enum.StrEnum):
    CHECKED_IN = "checked_in"
    ALREADY = "already"  # checked in before: `check_in` is the earlier one
    UNKNOWN = "unknown"  # not a delegate of this event
    NOT_CONFIRMED = "not_confirmed"  # waitlisted or cancelled
    REFUSED = "refused"  # this scan cannot be taken: `reason` says why
    UNDONE = "undone"  # the scan was undone (by its nonce) before or after it arrived


class Reason(enum.StrEnum):
    NONCE_REUSED = "This scan's id was already used for another delegate."
    TOO_EARLY = "The scan's time is before the event's first day: check the desk's clock."


@dataclass(frozen=True)
class Outcome:
    status: Status
    check_in: CheckIn | None = None
    delegate: Delegate | None = None
    reason: str = ""


def _scan_time(at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    if at is None:
        return now
    return min(at, now + CLOCK_SKEW)


def earliest_scan(*, event: Event, now: dt.datetime) -> dt.datetime:
    """No check-in is dated before the event's first day (00:00 in the event's time
    zone); before that day, while a desk is being tried out, not before a day ago."""
    first_day = timezone.make_aware(dt.datetime.combine(event.starts_on, dt.time.min))
    return first_day if now >= first_day else now - TRY_OUT


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

    Refused, with a reason and nothing changed: a nonce already used for another
    delegate (a desk's bug must not stop the rest of its queue), and a scan dated
    before the event (`earliest_scan`: a desk whose clock says 1970). A nonce that was
    undone before its scan arrived (`undo_check_in`) answers UNDONE.

    Side effects: locks the delegate row; creates a CheckIn, or moves the standing one
    to an earlier scan.
    """
    now = now or timezone.now()
    at = _scan_time(at, now)
    with transaction.atomic():
        delegate = Delegate.objects.select_for_update().filter(pk=delegate_id, event=event).first()
        if delegate is None:
            return Outcome(Status.UNKNOWN)
        repeated = CheckIn.objects.filter(nonce=nonce).first()
        if repeated is not None and repeated.delegate_id != delegate.pk:
            return Outcome(Status.REFUSED, delegate=delegate, reason=Reason.NONCE_REUSED)
        if repeated is not None:
            if repeated.undone_at is not None:
                return Outcome(Status.UNDONE, repeated, delegate)
            return Outcome(Status.CHECKED_IN, repeated, delegate)
        if delegate.status != RegistrationStatus.CONFIRMED:
            return Outcome(Status.NOT_CONFIRMED, delegate=delegate)
        if at < earliest_scan(event=event, now=now):
            return Outcome(Status.REFUSED, delegate=delegate, reason=Reason.TOO_EARLY)
        standing = CheckIn.objects.filter(delegate=delegate, undone_at__isnull=True).first()
        if standing is None:
            try:
                # A savepoint: the same nonce sent for another delegate at this very
                # moment (another row lock) is refused here, not a 500.
                with transaction.atomic():
                    created = CheckIn.objects.create(
                        delegate=delegate,
                        at=at,
                        desk=desk,
                        by=by,
                        nonce=nonce,
                        sent_offline=sent_offline,
                    )
            except IntegrityError:
                return Outcome(Status.REFUSED, delegate=delegate, reason=Reason.NONCE_REUSED)
            _log_check_in(event, "checkin.checked_in", created, by=by)
            return Outcome(Status.CHECKED_IN, created, delegate)
        if at < standing.at:
            standing.at, standing.desk, standing.by = at, desk, by
            standing.save(update_fields=["at", "desk", "by"])
        return Outcome(Status.ALREADY, standing, delegate)


def _log_check_in(event: Event, action: str, check_in: CheckIn, *, by=None) -> None:
    audit.log_action(
        event=event,
        action=action,
        actor=by,
        delegate=check_in.delegate_id,
        data={
            "check_in_id": check_in.pk,
            "desk": check_in.desk,
            "sent_offline": check_in.sent_offline,
        },
    )


def undo_check_in(
    *,
    event: Event,
    nonce: uuid.UUID,
    delegate_id: int | None = None,
    at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> bool:
    """Undo the scan with this nonce; True if it is undone (now or before: sending the
    same undo again, after a lost answer, gets the same True).

    Allowed within UNDO_WITHIN of the scan, by the desk's time of the undo (`at`, which
    an offline desk sends later) or by the server's clock. A desk may undo a scan whose
    answer it never saw, or that has not reached the server yet: given the delegate, an
    undone check-in is kept under the nonce, so the scan, if it arrives later, changes
    nothing and is answered UNDONE.

    Side effects: locks the delegate row; stamps the check-in's `undone_at`, or creates
    an undone one for a scan not seen yet.
    """
    now = now or timezone.now()
    undo_at = _scan_time(at, now)
    with transaction.atomic():
        found = CheckIn.objects.filter(nonce=nonce, delegate__event=event).first()
        if found is None:
            if delegate_id is None:
                return False
            delegate = (
                Delegate.objects.select_for_update().filter(pk=delegate_id, event=event).first()
            )
            if delegate is None:
                return False
            # Read again under the lock: the scan may have committed while we waited.
            found = CheckIn.objects.filter(nonce=nonce, delegate__event=event).first()
            if found is None:
                if CheckIn.objects.filter(nonce=nonce).exists():
                    return False  # another event's, or another delegate's, nonce
                undone = CheckIn.objects.create(
                    delegate=delegate, at=undo_at, nonce=nonce, undone_at=now
                )
                _log_check_in(event, "checkin.undone", undone)
                return True
        else:
            Delegate.objects.select_for_update().filter(pk=found.delegate_id).first()
        found.refresh_from_db()
        if found.undone_at is not None:
            return True
        in_time = undo_at - found.at <= UNDO_WITHIN or now - found.recorded_at <= UNDO_WITHIN
        if not in_time:
            return False
        found.undone_at = now
        found.save(update_fields=["undone_at"])
        _log_check_in(event, "checkin.undone", found)
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

    Side effects: those of registration.services.register_delegate (event lock, the
    Delegate, its directory affiliation as a public registration's, the confirmation
    email); a WalkIn row; a CheckIn when confirmed.
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
        directory_entry=find_organisation(organisation) if organisation else None,
    )
    delegate = registration.delegate
    if not registration.created:
        return WalkInOutcome(delegate=delegate, created=False)
    confirmed = delegate.status == RegistrationStatus.CONFIRMED
    with transaction.atomic():
        walk_in = WalkIn.objects.create(
            delegate=delegate, desk=desk, by=by, needs_organiser=not confirmed
        )
        audit.log_action(
            event=event,
            action="checkin.walk_in",
            actor=by,
            delegate=delegate,
            data={"walk_in_id": walk_in.pk, "desk": desk, "needs_organiser": not confirmed},
        )
    if not confirmed:
        return WalkInOutcome(delegate=delegate, created=True)
    outcome = check_in(
        event=event, delegate_id=delegate.pk, nonce=uuid.uuid4(), at=now, desk=desk, by=by, now=now
    )
    return WalkInOutcome(delegate=delegate, created=True, check_in=outcome.check_in)
