"""Read helpers for the staff pages: sign-in sheets, catering and access, the overview.

Each page's data comes in a fixed number of queries, however many delegates.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice, BreakoutSession
from breakouts.selectors import sessions_with_places
from console import figures
from symposium.enums import DietaryRequirement, RegistrationStatus, Sector
from symposium.models import Delegate, DelegateNeeds, Event, by_name

STATUSES = [status.value for status in RegistrationStatus]


def sign_in_list(*, event: Event) -> QuerySet[Delegate]:
    """Confirmed delegates, alphabetical, for the registration desk."""
    return (
        Delegate.objects.filter(event=event)
        .confirmed()
        .only("first_name", "last_name", "organisation")
        .order_by(*by_name())
    )


def sign_in_sessions(*, event: Event, session_id: int | None = None) -> list[BreakoutSession]:
    """The breakout sessions in round order, each with `session.delegates`: the
    confirmed delegates holding a confirmed place, alphabetical by name (two queries)."""
    places = (
        BreakoutChoice.objects.filter(
            status=ChoiceStatus.CONFIRMED, delegate__status=RegistrationStatus.CONFIRMED
        )
        .select_related("delegate")
        .order_by(*by_name("delegate__"))
    )
    sessions = (
        BreakoutSession.objects.filter(theme__event=event)
        .select_related("theme", "agenda_item", "room")
        .order_by("agenda_item__starts_at", "theme__number", "pk")
        .prefetch_related(Prefetch("choices", queryset=places, to_attr="places"))
    )
    if session_id is not None:
        sessions = sessions.filter(pk=session_id)
    sessions = list(sessions)
    for session in sessions:
        session.delegates = [choice.delegate for choice in session.places]
    return sessions


@dataclass
class CateringSummary:
    dietary_counts: list[tuple[str, int]]
    no_needs_given: int
    dietary_details: list[DelegateNeeds]
    access_needs: list[DelegateNeeds]
    confirmed: int = field(init=False)

    def __post_init__(self):
        self.confirmed = self.no_needs_given + sum(count for _, count in self.dietary_counts)


def catering_summary(*, event: Event) -> CateringSummary:
    """Counts per dietary requirement of the confirmed delegates, with the details they
    wrote, and the access needs for the venue team (three queries)."""
    confirmed = Delegate.objects.filter(event=event).confirmed()
    counts = dict(
        confirmed.values_list("needs__dietary_requirement").annotate(count=Count("pk")).order_by()
    )
    needs = DelegateNeeds.objects.filter(delegate__in=confirmed).select_related("delegate")
    needs = needs.order_by(*by_name("delegate__"))
    return CateringSummary(
        dietary_counts=[
            (label, counts.get(value, 0)) for value, label in DietaryRequirement.choices
        ],
        no_needs_given=counts.get(None, 0),
        dietary_details=list(needs.exclude(dietary_details="")),
        access_needs=list(needs.exclude(access_needs="")),
    )


@dataclass
class StatusCounts:
    label: str
    confirmed: int
    waitlisted: int
    cancelled: int

    @property
    def total(self) -> int:
        return self.confirmed + self.waitlisted + self.cancelled


@dataclass
class DayCount:
    day: dt.date
    count: int
    running_total: int
    standing: int = 0  # of `count`, those not cancelled since


@dataclass
class Overview:
    by_sector: list[StatusCounts]
    by_organisation: list[StatusCounts]
    sessions: list[BreakoutSession]
    by_day: list[DayCount]
    totals: StatusCounts
    busiest_day: int
    # (start of each 15 minutes in the event's zone, standing check-ins in it)
    check_ins: list[tuple[dt.datetime, int]] = field(default_factory=list)


def _counts_by(delegates: QuerySet[Delegate], field_name: str) -> dict[str, StatusCounts]:
    counts = {status: Count("pk", filter=Q(status=status)) for status in STATUSES}
    rows = delegates.values(field_name).annotate(**counts).order_by()
    return {
        row[field_name]: StatusCounts(
            label=row[field_name], **{status: row[status] for status in STATUSES}
        )
        for row in rows
    }


def _by_sector(delegates: QuerySet[Delegate]) -> list[StatusCounts]:
    """In the order of the Sector choices, named by their labels."""
    rows = _counts_by(delegates, "sector")
    labels = dict(Sector.choices)
    ordered = [rows.pop(value) for value in Sector.values if value in rows]
    for row in ordered:
        row.label = labels[row.label]
    return [*ordered, *rows.values()]


def _by_day(delegates: QuerySet[Delegate]) -> list[DayCount]:
    # Days in the UK, not UTC: a registration at 00:30 BST belongs to the new day.
    rows = (
        delegates.annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(
            count=Count("pk"),
            standing=Count("pk", filter=~Q(status=RegistrationStatus.CANCELLED)),
        )
        .order_by("day")
    )
    days, running = [], 0
    for row in rows:
        running += row["count"]
        days.append(
            DayCount(
                day=row["day"],
                count=row["count"],
                running_total=running,
                standing=row["standing"],
            )
        )
    return days


def overview(*, event: Event) -> Overview:
    """Registrations by sector, by organisation and by day, each breakout session's
    places taken, capacity and waitlist, and check-ins by 15 minutes (five queries)."""
    delegates = Delegate.objects.filter(event=event)
    by_sector = _by_sector(delegates)
    by_organisation = sorted(
        _counts_by(delegates, "organisation").values(), key=lambda row: row.label.casefold()
    )
    sessions = sessions_with_places(
        BreakoutSession.objects.filter(theme__event=event)
        .select_related("theme", "agenda_item", "room")
        .order_by("agenda_item__starts_at", "theme__number", "pk")
    )
    by_day = _by_day(delegates)
    totals = StatusCounts(
        label="All registrations",
        **{status: sum(getattr(row, status) for row in by_sector) for status in STATUSES},
    )
    return Overview(
        by_sector=by_sector,
        by_organisation=by_organisation,
        sessions=list(sessions),
        by_day=by_day,
        totals=totals,
        busiest_day=max((day.count for day in by_day), default=0),
        check_ins=figures.check_in_slots([event.pk]).get(event.pk, []),
    )
