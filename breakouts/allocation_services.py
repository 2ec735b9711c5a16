"""Ranked breakout preferences and their allocation: the rules that change data.

For events whose `breakout_allocation` is ranked: delegates rank up to three sessions
per round until an organiser confirms an allocation run; the run is computed by
`breakouts.allocation` and its places are written by `breakouts.services.give_places`,
so capacity rules are the same as everywhere. Lock order as in symposium.services: the
event row, then delegates, then sessions in pk order.
"""

import time
from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from breakouts import allocation
from breakouts import services as breakout_services
from breakouts.enums import ChoiceStatus, RunStatus
from breakouts.models import (
    MAX_RANK,
    AllocationRun,
    BreakoutChoice,
    BreakoutPreference,
    BreakoutSession,
)
from symposium import emails
from symposium.enums import RegistrationStatus, Sector
from symposium.models import Delegate, Event

# Preferences --------------------------------------------------------------------------


def _wanted_preferences(*, delegate: Delegate, preferences: Mapping) -> dict:
    """{(round pk, rank): session pk}, checked: the event's sessions, in their round,
    each once, at most three a round."""
    wanted = {}
    for round_id, sessions in preferences.items():
        sessions = list(sessions)
        if len(sessions) > MAX_RANK:
            raise ValidationError(f"Rank at most {MAX_RANK} breakouts in each round.")
        if len({session.pk for session in sessions}) != len(sessions):
            raise ValidationError("Choose a breakout only once in each round.")
        for rank, session in enumerate(sessions, start=1):
            if session.agenda_item_id != round_id or session.theme.event_id != delegate.event_id:
                raise ValidationError("Choose breakouts of this event, in their own round.")
            wanted[round_id, rank] = session.pk
    return wanted


def set_preferences(
    *,
    delegate: Delegate,
    preferences: Mapping[int, Sequence[BreakoutSession]],
    after_allocation: bool = False,
) -> bool:
    """Make the delegate's ranked choices exactly `preferences` ({round pk: sessions,
    first choice first}). True if they changed.

    Until places are allocated; after that only for a new registration
    (`after_allocation=True`), whose places `place_by_preference` then gives.
    Side effects: deletes and creates BreakoutPreference rows. Raises ValidationError
    for a session twice, of another event or round, more than three a round, or a change
    after the allocation.
    """
    wanted = _wanted_preferences(delegate=delegate, preferences=preferences)
    current = {
        (pref.agenda_item_id, pref.rank): pref.session_id
        for pref in BreakoutPreference.objects.filter(delegate=delegate)
    }
    if wanted == current:
        return False
    if not (delegate.event.breakout_allocation_pending or after_allocation):
        raise ValidationError("Places have been allocated: your choices can no longer change.")
    with transaction.atomic():
        BreakoutPreference.objects.filter(delegate=delegate).delete()
        BreakoutPreference.objects.bulk_create(
            BreakoutPreference(delegate=delegate, session_id=sid, agenda_item_id=rid, rank=rank)
            for (rid, rank), sid in sorted(wanted.items())
        )
    return True


def place_by_preference(*, delegate: Delegate) -> list[BreakoutChoice]:
    """Once the event's places are allocated, give the delegate at once, in each round
    they ranked and have no choice in, their best-ranked session with room left, or else
    a place in their first choice's waitlist. Nothing before the allocation.

    Side effects: locks the ranked sessions; creates BreakoutChoice rows (through
    breakout_services). The caller holds the event's or the delegate's lock.
    """
    if not delegate.event.breakouts_ranked or delegate.event.breakouts_allocated_at is None:
        return []
    with transaction.atomic():
        preferences = list(BreakoutPreference.objects.filter(delegate=delegate).order_by("rank"))
        held = set(delegate.breakout_choices.values_list("agenda_item_id", flat=True))
        preferences = [pref for pref in preferences if pref.agenda_item_id not in held]
        locked = breakout_services.lock_sessions(session_ids=[p.session_id for p in preferences])
        best = {}
        for pref in preferences:
            session = locked[pref.session_id]
            has_room = breakout_services.places_taken(session=session) < session.capacity
            if pref.agenda_item_id not in best or (has_room and not best[pref.agenda_item_id][1]):
                best[pref.agenda_item_id] = (session.pk, has_room)
        places = {delegate.pk: [session_id for session_id, _ in best.values()]}
        return breakout_services.give_places(places=places) if best else []


# The allocation ------------------------------------------------------------------------


