"""Breakout places: choosing, freeing and promoting from the waitlist.

Every function that changes places locks the sessions involved with
`select_for_update()`, always in pk order so that two transactions never wait on
each other, counts the confirmed places, then writes. Callers that also lock the
event or delegates do so *before* calling these (event, then delegates, then
sessions), which keeps one lock order across the whole portal.

A lock on a session is a lock on every session of its round. A delegate moving from
a place to a full session keeps the place until the new one has room (a swap: the
queued choice `replaces` the place). When it gets room the place is given up, which
frees room in another session of the round, whose queue may hold another swap, and
so on: a promotion can reach any session of the round, so all of them are locked
before anything changes, and never one more later.

A session's queue is its waitlisted choices of *confirmed* delegates, oldest first
(`created_at`, then `pk`). A delegate on the event's own waitlist may choose
breakouts, but those choices are held as waitlisted and take no place and no queue
position until the delegate is given a place at the event (`claim_held_choices`).

Nothing here sends email: functions return the choices they promoted, and
`registration.services` tells the people concerned.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice, BreakoutSession
from symposium import audit, page_cache
from symposium.enums import RegistrationStatus
from symposium.models import Delegate


@dataclass
class ChoiceChanges:
    """What `set_breakout_choices` did: the delegate's new and removed choices, and
    other delegates' choices promoted into the places they freed."""

    added: list[BreakoutChoice] = field(default_factory=list)
    removed: list[BreakoutChoice] = field(default_factory=list)
    promoted: list[BreakoutChoice] = field(default_factory=list)
    freed: list[int] = field(default_factory=list, repr=False)

    def remove(self, choice: BreakoutChoice) -> None:
        BreakoutChoice.objects.filter(pk=choice.pk).delete()
        self.removed.append(choice)
        if choice.status == ChoiceStatus.CONFIRMED:
            self.freed.append(choice.session_id)

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
    """The delegate's choice in each round, in agenda order, with session, theme, room,
    round and `waitlist_position`, in one query. Each has `waiting_for`: the queued
    choice that will replace this place when its session has room (a swap), or None."""
    choices = BreakoutChoice.objects.filter(delegate=delegate).select_related(
        "session__theme", "session__room", "session__agenda_item"
    )
    choices = list(with_waitlist_positions(choices).order_by("agenda_item__starts_at", "pk"))
    swaps = {choice.replaces_id: choice for choice in choices if choice.replaces_id}
    places = [choice for choice in choices if not choice.replaces_id]
    for choice in places:
        choice.waiting_for = swaps.get(choice.pk)
    return places


def places_taken(*, session: BreakoutSession) -> int:
    return BreakoutChoice.objects.filter(session=session, status=ChoiceStatus.CONFIRMED).count()


# Writes ------------------------------------------------------------------------------


def lock_sessions(*, session_ids: Iterable[int]) -> dict[int, BreakoutSession]:
    """Lock the sessions' rows and those of every other session in their rounds until
    the transaction ends, in pk order (no deadlocks). Returns them all by pk.

    Must run inside `transaction.atomic()`. Locking a row already held is a no-op.
    """
    ids = set(session_ids)
    if not ids:
        return {}
    # Places are about to change, some by QuerySet.update(), which sends no signal.
    page_cache.places_changed()
    rounds = BreakoutSession.objects.filter(pk__in=ids).values("agenda_item_id")
    # No select_related: FOR UPDATE would lock the joined rows too.
    sessions = (
        BreakoutSession.objects.select_for_update()
        .filter(agenda_item_id__in=Subquery(rounds))
        .order_by("pk")
    )
    return {session.pk: session for session in sessions}


def _has_room(session: BreakoutSession) -> bool:
    return places_taken(session=session) < session.capacity


def _new_choice(*, delegate: Delegate, session: BreakoutSession) -> BreakoutChoice:
    """Confirmed if the delegate has a place at the event and the session has room;
    otherwise waitlisted. The caller holds the session's lock."""
    status = (
        ChoiceStatus.CONFIRMED
        if _has_room(session) and delegate.status == RegistrationStatus.CONFIRMED
        else ChoiceStatus.WAITLISTED
    )
    return BreakoutChoice.objects.create(delegate=delegate, session=session, status=status)


