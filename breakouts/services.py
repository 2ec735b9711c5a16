"""Breakout places: choosing, freeing and promoting from the waitlist.

Every function that changes places locks the sessions involved with
`select_for_update()`, always in pk order so that two transactions never wait on
each other, counts the confirmed places, then writes. Callers that also lock the
event or delegates do so *before* calling these (event, then delegates, then
sessions), which keeps one lock order across the whole portal.

A session's queue is its waitlisted choices of *confirmed* delegates, oldest first
(`created_at`, then `pk`). A delegate on the event's own waitlist may choose
breakouts, but those choices are held as waitlisted and take no place and no queue
position until the delegate is given a place at the event (`claim_held_choices`).

Nothing here sends email: functions return the choices they promoted, and
`symposium.services` tells the people concerned.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice, BreakoutSession
from symposium import page_cache
from symposium.enums import RegistrationStatus
from symposium.models import Delegate


@dataclass
class ChoiceChanges:
    """What `set_breakout_choices` did: the delegate's new and removed choices, and
    other delegates' choices promoted into the places they freed."""

    added: list[BreakoutChoice] = field(default_factory=list)
    removed: list[BreakoutChoice] = field(default_factory=list)
    promoted: list[BreakoutChoice] = field(default_factory=list)

    def __bool__(self):
        return bool(self.added or self.removed)


# Reads -------------------------------------------------------------------------------


def _queue(session_id: int) -> QuerySet[BreakoutChoice]:
    return BreakoutChoice.objects.filter(
        session_id=session_id,
        status=ChoiceStatus.WAITLISTED,
        delegate__status=RegistrationStatus.CONFIRMED,
    ).order_by("created_at", "pk")


