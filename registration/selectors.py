"""The agenda page: every item with its room, presentations and speakers and, for a
breakout round, its sessions with their places, in a fixed number of queries however
large the event."""

from django.db.models import Prefetch
from django.utils import timezone

from breakouts.models import BreakoutSession
from breakouts.selectors import labelled_sessions, sessions_with_places
from speakers.models import Presentation, PresentationSpeaker
from symposium.models import AgendaItem, Event


def agenda(*, event: Event) -> list[AgendaItem]:
    """The agenda in time order, with rooms, presentations (in order) and their speakers
    (in billing order) and, for breakout rounds, the sessions with their places.

    Presentations are in `item.presentations.all`, their speakers' bookings in
    `presentation.speaker_bookings.all`; sessions are in `item.sessions` (a list);
    `item.day` is the local date, to group a multi-day agenda by day.
    """
    bookings = PresentationSpeaker.objects.select_related("speaker").order_by("order", "pk")
    presentations = Presentation.objects.order_by("order", "pk").prefetch_related(
        Prefetch("speaker_bookings", queryset=bookings)
    )
    sessions = sessions_with_places(
        BreakoutSession.objects.select_related("theme", "room").order_by("theme__number", "pk")
    )
    items = (
        AgendaItem.objects.filter(event=event)
        .select_related("room")
        .order_by("starts_at", "room__name", "pk")
        .prefetch_related(
            Prefetch("presentations", queryset=presentations),
            Prefetch("breakout_sessions", queryset=sessions, to_attr="sessions"),
        )
    )
    items = labelled_sessions(list(items), "sessions")
    for item in items:
        # The UK date, not the UTC one: they differ for an item starting before 01:00 BST.
        item.day = timezone.localdate(item.starts_at)
    return items