def _rounds(event: Event) -> list[dict]:
    """Per round: its sessions with places left, and the delegates with a place at the
    event who ranked sessions there and have no choice in it yet, in registration order."""
    sessions = list(
        BreakoutSession.objects.filter(theme__event=event)
        .select_related("theme", "agenda_item")
        .order_by("agenda_item__starts_at", "agenda_item_id", "theme__number", "pk")
    )
    taken = {session.pk: breakout_services.places_taken(session=session) for session in sessions}
    delegates = Delegate.objects.filter(event=event, status=RegistrationStatus.CONFIRMED)
    held = set(
        BreakoutChoice.objects.filter(delegate__in=delegates).values_list(
            "delegate_id", "agenda_item_id"
        )
    )
    rankings = {}
    for pref in (
        BreakoutPreference.objects.filter(delegate__in=delegates)
        .select_related("delegate")
        .order_by("delegate__created_at", "delegate_id", "rank")
    ):
        if (pref.delegate_id, pref.agenda_item_id) not in held:
            rankings.setdefault(pref.agenda_item_id, {}).setdefault(
                pref.delegate_id, (pref.delegate, [])
            )[1].append(pref.session_id)
    rounds = {}
    for session in sessions:
        entry = rounds.setdefault(
            session.agenda_item_id, {"round": session.agenda_item, "sessions": []}
        )
        entry["sessions"].append(session)
    for round_id, entry in rounds.items():
        entry["groups"] = [
            allocation.Group(s.pk, max(s.capacity - taken[s.pk], 0)) for s in entry["sessions"]
        ]
        entry["applicants"] = [
            allocation.Applicant(d.pk, d.sector, d.organisation.strip().lower(), tuple(ranking))
            for d, ranking in rankings.get(round_id, {}).values()
        ]
    return list(rounds.values())


def mix_rules(run: AllocationRun) -> allocation.MixRules:
    return allocation.MixRules(run.max_sector_share, run.min_sectors, run.max_colleagues)


def preview_allocation(*, run: AllocationRun) -> AllocationRun:
    """Compute the run's allocation (its event, settings and seed) and its report, with
    first come, first served on the same delegates beside it. Writes no place.

    Side effects: saves the run (a preview) with its places and report. Raises
    ValidationError if the event's places are allocated already or it is not ranked.
    """
    event = run.event
    if not event.breakouts_ranked:
        raise ValidationError("This event gives breakout places first come, first served.")
    if event.breakouts_allocated_at is not None:
        raise ValidationError("This event's breakout places have already been allocated.")
    started = time.perf_counter()
    rules = mix_rules(run)
    places, rounds = {}, []
    for entry in _rounds(event):
        applicants, groups = entry["applicants"], entry["groups"]
        optimal = allocation.allocate(applicants, groups, rules, seed=run.seed)
        # Registration order, as first come, first served would have served them.
        fcfs = allocation.first_come_first_served(applicants, groups, rules)
        for delegate_id, session_id in optimal.places.items():
            if session_id is not None:
                places.setdefault(str(delegate_id), []).append(session_id)
        rounds.append(_round_report(entry, optimal, fcfs, rules))
    run.places = places
    run.report = {
        "rounds": rounds,
        "seconds": round(time.perf_counter() - started, 2),
        "rules_met": not any(r["breaches"] for r in rounds),
    }
    run.status = RunStatus.PREVIEW
    run.save()
    return run


def _round_report(entry, optimal, fcfs, rules) -> dict:
    applicants = entry["applicants"]
    names = {session.pk: session.theme.title for session in entry["sessions"]}
    optimal_mix = allocation.group_mix(applicants, optimal.places)
    fcfs_mix = allocation.group_mix(applicants, fcfs.places)
    return {
        "round": entry["round"].title,
        "delegates": len(applicants),
        "optimal": dict(allocation.outcomes(applicants, optimal.places)),
        "optimal_cost": optimal.cost,
        "fcfs": dict(allocation.outcomes(applicants, fcfs.places)),
        "fcfs_cost": fcfs.cost,
        "fcfs_breaches": len(fcfs.breaches),
        "groups": [
            {
                "session": group.id,
                "theme": names[group.id],
                "places": group.capacity,
                "mix": _sector_mix(optimal_mix.get(group.id, {})),
                "fcfs_mix": _sector_mix(fcfs_mix.get(group.id, {})),
            }
            for group in entry["groups"]
        ],
        "breaches": [
            {"rule": breach.rule.value, "text": breach_text(breach, names, rules)}
            for breach in optimal.breaches
        ],
    }


def _sector_mix(counts) -> str:
    size = sum(counts.values())
    if not size:
        return "nobody"
    parts = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{Sector(s).label} {n} ({100 * n / size:.0f} %)" for s, n in parts)


