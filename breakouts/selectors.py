"""Read helpers shared by the public breakouts page, the admin and the staff overview."""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce

from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice, BreakoutSession, Theme
from symposium.models import Event

FEW_PLACES_LEFT = 5


def choices_counted(status):
    """Per session, a count read from the (session, status, created_at) index alone:
    several times cheaper on a large event than joining every choice and grouping.
    COUNT(*), not COUNT(id), so PostgreSQL need not visit the table (index-only scan)."""
    count = (
        BreakoutChoice.objects.filter(session=OuterRef("pk"), status=status)
        .order_by()
        .values("session")
        .annotate(count=Count("*"))
        .values("count")
    )
    return Coalesce(Subquery(count, output_field=IntegerField()), 0)


def sessions_with_places(queryset=None):
    """Sessions annotated with `places_taken` and `waitlist_length`, in one query."""
    queryset = BreakoutSession.objects.all() if queryset is None else queryset
    return queryset.annotate(
        places_taken=choices_counted(ChoiceStatus.CONFIRMED),
        waitlist_length=choices_counted(ChoiceStatus.WAITLISTED),
    )


def availability_label(capacity, places_taken):
    left = capacity - places_taken
    if left <= 0:
        return "Full — join the waitlist"
    if left <= FEW_PLACES_LEFT:
        return "Few places left"
    return "Places available"


def label_places(sessions):
    """Give each session (annotated by `sessions_with_places`) `places_left`, the plain
    `places_label` delegates read, and `places_status` ("available", "few" or "full")
    for styling; returns the sessions as a list."""
    sessions = list(sessions)
    for session in sessions:
        left = max(session.capacity - session.places_taken, 0)
        session.places_left = left
        session.places_label = availability_label(session.capacity, session.places_taken)
        session.places_status = (
            "full" if left == 0 else "few" if left <= FEW_PLACES_LEFT else "available"
        )
    return sessions


def labelled_sessions(instances, attr):
    for instance in instances:
        label_places(getattr(instance, attr))
    return instances


def breakout_themes(*, event: Event) -> list[Theme]:
    """The event's themes in number order, each with `theme.round_sessions`: its sessions
    in round order with the round, room and places left."""
    sessions = sessions_with_places(
        BreakoutSession.objects.select_related("agenda_item", "room").order_by(
            "agenda_item__starts_at", "room__name", "pk"
        )
    )
    themes = (
        Theme.objects.filter(event=event)
        .order_by("number")
        .prefetch_related(Prefetch("sessions", queryset=sessions, to_attr="round_sessions"))
    )
    return labelled_sessions(list(themes), "round_sessions")