def _promote(locked: dict[int, BreakoutSession], session_id: int) -> list[BreakoutChoice]:
    """Fill the locked session's free places from the front of its queue.

    A promoted swap gives up the place it replaces, and that session is filled in
    turn. Each promoted choice has `given_up`: the session of the place it replaced,
    or None. `locked` holds every session of the round (see `lock_sessions`).
    """
    promoted, to_fill = [], [session_id]
    while to_fill:
        session = locked[to_fill.pop(0)]
        free = session.capacity - places_taken(session=session)
        if free <= 0:
            continue
        front = list(
            _queue(session.pk).select_related("delegate", "replaces__session__theme")[:free]
        )
        given_up = [choice.replaces for choice in front if choice.replaces_id]
        # Deleted first: until then the delegate holds a place in this round already.
        BreakoutChoice.objects.filter(pk__in=[place.pk for place in given_up]).delete()
        BreakoutChoice.objects.filter(pk__in=[choice.pk for choice in front]).update(
            status=ChoiceStatus.CONFIRMED, replaces=None, updated_at=timezone.now()
        )
        for choice in front:
            choice.given_up = choice.replaces.session if choice.replaces_id else None
            choice.status, choice.replaces = ChoiceStatus.CONFIRMED, None
        promoted += front
        audit.log_actions(
            audit.entry(
                event=choice.delegate.event_id,
                action="breakouts.promoted",
                delegate=choice.delegate_id,
                data={
                    "choice_id": choice.pk,
                    "session_id": session.pk,
                    "swap": bool(choice.given_up),
                },
            )
            for choice in front
        )
        to_fill += [
            place.session_id for place in given_up if place.status == ChoiceStatus.CONFIRMED
        ]
    return promoted


def promote_from_session_waitlist(*, session: BreakoutSession) -> list[BreakoutChoice]:
    """Give the session's free places to the first people in its queue.

    Side effects: locks the session; turns waitlisted choices into confirmed ones.
    Returns the promoted choices; sends no email (see registration.services).
    """
    with transaction.atomic():
        return _promote(lock_sessions(session_ids=[session.pk]), session.pk)


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


def _choices_by_round(delegate: Delegate) -> dict[int, tuple[BreakoutChoice, BreakoutChoice]]:
    """{round pk: (the delegate's choice, the swap waiting to replace it or None)}."""
    choices = list(BreakoutChoice.objects.filter(delegate=delegate))
    swaps = {choice.replaces_id: choice for choice in choices if choice.replaces_id}
    return {
        choice.agenda_item_id: (choice, swaps.get(choice.pk))
        for choice in choices
        if not choice.replaces_id
    }


def _change_round(
    changes: ChoiceChanges,
    *,
    delegate: Delegate,
    place: BreakoutChoice | None,
    swap: BreakoutChoice | None,
    session: BreakoutSession | None,
    give_up: bool,
) -> None:
    """Make one round's choices stand for `session` (None: no breakout)."""
    if session is None:
        for choice in filter(None, (swap, place)):
            changes.remove(choice)
        return
    if (swap or place) and (swap or place).session_id == session.pk:
        return
    if swap:
        changes.remove(swap)
    if place and place.session_id == session.pk:
        return  # Back to the place kept: the swap is called off.
    if place and place.status == ChoiceStatus.CONFIRMED and not give_up and not _has_room(session):
        swap = BreakoutChoice.objects.create(
            delegate=delegate, session=session, status=ChoiceStatus.WAITLISTED, replaces=place
        )
        changes.added.append(swap)
        return
    if place:
        changes.remove(place)
    changes.added.append(_new_choice(delegate=delegate, session=session))


