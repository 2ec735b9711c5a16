"""The figures behind the dashboard's and the overview's charts, counted in SQL for any
number of events at once (one query each, whatever the number of delegates or check-ins),
and the charts of one event drawn from them (console/charts.py)."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Value
from django.db.models.functions import ExtractMinute, Floor, TruncDate, TruncHour
from django.utils import timezone

from checkin.models import CheckIn
from console import charts
from symposium.enums import RegistrationStatus, Sector
from symposium.models import Delegate, Event, clock

CHECK_IN_MINUTES = 15
SECTOR_LABELS = dict(Sector.choices)


@dataclass
class EventFigures:
    # (day, registrations made that day and not cancelled since)
    days: list[tuple[dt.date, int]] = field(default_factory=list)
    # (sector label, registrations not cancelled), in the order of the Sector choices
    sectors: list[tuple[str, int]] = field(default_factory=list)
    # (start of the slot in the event's zone, standing check-ins in it)
    check_ins: list[tuple[dt.datetime, int]] = field(default_factory=list)


def _standing(event_ids: Iterable[int]):
    return Delegate.objects.filter(event_id__in=list(event_ids)).exclude(
        status=RegistrationStatus.CANCELLED
    )


def registrations_by_day(event_ids: Iterable[int]) -> dict[int, list[tuple[dt.date, int]]]:
    """Registrations not cancelled, by event and by the day (in the UK) they were made."""
    zone = timezone.get_current_timezone()
    rows = (
        _standing(event_ids)
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("event_id", "day")
        .annotate(count=Count("pk"))
        .order_by("event_id", "day")
    )
    by_event = defaultdict(list)
    for row in rows:
        by_event[row["event_id"]].append((row["day"], row["count"]))
    return by_event


def sector_mix(event_ids: Iterable[int]) -> dict[int, list[tuple[str, int]]]:
    """Registrations not cancelled, by event and sector, in the order of the choices."""
    rows = _standing(event_ids).values("event_id", "sector").annotate(count=Count("pk"))
    counts = defaultdict(dict)
    for row in rows.order_by():
        counts[row["event_id"]][row["sector"]] = row["count"]
    return {event_id: in_sector_order(by_sector) for event_id, by_sector in counts.items()}


def in_sector_order(counts: dict[str, int]) -> list[tuple[str, int]]:
    ordered = [(SECTOR_LABELS[value], counts[value]) for value in Sector.values if value in counts]
    others = [
        (value or "Not given", count)
        for value, count in counts.items()
        if value not in SECTOR_LABELS
    ]
    return ordered + others


def check_in_slots(
    event_ids: Iterable[int], *, minutes: int = CHECK_IN_MINUTES
) -> dict[int, list[tuple[dt.datetime, int]]]:
    """Standing check-ins (not undone), by event and by `minutes` slot of the time they
    were scanned at the desk, in the event's zone."""
    zone = timezone.get_current_timezone()
    rows = (
        CheckIn.objects.filter(delegate__event_id__in=list(event_ids), undone_at__isnull=True)
        .annotate(
            hour=TruncHour("at", tzinfo=zone),
            slot=Floor(ExtractMinute("at", tzinfo=zone) / Value(minutes)),
        )
        .values("delegate__event_id", "hour", "slot")
        .annotate(count=Count("pk"))
        .order_by("delegate__event_id", "hour", "slot")
    )
    by_event = defaultdict(list)
    for row in rows:
        start = timezone.localtime(row["hour"], zone) + dt.timedelta(
            minutes=int(row["slot"]) * minutes
        )
        by_event[row["delegate__event_id"]].append((start.replace(tzinfo=None), row["count"]))
    return by_event


def figures_for(event_ids: Sequence[int]) -> dict[int, EventFigures]:
    """Every chart's figures for these events: three queries, however many."""
    if not event_ids:
        return {}
    days, sectors, check_ins = (
        registrations_by_day(event_ids),
        sector_mix(event_ids),
        check_in_slots(event_ids),
    )
    return {
        pk: EventFigures(
            days=days.get(pk, []), sectors=sectors.get(pk, []), check_ins=check_ins.get(pk, [])
        )
        for pk in event_ids
    }


def registration_chart_end(event: Event, *, today: dt.date) -> dt.date:
    """The registrations chart runs to today, or to the day registration closed."""
    return min(today, timezone.localdate(event.registration_closes_at))


def session_fills(sessions) -> list[charts.SessionFill]:
    """Sessions annotated by `breakouts.selectors.sessions_with_places`, with their
    agenda item (the round) selected, in the order they are given."""
    return [
        charts.SessionFill(
            round=f"{session.agenda_item.title}, {clock(session.agenda_item.starts_at)}",
            session=session.theme.title,
            taken=session.places_taken,
            capacity=session.capacity,
            waitlist=session.waitlist_length,
        )
        for session in sorted(sessions, key=_round_order)
    ]


def _round_order(session):
    return (session.agenda_item.starts_at, session.theme.number, session.pk)


def event_charts(
    *, event: Event, figures: EventFigures, sessions, today: dt.date, with_check_ins: bool
) -> list[charts.Chart]:
    """The event's charts, their ids unique on a page that shows several events."""
    prefix = f"event-{event.pk}"
    drawn = [
        charts.registrations_over_time(
            chart_id=f"{prefix}-registrations",
            days=figures.days,
            capacity=event.delegate_capacity,
            until=registration_chart_end(event, today=today),
        ),
        charts.horizontal_bars(
            chart_id=f"{prefix}-sectors",
            title="Sector mix",
            rows=figures.sectors,
            what="registrations not cancelled",
        ),
    ]
    if sessions:
        drawn.append(
            charts.breakout_fill(chart_id=f"{prefix}-breakouts", sessions=session_fills(sessions))
        )
    if with_check_ins:
        drawn.append(
            charts.check_ins_over_the_day(
                chart_id=f"{prefix}-check-ins", slots=figures.check_ins, minutes=CHECK_IN_MINUTES
            )
        )
    return drawn


def overview_charts(*, event: Event, overview, today: dt.date | None = None):
    """The staff overview's charts, from the figures `console.exports.selectors.overview`
    counted already (no query of its own)."""
    numbers = EventFigures(
        days=[(day.day, day.standing) for day in overview.by_day if day.standing],
        sectors=[
            (row.label, row.confirmed + row.waitlisted)
            for row in overview.by_sector
            if row.confirmed + row.waitlisted
        ],
        check_ins=overview.check_ins,
    )
    return event_charts(
        event=event,
        figures=numbers,
        sessions=overview.sessions,
        today=today or timezone.localdate(),
        with_check_ins=True,
    )
