"""Ranked breakout preferences and their allocation: the rules that change data.

For events whose `breakout_allocation` is ranked: delegates rank up to three sessions
per round until an organiser confirms an allocation run; the run is computed by
`breakouts.allocation` and its places are written by `breakouts.services.give_places`,
so capacity rules are the same as everywhere. Lock order as in registration.services: the
event row, then delegates, then sessions in pk order.
"""

import hashlib
import math
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from breakouts import allocation, tasks
from breakouts import services as breakout_services
from breakouts.enums import ChoiceStatus, RunStatus
from breakouts.models import (
    MAX_RANK,
    AllocationRun,
    BreakoutChoice,
    BreakoutPreference,
    BreakoutSession,
)
from symposium import audit, background, outbox
from symposium.enums import RegistrationStatus, Sector
from symposium.models import AgendaItem, Delegate, Event

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
    they ranked and have no choice in, the best place left *within the rules* of the
    confirmed allocation: their best-ranked session with room that the place breaks no
    further mix rule in; failing that (a place comes before the mix, as in the
    allocation) the one it breaks least, never a strict rule; else a place in their
    first choice's waitlist. Nothing before the allocation.

    Side effects: locks the ranked sessions; creates BreakoutChoice rows (through
    breakout_services). The caller holds the event's or the delegate's lock.
    """
    event = delegate.event
    if not event.breakouts_ranked or event.breakouts_allocated_at is None:
        return []
    run = AllocationRun.objects.filter(event=event, status=RunStatus.CONFIRMED).first()
    rules = mix_rules(run) if run else allocation.MixRules()
    with transaction.atomic():
        preferences = list(BreakoutPreference.objects.filter(delegate=delegate).order_by("rank"))
        held = set(delegate.breakout_choices.values_list("agenda_item_id", flat=True))
        preferences = [pref for pref in preferences if pref.agenda_item_id not in held]
        locked = breakout_services.lock_sessions(session_ids=[p.session_id for p in preferences])
        members = _session_members(session_ids=[p.session_id for p in preferences])
        me = allocation.Applicant(delegate.pk, delegate.sector, _organisation(delegate), ())
        best = {}
        for pref in preferences:
            session = locked[pref.session_id]
            people = members.get(session.pk, ())
            if len(people) >= session.capacity:
                best.setdefault(pref.agenda_item_id, (None, pref.session_id))
                continue
            before = allocation.breaches([], [allocation.Group(session.pk, 0, people)], {}, rules)
            after = allocation.breaches(
                [me], [allocation.Group(session.pk, 0, people)], {me.id: session.pk}, rules
            )
            if allocation.people_short(after, rules, strict=True) > allocation.people_short(
                before, rules, strict=True
            ):
                continue
            worse = allocation.people_short(after, rules) - allocation.people_short(before, rules)
            current = best.get(pref.agenda_item_id)
            if current is None or current[0] is None or worse < current[0]:
                best[pref.agenda_item_id] = (max(worse, 0), session.pk)
        places = {delegate.pk: [session_id for _, session_id in best.values()]}
        return breakout_services.give_places(places=places) if best else []


def _organisation(delegate: Delegate) -> str:
    """Colleagues are people of one organisation however they typed its name."""
    return " ".join(delegate.organisation.lower().split())


def _session_members(*, session_ids) -> dict[int, tuple[tuple[str, str], ...]]:
    """{session pk: ((sector, organisation), ...)} of the places held there."""
    members = defaultdict(list)
    choices = BreakoutChoice.objects.filter(
        session_id__in=list(session_ids), status=ChoiceStatus.CONFIRMED
    ).values_list("session_id", "delegate__sector", "delegate__organisation")
    for session_id, sector, organisation in choices:
        members[session_id].append((sector, " ".join(organisation.lower().split())))
    return {pk: tuple(sorted(people)) for pk, people in members.items()}


# The allocation ------------------------------------------------------------------------


def _digest(value) -> str:
    return hashlib.blake2b(repr(value).encode(), digest_size=8).hexdigest()


def _rounds(event: Event) -> tuple[list[dict], dict[str, str]]:
    """Per round: its sessions, groups (places left, and who holds the places taken) and
    applicants: every delegate with a place at the event and no choice in the round yet,
    with their ranking there (maybe none), in registration order. And the inputs'
    digests, {key: digest}: one per delegate of the event and one per session, so that
    a confirmation can count what changed since."""
    sessions = list(
        BreakoutSession.objects.filter(theme__event=event)
        .select_related("theme", "agenda_item")
        .order_by("agenda_item__starts_at", "agenda_item_id", "theme__number", "pk")
    )
    members = _session_members(session_ids=[s.pk for s in sessions])
    delegates = list(
        Delegate.objects.filter(event=event)
        .order_by("created_at", "pk")
        .only("pk", "sector", "organisation", "status", "created_at")
    )
    choices, rankings = defaultdict(list), defaultdict(list)
    for delegate_id, session_id, round_id, status in (
        BreakoutChoice.objects.filter(delegate__event=event)
        .order_by("pk")
        .values_list("delegate_id", "session_id", "agenda_item_id", "status")
    ):
        choices[delegate_id].append((round_id, session_id, status))
    for delegate_id, round_id, session_id in (
        BreakoutPreference.objects.filter(delegate__event=event)
        .order_by("delegate_id", "agenda_item_id", "rank")
        .values_list("delegate_id", "agenda_item_id", "session_id")
    ):
        rankings[delegate_id, round_id].append(session_id)
    inputs = {
        f"delegate {d.pk}": _digest(
            (
                d.status,
                d.sector,
                _organisation(d),
                sorted(choices[d.pk]),
                sorted((r, s) for (pk, r), s in rankings.items() if pk == d.pk),
            )
        )
        for d in delegates
    }
    inputs |= {f"session {s.pk}": _digest((s.capacity, s.agenda_item_id)) for s in sessions}
    rounds = {}
    for session in sessions:
        entry = rounds.setdefault(
            session.agenda_item_id, {"round": session.agenda_item, "sessions": []}
        )
        entry["sessions"].append(session)
    confirmed = [d for d in delegates if d.status == RegistrationStatus.CONFIRMED]
    for round_id, entry in rounds.items():
        entry["groups"] = [
            allocation.Group(
                s.pk, max(s.capacity - len(members.get(s.pk, ())), 0), members.get(s.pk, ())
            )
            for s in entry["sessions"]
        ]
        entry["applicants"] = [
            allocation.Applicant(
                d.pk, d.sector, _organisation(d), tuple(rankings.get((d.pk, round_id), ()))
            )
            for d in confirmed
            if not any(r == round_id for r, _, _ in choices[d.pk])
        ]
    return list(rounds.values()), inputs


def mix_rules(run: AllocationRun) -> allocation.MixRules:
    strict = {
        allocation.Rule.MAX_SECTOR_SHARE: run.strict_sector_share,
        allocation.Rule.MIN_SECTORS: run.strict_min_sectors,
        allocation.Rule.MAX_COLLEAGUES: run.strict_colleagues,
    }
    return allocation.MixRules(
        run.max_sector_share,
        run.min_sectors,
        run.max_colleagues,
        strict=frozenset(rule for rule, on in strict.items() if on),
        allow_unranked=run.allow_unranked,
    )


def start_preview(*, run: AllocationRun) -> AllocationRun:
    """Record a new run as running and compute its preview in the background
    (breakouts.tasks): its page shows the progress, then the report.

    Side effects: saves the run; queues one background job, which runs once the caller's
    transaction commits. Raises ValidationError if the event's places are allocated
    already or it is not ranked."""
    _check_event(run.event)
    run.status, run.progress, run.progress_text = RunStatus.RUNNING, 0, "Waiting to start"
    with transaction.atomic():
        run.save()
        background.defer(tasks.preview_allocation, run_id=run.pk)
        audit.log_action(event=run.event_id, action="allocation.previewed", obj=run)
    return run


def compute_preview(*, run_id: int) -> AllocationRun | None:
    """The background job of `start_preview`: compute the run if it is still running (a
    job run twice does the work once). A run whose event was allocated meanwhile is
    marked failed, with the reason.

    Side effects: those of `preview_allocation`."""
    run = AllocationRun.objects.select_related("event").filter(pk=run_id).first()
    if run is None or run.status != RunStatus.RUNNING:
        return None
    try:
        return preview_allocation(run=run)
    except ValidationError as error:
        reason = error.messages[0]
    except Exception:
        # Not retried (the organiser runs it again): the page must not show progress
        # for ever. The error itself is in the worker's log and the failed job.
        AllocationRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED,
            progress_text="The preview failed: run it again.",
            report={"error": "The preview failed: run it again."},
        )
        raise
    run.status, run.progress_text = RunStatus.FAILED, reason
    run.report = {"error": reason}
    run.save()
    return run


def _check_event(event: Event) -> None:
    if not event.breakouts_ranked:
        raise ValidationError("This event gives breakout places first come, first served.")
    if event.breakouts_allocated_at is not None:
        raise ValidationError("This event's breakout places have already been allocated.")


def preview_allocation(*, run: AllocationRun) -> AllocationRun:
    """Compute the run's allocation (its event, settings and seed) and its report, with
    first come, first served on the same delegates beside it. Writes no place.

    Side effects: saves the run: its progress as it goes (own short transactions), then
    a preview with its places, report and the digests of its inputs; or failed, with
    the reason, if the solver found nothing. Raises ValidationError if the event's
    places are allocated already or it is not ranked.
    """
    event = run.event
    _check_event(event)
    started = time.perf_counter()
    rules = mix_rules(run)
    entries, inputs = _rounds(event)
    places, rounds = defaultdict(dict), []
    deadline = time.monotonic() + run.time_limit

    def progress(number):
        def report(fraction, text):
            share = (number + fraction) / max(len(entries), 1)
            AllocationRun.objects.filter(pk=run.pk).update(
                progress=round(100 * share), progress_text=f"{entry['round'].title}: {text}"
            )

        return report

    try:
        for number, entry in enumerate(entries):
            applicants, groups = entry["applicants"], entry["groups"]
            left = max(deadline - time.monotonic(), 1) / (len(entries) - number)
            optimal = allocation.allocate(
                applicants,
                groups,
                rules,
                seed=run.seed,
                time_limit=left,
                progress=progress(number) if run.pk else None,
            )
            # Registration order, as first come, first served would have served them.
            fcfs = allocation.first_come_first_served(applicants, groups, rules)
            for applicant in applicants:
                places[str(applicant.id)][str(entry["round"].pk)] = {
                    "session": optimal.places[applicant.id],
                    "outcome": allocation.outcome(applicant, optimal.places[applicant.id]),
                    "reason": optimal.reasons[applicant.id],
                }
            rounds.append(_round_report(entry, optimal, fcfs, rules))
    except allocation.AllocationFailed as error:
        run.status, run.progress_text = RunStatus.FAILED, str(error)
        run.report = {"error": str(error), "seconds": round(time.perf_counter() - started, 2)}
        run.save()
        return run
    run.places, run.inputs = dict(places), inputs
    run.report = {
        "rounds": rounds,
        "seconds": round(time.perf_counter() - started, 2),
        "rules_met": not any(r["breaches"] for r in rounds),
        "optimal": all(r["optimal_proven"] for r in rounds),
        "rules": rules_words(rules),
    }
    run.status, run.progress, run.progress_text = RunStatus.PREVIEW, 100, "Done"
    run.save()
    return run


RULE_NAMES = {
    allocation.Rule.MAX_SECTOR_SHARE: "largest share of one sector",
    allocation.Rule.MIN_SECTORS: "least number of sectors",
    allocation.Rule.MAX_COLLEAGUES: "most colleagues of one organisation",
}


def _rule_words(rule: allocation.Rule, rules: allocation.MixRules) -> str:
    limit = getattr(rules, rule)
    text = {
        allocation.Rule.MAX_SECTOR_SHARE: f"at most {limit} % of a group from one sector",
        allocation.Rule.MIN_SECTORS: f"at least {limit} sectors in every group",
        allocation.Rule.MAX_COLLEAGUES: f"at most {limit} people of one organisation in a group",
    }[rule]
    return text + (" (strict)" if rules.is_strict(rule) else "")


def rules_words(rules: allocation.MixRules) -> list[str]:
    return [_rule_words(rule, rules) for rule in rules]


def _round_report(entry, optimal: allocation.Allocation, fcfs, rules) -> dict:
    applicants = entry["applicants"]
    by_id = {a.id: a for a in applicants}
    names = {session.pk: session.theme.title for session in entry["sessions"]}
    optimal_mix = _mix(entry["groups"], applicants, optimal.places)
    fcfs_mix = _mix(entry["groups"], applicants, fcfs.places)
    moved = sorted(pk for pk, reason in optimal.reasons.items() if reason == "moved")
    unplaced = [a for a in applicants if optimal.places[a.id] is None]
    rule_lines = []
    for rule in rules:
        found = [b for b in optimal.breaches if b.rule == rule]
        line = {
            "rule": _rule_words(rule, rules),
            "met": not found,
            "breaches": [breach_text(b, names) for b in found],
            "people_short": sum(b.excess for b in found),
        }
        if rule in optimal.left_out_by:
            line["left_out"] = optimal.left_out_by[rule]
        rule_lines.append(line)
    return {
        "round": entry["round"].title,
        "delegates": len(applicants),
        "not_ranked": sum(1 for a in applicants if not a.ranking),
        "seats": optimal.seats,
        "optimal": dict(allocation.outcomes(applicants, optimal.places)),
        "optimal_cost": optimal.cost,
        "optimal_proven": optimal.optimal,
        "stages": [_stage_text(stage) for stage in optimal.stages],
        "fcfs": dict(allocation.outcomes(applicants, fcfs.places)),
        "fcfs_cost": fcfs.cost,
        "fcfs_breaches": len(fcfs.breaches),
        "fcfs_people_short": sum(b.excess for b in fcfs.breaches),
        "people_short": sum(b.excess for b in optimal.breaches),
        "left_out": _left_out_text(optimal, len(applicants), unplaced, rules),
        "groups": [
            {
                "session": group.id,
                "theme": names[group.id],
                "places": group.capacity,
                "held": len(group.held),
                "mix": _sector_mix(optimal_mix.get(group.id, {})),
                "fcfs_mix": _sector_mix(fcfs_mix.get(group.id, {})),
            }
            for group in entry["groups"]
        ],
        "rules": rule_lines,
        "breaches": [
            {"rule": b.rule.value, "text": breach_text(b, names)} for b in optimal.breaches
        ],
        "moved": len(moved),
        "moved_delegates": moved[:50],
        "moved_outcomes": dict(
            Counter(allocation.outcome(by_id[pk], optimal.places[pk]) for pk in moved)
        ),
    }


def _left_out_text(optimal, delegates, unplaced, rules) -> str:
    if not unplaced:
        return ""
    seats_short = max(delegates - optimal.seats, 0)
    parts = []
    if seats_short:
        parts.append(
            f"{people(seats_short)} without a place because there are {optimal.seats} "
            f"places for {delegates} delegates"
        )
    for rule, count in sorted(optimal.left_out_by.items()):
        if rule == allocation.TOGETHER:
            continue
        parts.append(
            f"{people(count)} without a place because of the strict rule "
            f"“{_rule_words(rule, rules)}”"
        )
    counted = seats_short + sum(optimal.left_out_by.values())
    if len(unplaced) > counted:
        parts.append(
            f"{people(len(unplaced) - counted)} more because the strict rules together "
            "leave no place that keeps them"
        )
    return "; ".join(parts) + "."


def _stage_text(stage: allocation.Stage) -> dict:
    what = {
        "placed": "people placed",
        "rules": "people short of the mix rules",
        "ranks": "rank cost",
    }[stage.name]
    if stage.optimal:
        text = f"{what}: {stage.value:g}, the best possible"
    elif math.isnan(stage.value):
        text = f"{what}: not reached within the time limit (the level above is kept)"
    elif stage.bound is None:
        text = (
            f"{what}: {stage.value:g}, from a simple allocation (best ranked group with "
            "room first): the solver found none within the time limit, so the mix rules "
            "were not optimised"
        )
    else:
        gap = abs(stage.value - stage.bound)
        text = (
            f"{what}: {stage.value:g}, best found at the time limit, within {gap:.0f} of "
            "the optimum"
        )
    return {"name": stage.name, "optimal": stage.optimal, "text": text}


def _mix(groups, applicants, places) -> dict:
    mix = allocation.group_mix(applicants, places)
    for group in groups:
        for sector, _ in group.held:
            mix.setdefault(group.id, Counter())[sector] += 1
    return mix


def _sector_mix(counts) -> str:
    size = sum(counts.values())
    if not size:
        return "nobody"
    parts = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{Sector(s).label} {n} ({100 * n / size:.0f} %)" for s, n in parts)


def people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def breach_text(breach: allocation.Breach, names: dict) -> str:
    """Which rule, where, and by how much in people, in the organisers' words."""
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
            f"{people(breach.group_size)}, {breach.excess} short of the {breach.limit} asked "
            f"for: it needs {people(breach.excess)} more from other sectors."
        )
    return (
        f"{where}: {breach.actual} people from {breach.subject}, over the limit of "
        f"{breach.limit} by {people(breach.excess)}."
    )


