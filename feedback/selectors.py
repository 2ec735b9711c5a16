"""Reads: who attended, what each attendee can rate, and what their certificate says."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice
from checkin.models import CheckIn
from speakers.models import Presentation
from symposium.enums import AgendaKind
from symposium.models import AgendaItem, Delegate, Event

# Not rated, and not counted towards CPD: nobody learns anything in a coffee break, and
# a breakout round counts only through the session the delegate held a place in.
NOT_CONTENT = (AgendaKind.BREAK, AgendaKind.BREAKOUT_ROUND)


def checked_in():
    """A standing check-in at the desk (an undone one does not count)."""
    return Exists(CheckIn.objects.filter(delegate_id=OuterRef("pk"), undone_at__isnull=True))


def attendees(event: Event) -> QuerySet[Delegate]:
    """The event's delegates the desk checked in (and did not undo), not anonymised."""
    return Delegate.objects.filter(event=event, anonymised_at__isnull=True).filter(checked_in())


def attended(delegate: Delegate) -> bool:
    return attendees(delegate.event).filter(pk=delegate.pk).exists()


@dataclass(frozen=True)
class Target:
    """One thing a delegate rates: an agenda item, a presentation or a breakout session."""

    kind: str  # "item", "presentation" or "session"
    pk: int
    label: str
    starts_at: dt.datetime
    ends_at: dt.datetime

    @property
    def field_name(self) -> str:
        return f"{self.kind}_{self.pk}"


def _plenary_items(event: Event) -> list[AgendaItem]:
    presentations = Presentation.objects.order_by("order", "pk")
    return list(
        event.agenda_items.exclude(kind__in=NOT_CONTENT)
        .prefetch_related(Prefetch("presentations", queryset=presentations))
        .order_by("starts_at", "pk")
    )


def _places(delegate: Delegate) -> list[BreakoutChoice]:
    return list(
        BreakoutChoice.objects.filter(delegate=delegate, status=ChoiceStatus.CONFIRMED)
        .select_related("session__theme", "session__agenda_item")
        .order_by("session__agenda_item__starts_at", "pk")
    )


def targets(delegate: Delegate) -> list[Target]:
    """What the delegate is asked to rate, in agenda order: each presentation of the
    plenary programme (an item with none is rated as itself: a film, a panel), and the
    breakout session of each round they held a place in. Three queries."""
    found = []
    for item in _plenary_items(delegate.event):
        presentations = list(item.presentations.all())
        for presentation in presentations:
            label = f"{presentation.title} ({item.title})"
            found.append(
                Target("presentation", presentation.pk, label, item.starts_at, item.ends_at)
            )
        if not presentations:
            found.append(Target("item", item.pk, item.title, item.starts_at, item.ends_at))
    for choice in _places(delegate):
        session, item = choice.session, choice.session.agenda_item
        label = f"{item.title}: {session.theme.title}"
        found.append(Target("session", session.pk, label, item.starts_at, item.ends_at))
    return sorted(found, key=lambda target: target.starts_at)


@dataclass(frozen=True)
class Attendance:
    """What a certificate shows: the sessions attended and the CPD time."""

    sessions: list[Target]
    minutes: int

    @property
    def hours(self) -> str:
        """ "5.25": hours to the quarter hour below (CPD schemes count whole quarters)."""
        quarters = self.minutes // 15
        return f"{quarters / 4:g}"


def cpd_minutes(periods: list[tuple[dt.datetime, dt.datetime]]) -> int:
    """The time covered by the periods, overlaps counted once."""
    total, end = dt.timedelta(), None
    for starts_at, ends_at in sorted(periods):
        if end is None or starts_at >= end:
            total += ends_at - starts_at
            end = ends_at
        elif ends_at > end:
            total += ends_at - end
            end = ends_at
    return int(total.total_seconds() // 60)


def attendance(delegate: Delegate) -> Attendance:
    """The CPD rule: the time of the event's agenda items that are neither breaks nor
    breakout rounds (the plenary programme, open to every attendee), plus the time of
    each breakout round in which the delegate held a confirmed place, overlaps counted
    once. Two queries."""
    sessions = []
    for item in _plenary_items(delegate.event):
        sessions.append(Target("item", item.pk, item.title, item.starts_at, item.ends_at))
    for choice in _places(delegate):
        session, item = choice.session, choice.session.agenda_item
        label = f"{item.title}: {session.theme.title}"
        sessions.append(Target("session", session.pk, label, item.starts_at, item.ends_at))
    sessions.sort(key=lambda target: target.starts_at)
    minutes = cpd_minutes([(target.starts_at, target.ends_at) for target in sessions])
    return Attendance(sessions=sessions, minutes=minutes)
