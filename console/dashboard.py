"""What the admin index shows of each event, with its charts, in a fixed number of
queries (five, whatever the number of events, delegates and check-ins)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from breakouts.models import BreakoutSession
from breakouts.selectors import sessions_with_places
from console import figures
from partners.quotas import quota_usage_of
from symposium import teams
from symposium.enums import RegistrationStatus
from symposium.models import Delegate, DelegateNeeds, Event

NEEDS_PERMISSION = "symposium.view_delegateneeds"


def _counted(queryset, group_by: str):
    counted = queryset.order_by().values(group_by).annotate(count=Count("*")).values("count")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _delegates(status):
    return Delegate.objects.filter(event=OuterRef("pk"), status=status)


def events_with_numbers(events=None):
    """Events (all, or those of the queryset `events`) annotated with `confirmed`,
    `waitlisted` and `with_needs` (active delegates who gave dietary or access needs), in
    one query."""
    needs = DelegateNeeds.objects.filter(delegate__event=OuterRef("pk")).exclude(
        delegate__status=RegistrationStatus.CANCELLED
    )
    events = Event.objects.all() if events is None else events
    return events.annotate(
        confirmed=_counted(_delegates(RegistrationStatus.CONFIRMED), "event"),
        waitlisted=_counted(_delegates(RegistrationStatus.WAITLISTED), "event"),
        with_needs=_counted(needs, "delegate__event"),
    ).order_by("-starts_on", "name")


@dataclass
class EventCard:
    event: Event
    sessions: list = field(default_factory=list)
    quotas: list = field(default_factory=list)  # partners.quotas.QuotaUse
    show_needs: bool = False
    charts: list = field(default_factory=list)

    @property
    def days_to_go(self) -> int:
        return (self.event.starts_on - timezone.localdate()).days

    @property
    def places_left(self) -> int:
        return max(self.event.delegate_capacity - self.event.confirmed, 0)

    @property
    def is_over(self) -> bool:
        return self.event.ends_on < timezone.localdate()

    @property
    def registration_opens_in(self) -> int:
        """Days until registration opens: 0 today, negative once it has."""
        return (timezone.localdate(self.event.registration_opens_at) - timezone.localdate()).days

    @property
    def registration_closes_in(self) -> int:
        """Days until registration closes: 0 today, negative once it has."""
        return (timezone.localdate(self.event.registration_closes_at) - timezone.localdate()).days

    @property
    def registration_closed(self) -> bool:
        return self.event.registration_closes_at <= timezone.now()


def event_cards(*, user, today: dt.date | None = None) -> list[EventCard]:
    """One card per event the user may see (their teams' events), with its charts: six
    queries whatever the number of events, sessions, seat quotas, delegates and
    check-ins (the events, the sessions, the quotas, and console.figures' three)."""
    if not user.has_perm("symposium.view_event"):
        return []
    cards = {
        event.pk: EventCard(event=event, show_needs=user.has_perm(NEEDS_PERMISSION))
        for event in events_with_numbers(teams.events_for(user))
    }
    if not cards:
        return []
    sessions = sessions_with_places(
        BreakoutSession.objects.filter(theme__event_id__in=cards).select_related(
            "theme", "agenda_item", "room"
        )
    )
    for session in sessions:
        cards[session.theme.event_id].sessions.append(session)
    for pk, uses in quota_usage_of(events=list(cards)).items():
        cards[pk].quotas = uses
    today = today or timezone.localdate()
    numbers = figures.figures_for(list(cards))
    for card in cards.values():
        card.charts = figures.event_charts(
            event=card.event,
            figures=numbers[card.event.pk],
            sessions=card.sessions,
            today=today,
            # Before the day, an empty check-in chart says nothing.
            with_check_ins=bool(numbers[card.event.pk].check_ins),
        )
    return in_dashboard_order(list(cards.values()), today=today)


def in_dashboard_order(cards: list[EventCard], *, today: dt.date) -> list[EventCard]:
    """Events to come (or on now) first, the soonest first; then past events, the most
    recent first."""
    upcoming = [card for card in cards if card.event.ends_on >= today]
    past = [card for card in cards if card.event.ends_on < today]
    upcoming.sort(key=lambda card: (card.event.starts_on, card.event.name, card.event.pk))
    past.sort(key=lambda card: (card.event.ends_on, card.event.starts_on), reverse=True)
    return upcoming + past