def set_breakout_choices(
    *,
    delegate: Delegate,
    sessions: Iterable[BreakoutSession],
    give_up_rounds: Collection[int] = (),
    new_delegate: bool = False,
) -> ChoiceChanges:
    """Make the delegate's choices exactly `sessions` (at most one per round).

    A choice already held in a wanted session is kept as it is (place or queue
    position). Other choices are removed and new ones join their session: confirmed
    if it has room and the delegate has a place at the event, otherwise waitlisted
    at the back of the queue. Moving from a place to a full session keeps the place
    until the new session has room (a swap, see `_promote`), unless the round's pk is
    in `give_up_rounds`; choosing the kept place's session again calls the swap off.
    Places freed go to the front of each session's queue.

    Side effects: locks the sessions of the rounds concerned (pk order); deletes,
    creates and promotes BreakoutChoice rows, which may complete other delegates'
    swaps. The caller should hold the delegate's row lock when the delegate already
    exists. Raises ValidationError for sessions of another event or two sessions in
    one round.

    `new_delegate`: the delegate was created in the caller's transaction (which must
    be open), so has no choice yet: three queries, however many rounds.
    """
    if new_delegate and transaction.get_connection().in_atomic_block:
        return _first_choices(delegate=delegate, sessions=sessions)
    with transaction.atomic():
        rounds = _validated_rounds(delegate=delegate, sessions=sessions)
        current = _choices_by_round(delegate)
        standing = {
            round_id: (swap or place).session_id for round_id, (place, swap) in current.items()
        }
        if standing == rounds:
            return ChoiceChanges()
        locked = lock_sessions(session_ids=[*standing.values(), *rounds.values()])
        # Read again under the locks: a promotion may have just given one of these
        # choices a place, or completed a swap. Neither changes what a round stands for.
        current = _choices_by_round(delegate)
        changes = ChoiceChanges()
        for round_id in sorted(current.keys() | rounds.keys()):
            place, swap = current.get(round_id, (None, None))
            session_id = rounds.get(round_id)
            _change_round(
                changes,
                delegate=delegate,
                place=place,
                swap=swap,
                session=locked[session_id] if session_id else None,
                give_up=round_id in give_up_rounds,
            )
        for session_id in changes.freed:
            changes.promoted += _promote(locked, session_id)
        return changes


def _first_choices(*, delegate: Delegate, sessions: Iterable[BreakoutSession]) -> ChoiceChanges:
    """`set_breakout_choices` for a delegate with no choice yet: lock the wanted
    sessions' rounds (checking them against the event), count their places, write the
    choices. Confirmed or waitlisted as `_new_choice` decides."""
    wanted_ids = {session.pk for session in sessions}
    if not wanted_ids:
        return ChoiceChanges()
    page_cache.places_changed()
    rounds = BreakoutSession.objects.filter(
        pk__in=wanted_ids, theme__event_id=delegate.event_id
    ).values("agenda_item_id")
    # Every session of those rounds, in pk order, as `lock_sessions` locks them.
    locked = {
        session.pk: session
        for session in BreakoutSession.objects.select_for_update()
        .filter(agenda_item_id__in=Subquery(rounds))
        .order_by("pk")
    }
    wanted = [locked[pk] for pk in sorted(wanted_ids) if pk in locked]
    if len(wanted) != len(wanted_ids):
        raise ValidationError("Choose breakouts at this event.")
    if len({session.agenda_item_id for session in wanted}) != len(wanted):
        raise ValidationError("Choose at most one breakout in each round.")
    taken = dict(
        BreakoutChoice.objects.filter(session__in=wanted, status=ChoiceStatus.CONFIRMED)
        .values("session")
        .annotate(count=Count("pk"))
        .values_list("session", "count")
    )
    with_place = delegate.status == RegistrationStatus.CONFIRMED
    BreakoutChoice.objects.bulk_create(
        BreakoutChoice(
            delegate=delegate,
            session=session,
            agenda_item_id=session.agenda_item_id,
            status=ChoiceStatus.CONFIRMED
            if with_place and taken.get(session.pk, 0) < session.capacity
            else ChoiceStatus.WAITLISTED,
        )
        for session in wanted
    )
    return ChoiceChanges()


