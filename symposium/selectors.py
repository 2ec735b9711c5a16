"""Read helpers for the public site: the events, their hours and calendar.

Each returns everything its page shows in a fixed number of queries, however many
items, speakers, sessions or delegates the event has.
"""

import datetime as dt

from django.db.models import Max, Min, QuerySet
from django.utils import timezone

from symposium.models import AgendaItem, Event


def published_events() -> QuerySet[Event]:
    return Event.objects.published()


def upcoming_events(*, today: dt.date | None = None) -> QuerySet[Event]:
    """Published events that have not ended yet, soonest first."""
    today = today or timezone.localdate()
    return published_events().filter(ends_on__gte=today).order_by("starts_on", "name")


def event_hours(*, event: Event) -> dict[str, dt.datetime | None]:
    """When the agenda starts and ends (`starts_at`, `ends_at`; None without an agenda)."""
    return AgendaItem.objects.filter(event=event).aggregate(
        starts_at=Min("starts_at"), ends_at=Max("ends_at")
    )


def calendar_items(*, event: Event) -> QuerySet[AgendaItem]:
    """The agenda items the .ics file needs: times, titles and rooms."""
    return (
        AgendaItem.objects.filter(event=event)
        .select_related("room")
        .order_by("starts_at", "room__name", "pk")
    )