def changes_since(*, run: AllocationRun, inputs: Mapping[str, str]) -> int:
    """How many things (a delegate's registration, sector, organisation, choices or
    ranking; a session's capacity) differ between the run's inputs and `inputs`."""
    keys = set(run.inputs) | set(inputs)
    return sum(1 for key in keys if run.inputs.get(key) != inputs.get(key))


def confirm_allocation(*, run: AllocationRun, confirmed_by) -> list[BreakoutChoice]:
    """Write exactly the previewed places, email each delegate what they got, and record
    it; refused if anything the preview was computed from has changed since.

    Side effects: locks the event, then its delegates (pk order), then its sessions;
    creates BreakoutChoice rows; sets `Event.breakouts_allocated_at`; marks the run
    confirmed (who, when); queues one email per delegate the preview allocated. Raises
    ValidationError if the event is allocated already or the preview is stale ("N
    things changed since this preview: preview again").
    """
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=run.event_id)
        if event.breakouts_allocated_at is not None:
            raise ValidationError("This event's breakout places have already been allocated.")
        # Rankings change under the delegate's lock, registrations under the event's:
        # holding both, nothing the digests cover can change until we commit.
        list(
            Delegate.objects.select_for_update()
            .filter(event=event)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        breakout_services.lock_sessions(
            session_ids=BreakoutSession.objects.filter(theme__event=event).values_list(
                "pk", flat=True
            )
        )
        _, inputs = _rounds(event)
        changed = changes_since(run=run, inputs=inputs)
        if changed:
            raise ValidationError(
                f"{changed} {'thing' if changed == 1 else 'things'} changed since this "
                "preview: preview again."
            )
        wanted = defaultdict(list)
        for delegate_pk, rounds in run.places.items():
            for place in rounds.values():
                if place["session"] is not None:
                    wanted[int(delegate_pk)].append(place["session"])
        created = breakout_services.give_places(places=dict(wanted))
        if any(choice.status != ChoiceStatus.CONFIRMED for choice in created):
            # The digests match, so every place had room: a bug, not a race.
            raise ValidationError("The preview no longer fits the sessions: preview again.")
        now = timezone.now()
        event.breakouts_allocated_at = now
        event.save(update_fields=["breakouts_allocated_at", "updated_at"])
        run.status, run.confirmed_by, run.confirmed_at = RunStatus.CONFIRMED, confirmed_by, now
        run.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        audit.log_action(
            event=event,
            action="allocation.confirmed",
            actor=confirmed_by,
            obj=run,
            data={"places": len(created), "delegates": len(run.places)},
        )
        # Everyone the allocation was about hears, those left without a place too.
        for delegate_pk in sorted(int(pk) for pk in run.places):
            outbox.notify_breakout_allocated(delegate_pk=delegate_pk)
    return created


def allocation_lines(*, delegate: Delegate) -> list[str]:
    """What the confirmed allocation gave the delegate, round by round, in plain words
    (their allocation email)."""
    run = (
        AllocationRun.objects.filter(event_id=delegate.event_id, status=RunStatus.CONFIRMED)
        .only("places", "max_sector_share", "min_sectors", "max_colleagues")
        .first()
    )
    if run is None or str(delegate.pk) not in run.places:
        return []
    rounds = run.places[str(delegate.pk)]
    sessions = BreakoutSession.objects.select_related("theme", "agenda_item").in_bulk(
        [p["session"] for p in rounds.values() if p["session"] is not None]
    )
    titles = dict(
        AgendaItem.objects.filter(pk__in=[int(r) for r in rounds]).values_list("pk", "title")
    )
    why_moved = _why_moved(run)
    lines = []
    for round_pk, place in sorted(rounds.items(), key=lambda item: int(item[0])):
        session = sessions.get(place["session"])
        lines.append(f"{titles.get(int(round_pk), '')}: {_place_words(place, session, why_moved)}")
    return lines


ORDINALS = {"first": "first", "second": "second", "third": "third"}


def _why_moved(run: AllocationRun) -> str:
    sectors = run.max_sector_share is not None or run.min_sectors is not None
    colleagues = run.max_colleagues is not None
    if sectors and colleagues:
        return "to mix sectors and spread colleagues across groups"
    if colleagues:
        return "to spread colleagues across groups"
    return "to mix sectors"


def _place_words(place: dict, session, why_moved: str) -> str:
    outcome, reason = place["outcome"], place["reason"]
    theme = f"“{session.theme.title}”" if session else ""
    if outcome == "none":
        if reason == "strict":
            return (
                "no place. There were places left, but none of them kept the mix rules the "
                "organisers made strict; they can tell you more."
            )
        return "no place: every group was full."
    if reason == "not_ranked":
        return (
            f"{theme}. You did not rank any groups in this round, so we gave you a place "
            "in one with room."
        )
    if outcome == "other":
        if reason == "moved":
            return (
                f"{theme}. None of your choices could be kept: we placed you here {why_moved}, "
                "as the organisers chose."
            )
        return f"{theme}. None of your choices could be kept: the groups you chose were full."
    words = f"{theme}, your {ORDINALS[outcome]} choice"
    if outcome == "first":
        return words + "."
    if reason == "moved":
        return words + f": we moved you from a better choice {why_moved}, as the organisers chose."
    return words + ": your better choices were full."


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
        outbox.notify_changed(delegate=choice.delegate)
        audit.log_action(
            event=choice.delegate.event_id,
            action="breakouts.moved",
            delegate=choice.delegate_id,
            data={
                "choice_id": choice.pk,
                "from_session_id": old_session_id,
                "to_session_id": target.pk,
            },
        )
        for other in promoted:
            if getattr(other, "given_up", None):
                outbox.notify_breakout_swap(choice=other, given_up=other.given_up)
            else:
                outbox.notify_breakout_place(choice=other)
    return choice