def people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def breach_text(breach: allocation.Breach, names: dict, rules: allocation.MixRules) -> str:
    """Which rule, where, and by how much, in the organisers' words."""
    where = f"“{names[breach.group]}”"
    if breach.rule == allocation.Rule.MAX_SECTOR_SHARE:
        share = 100 * breach.actual / breach.group_size
        return (
            f"{where}: {breach.actual} of {breach.group_size} people are "
            f"{Sector(breach.subject).label} ({share:.0f} %), over the {breach.limit} % limit "
            f"by {people(breach.excess)}."
        )
    if breach.rule == allocation.Rule.MIN_SECTORS:
        return (
            f"{where}: {breach.actual} sector{'s' if breach.actual != 1 else ''} among "
            f"{people(breach.group_size)}, {breach.excess} short of the {breach.limit} asked for."
        )
    return (
        f"{where}: {breach.actual} people from {breach.subject}, {breach.excess} over the "
        f"limit of {breach.limit}."
    )


def confirm_allocation(*, run: AllocationRun, confirmed_by) -> list[BreakoutChoice]:
    """Write the previewed places, email each delegate their places, and record it.

    Delegates who ranked after the preview, or whose preview place is gone, get the best
    place left in their ranking (`place_by_preference`), as later registrants do.
    Side effects: locks the event (then sessions); creates BreakoutChoice rows; sets
    `Event.breakouts_allocated_at`; marks the run confirmed (who, when); queues one
    email per delegate who ranked. Raises ValidationError if the event is allocated already.
    """
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=run.event_id)
        if event.breakouts_allocated_at is not None:
            raise ValidationError("This event's breakout places have already been allocated.")
        active = set(
            Delegate.objects.filter(
                pk__in=[int(pk) for pk in run.places], status=RegistrationStatus.CONFIRMED
            ).values_list("pk", flat=True)
        )
        created = breakout_services.give_places(
            places={int(pk): sessions for pk, sessions in run.places.items() if int(pk) in active}
        )
        now = timezone.now()
        event.breakouts_allocated_at = now
        event.save(update_fields=["breakouts_allocated_at", "updated_at"])
        run.status, run.confirmed_by, run.confirmed_at = RunStatus.CONFIRMED, confirmed_by, now
        run.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        created += _place_the_rest(event)
        # Everyone who ranked hears, those left without a place too.
        told = Delegate.objects.filter(
            event=event,
            status=RegistrationStatus.CONFIRMED,
            pk__in=BreakoutPreference.objects.values("delegate_id"),
        )
        for delegate in told.order_by("pk"):
            emails.notify_breakout_allocated(delegate=delegate)
    return created


def _place_the_rest(event: Event) -> list[BreakoutChoice]:
    """Delegates who ranked a round in which they still have no choice."""
    confirmed = Delegate.objects.filter(event=event, status=RegistrationStatus.CONFIRMED)
    ranked = set(
        BreakoutPreference.objects.filter(delegate__in=confirmed).values_list(
            "delegate_id", "agenda_item_id"
        )
    )
    held = set(
        BreakoutChoice.objects.filter(delegate__in=confirmed).values_list(
            "delegate_id", "agenda_item_id"
        )
    )
    waiting = sorted({delegate_id for delegate_id, _ in ranked - held})
    created = []
    for delegate in Delegate.objects.filter(pk__in=waiting).select_related("event"):
        created += place_by_preference(delegate=delegate)
    return created


def move_delegate(*, choice: BreakoutChoice, session: BreakoutSession) -> BreakoutChoice:
    """An organiser moves a delegate's place to another session of the same round.

    Side effects: locks both sessions (pk order); moves the choice, confirmed; gives
    the place freed to the front of the old session's queue; emails the delegate and
    anyone promoted. Raises ValidationError when the session is full or in another round.
    """
    with transaction.atomic():
        choice = BreakoutChoice.objects.select_for_update().get(pk=choice.pk)
        if session.agenda_item_id != choice.agenda_item_id:
            raise ValidationError("Move the delegate to a session in the same round.")
        old_session_id = choice.session_id
        locked = breakout_services.lock_sessions(session_ids=[old_session_id, session.pk])
        target = locked[session.pk]
        taken = breakout_services.places_taken(session=target)
        if old_session_id != target.pk and taken >= target.capacity:
            raise ValidationError(
                f"“{target.theme.title}” is full ({taken} of {target.capacity} places)."
            )
        was_confirmed = choice.status == ChoiceStatus.CONFIRMED
        choice.session, choice.status = target, ChoiceStatus.CONFIRMED
        choice.save()
        promoted = []
        if was_confirmed and old_session_id != target.pk:
            promoted = breakout_services.promote_from_session_waitlist(
                session=locked[old_session_id]
            )
        emails.notify_changed(delegate=choice.delegate)
        for other in promoted:
            if getattr(other, "given_up", None):
                emails.notify_breakout_swap(choice=other, given_up=other.given_up)
            else:
                emails.notify_breakout_place(choice=other)
    return choice