def with_waitlist_positions(queryset: QuerySet[BreakoutChoice]) -> QuerySet[BreakoutChoice]:
    """Annotate `waitlist_position`: 1 + the queued choices in the same session created
    before this one (ties by pk); None for a confirmed place or a held choice."""
    ahead = (
        _queue(OuterRef("session_id"))
        .filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("session_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return queryset.annotate(
        waitlist_position=Case(
            When(
                status=ChoiceStatus.WAITLISTED,
                delegate__status=RegistrationStatus.CONFIRMED,
                then=Coalesce(Subquery(ahead, output_field=IntegerField()), 0) + 1,
            ),
            default=None,
            output_field=IntegerField(),
        )
    )


def delegate_choices(*, delegate: Delegate) -> list[BreakoutChoice]:
    """The delegate's choices in agenda order, with session, theme, room, round and
    `waitlist_position`, in one query."""
    choices = BreakoutChoice.objects.filter(delegate=delegate).select_related(
        "session__theme", "session__room", "session__agenda_item"
    )
    return list(with_waitlist_positions(choices).order_by("agenda_item__starts_at", "pk"))


def places_taken(*, session: BreakoutSession) -> int:
    return BreakoutChoice.objects.filter(session=session, status=ChoiceStatus.CONFIRMED).count()


# Writes ------------------------------------------------------------------------------


def lock_sessions(*, session_ids: Iterable[int]) -> dict[int, BreakoutSession]:
    """Lock the sessions' rows until the transaction ends, in pk order (no deadlocks).

    Must run inside `transaction.atomic()`. Locking a row already held is a no-op.
    """
    ids = sorted(set(session_ids))
    if not ids:
        return {}
    # Places are about to change, some by QuerySet.update(), which sends no signal.
    page_cache.live_changed()
    # No select_related: FOR UPDATE would lock the joined rows too.
    sessions = BreakoutSession.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return {session.pk: session for session in sessions}


def _new_choice(*, delegate: Delegate, session: BreakoutSession) -> BreakoutChoice:
    """Confirmed if the delegate has a place at the event and the session has room;
    otherwise waitlisted. The caller holds the session's lock."""
    has_room = places_taken(session=session) < session.capacity
    status = (
        ChoiceStatus.CONFIRMED
        if has_room and delegate.status == RegistrationStatus.CONFIRMED
        else ChoiceStatus.WAITLISTED
    )
    return BreakoutChoice.objects.create(delegate=delegate, session=session, status=status)


def _promote(session: BreakoutSession) -> list[BreakoutChoice]:
    """Fill the locked session's free places from the front of its queue."""
    free = session.capacity - places_taken(session=session)
    if free <= 0:
        return []
    promoted = list(_queue(session.pk)[:free])
    BreakoutChoice.objects.filter(pk__in=[choice.pk for choice in promoted]).update(
        status=ChoiceStatus.CONFIRMED, updated_at=timezone.now()
    )
    for choice in promoted:
        choice.status = ChoiceStatus.CONFIRMED
    return promoted


def promote_from_session_waitlist(*, session: BreakoutSession) -> list[BreakoutChoice]:
    """Give the session's free places to the first people in its queue.

    Side effects: locks the session; turns waitlisted choices into confirmed ones.
    Returns the promoted choices; sends no email (see symposium.services).
    """
    with transaction.atomic():
        locked = lock_sessions(session_ids=[session.pk])[session.pk]
        return _promote(locked)


def _validated_rounds(*, delegate: Delegate, sessions: Iterable[BreakoutSession]) -> dict:
    """{round pk: session pk} for the wanted sessions, checked against the event."""
    wanted_ids = {session.pk for session in sessions}
    rows = BreakoutSession.objects.filter(
        pk__in=wanted_ids, theme__event_id=delegate.event_id
    ).values_list("pk", "agenda_item_id")
    rounds = {}
    for session_id, round_id in rows:
        if round_id in rounds:
            raise ValidationError("Choose at most one breakout in each round.")
        rounds[round_id] = session_id
    if len(rounds) != len(wanted_ids):
        raise ValidationError("Choose breakouts at this event.")
    return rounds


def set_breakout_choices(
    *, delegate: Delegate, sessions: Iterable[BreakoutSession]
) -> ChoiceChanges:
    """Make the delegate's choices exactly `sessions` (at most one per round).

    A choice already held in a wanted session is kept as it is (place or queue
    position). Other choices are removed and new ones join their session: confirmed
    if it has room and the delegate has a place at the event, otherwise waitlisted
    at the back of the queue. Places freed go to the front of each session's queue.

    Side effects: locks the sessions concerned (pk order); deletes, creates and
    promotes BreakoutChoice rows. The caller should hold the delegate's row lock
    when the delegate already exists. Raises ValidationError for sessions of another
    event or two sessions in one round.
    """
    with transaction.atomic():
        rounds = _validated_rounds(delegate=delegate, sessions=sessions)
        wanted = set(rounds.values())
        current = dict(
            BreakoutChoice.objects.filter(delegate=delegate).values_list("session_id", "pk")
        )
        to_remove = [pk for session_id, pk in current.items() if session_id not in wanted]
        to_add = sorted(wanted - current.keys())
        changes = ChoiceChanges()
        if not (to_remove or to_add):
            return changes
        locked = lock_sessions(session_ids=[sid for sid in current if sid not in wanted] + to_add)
        # Read the removed choices again under the locks: a promotion may have just
        # given one of them a place, which leaving now frees.
        changes.removed = list(BreakoutChoice.objects.filter(pk__in=to_remove))
        BreakoutChoice.objects.filter(pk__in=to_remove).delete()
        for session_id in to_add:
            changes.added.append(_new_choice(delegate=delegate, session=locked[session_id]))
        for choice in changes.removed:
            if choice.status == ChoiceStatus.CONFIRMED:
                changes.promoted += _promote(locked[choice.session_id])
        return changes


def release_breakout_choices(*, delegate: Delegate) -> list[BreakoutChoice]:
    """Delete all the delegate's choices (cancellation) and fill the places freed.

    Side effects: locks the sessions concerned; deletes the delegate's choices;
    promotes the front of each freed session's queue. Returns the promoted choices.
    """
    return set_breakout_choices(delegate=delegate, sessions=()).promoted


def claim_held_choices(*, delegate: Delegate) -> list[BreakoutChoice]:
    """After the delegate is given a place at the event, turn their held choices into
    places where sessions have room; the others join the back of their queue.

    Side effects: locks the sessions concerned; updates the delegate's choices.
    Returns the choices that became confirmed.
    """
    with transaction.atomic():
        held = list(
            BreakoutChoice.objects.filter(delegate=delegate, status=ChoiceStatus.WAITLISTED)
        )
        locked = lock_sessions(session_ids=[choice.session_id for choice in held])
        confirmed = []
        for choice in held:
            now = timezone.now()
            if places_taken(session=locked[choice.session_id]) < locked[choice.session_id].capacity:
                choice.status = ChoiceStatus.CONFIRMED
                BreakoutChoice.objects.filter(pk=choice.pk).update(
                    status=ChoiceStatus.CONFIRMED, updated_at=now
                )
                confirmed.append(choice)
            else:
                # Joining the queue now: people already waiting with a place at the
                # event stay ahead.
                BreakoutChoice.objects.filter(pk=choice.pk).update(created_at=now, updated_at=now)
        return confirmed