def first_choices_statements(
    *, delegate_pk: int, event_pk: int, session_ids: Collection[int]
) -> tuple[str, list]:
    """`_first_choices` as two SQL statements, for a caller that sends them in one round
    trip with its own, under the event's lock (registration.services._register_new): lock
    every session of the wanted rounds (pk order, as `lock_sessions`), then write the
    delegate's choices, each confirmed if the delegate is confirmed (as the caller's
    earlier statement left them) and the session has room, counted after its lock;
    their time is the delegate's (the queue's order is the order of the decisions).
    The second statement returns (session, round) of each choice written: give them to
    `check_first_choices`. Page-cache versions are the caller's (`places_changed`)."""
    session = BreakoutSession._meta.db_table
    choice = BreakoutChoice._meta.db_table
    theme = BreakoutSession._meta.get_field("theme").related_model._meta.db_table
    delegate = Delegate._meta.db_table
    wanted = ", ".join(["%s"] * len(session_ids))
    ids = sorted(session_ids)
    sql = (
        # Table names from the models; every value a parameter.
        f"SELECT id FROM {session} WHERE agenda_item_id IN (SELECT s.agenda_item_id FROM "  # noqa: S608
        f"{session} s JOIN {theme} t ON t.id = s.theme_id WHERE s.id IN ({wanted}) AND "
        f"t.event_id = %s) ORDER BY id FOR UPDATE; "
        f"INSERT INTO {choice} (created_at, updated_at, delegate_id, session_id, "
        f"agenda_item_id, status) SELECT d.created_at, d.created_at, d.id, s.id, "
        f"s.agenda_item_id, CASE WHEN "
        f"d.status = %s AND (SELECT count(*) FROM {choice} c WHERE c.session_id = s.id "
        f"AND c.status = %s) < s.capacity THEN %s ELSE %s END FROM {session} s JOIN "
        f"{theme} t ON t.id = s.theme_id, {delegate} d WHERE d.id = %s AND s.id IN "
        f"({wanted}) AND t.event_id = %s ORDER BY s.id RETURNING session_id, agenda_item_id"
    )
    params = [
        *ids,
        event_pk,
        RegistrationStatus.CONFIRMED,
        ChoiceStatus.CONFIRMED,
        ChoiceStatus.CONFIRMED,
        ChoiceStatus.WAITLISTED,
        delegate_pk,
        *ids,
        event_pk,
    ]
    return sql, params


def check_first_choices(*, written: list[tuple[int, int]], session_ids: Collection[int]):
    """Refuse, as `_first_choices` does, choices that `first_choices_statements` could
    not write (a session of another event) or wrote twice in a round; the caller's
    transaction is then rolled back."""
    if len(written) != len(set(session_ids)):
        raise ValidationError("Choose breakouts at this event.")
    if len({round_id for _, round_id in written}) != len(written):
        raise ValidationError("Choose at most one breakout in each round.")


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


def give_places(*, places: dict[int, list[int]]) -> list[BreakoutChoice]:
    """Give many delegates their sessions at once ({delegate pk: [session pk, ...]}),
    as an allocation does, by the rule of `_new_choice`: a place if the session has room
    and the delegate has a place at the event, otherwise waitlisted. A round in which the
    delegate already has a choice is left as it is.

    Side effects: locks the sessions (pk order); creates BreakoutChoice rows. The caller
    holds the event's lock. Raises ValidationError for a session of another event.
    """
    with transaction.atomic():
        locked = lock_sessions(session_ids=[pk for pks in places.values() for pk in pks])
        taken = dict(
            BreakoutChoice.objects.filter(session_id__in=locked, status=ChoiceStatus.CONFIRMED)
            .order_by()
            .values("session_id")
            .annotate(count=Count("*"))
            .values_list("session_id", "count")
        )
        delegates = Delegate.objects.select_related("event").in_bulk(places)
        held = set(
            BreakoutChoice.objects.filter(delegate_id__in=places).values_list(
                "delegate_id", "agenda_item_id"
            )
        )
        event_ids = set(
            BreakoutSession.objects.filter(pk__in=locked).values_list("theme__event_id", flat=True)
        )
        if len(event_ids | {d.event_id for d in delegates.values()}) > 1:
            raise ValidationError("Give places in the delegates' own event's breakouts.")
        new = []
        for delegate_id, session_ids in sorted(places.items()):
            for session_id in session_ids:
                session = locked[session_id]
                if (delegate_id, session.agenda_item_id) in held:
                    continue
                held.add((delegate_id, session.agenda_item_id))
                has_room = taken.get(session_id, 0) < session.capacity
                confirmed = has_room and delegates[delegate_id].status == (
                    RegistrationStatus.CONFIRMED
                )
                taken[session_id] = taken.get(session_id, 0) + confirmed
                new.append(
                    BreakoutChoice(
                        delegate_id=delegate_id,
                        session=session,
                        agenda_item_id=session.agenda_item_id,
                        status=ChoiceStatus.CONFIRMED if confirmed else ChoiceStatus.WAITLISTED,
                    )
                )
        created = BreakoutChoice.objects.bulk_create(new)
        audit.log_actions(
            audit.entry(
                event=delegates[choice.delegate_id].event_id,
                action="breakouts.places_given",
                delegate=choice.delegate_id,
                data={
                    "choice_id": choice.pk,
                    "session_id": choice.session_id,
                    "status": choice.status,
                },
            )
            for choice in created
        )
        return created
