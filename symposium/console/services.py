"""Organisers' changes that are more than one row: moving delegates between breakout
sessions and copying an event. Same lock order as symposium.services: the event row,
then delegate rows, then breakout sessions in pk order."""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from breakouts import services as breakout_services
from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice, BreakoutSession, Theme
from speakers.models import Presentation, PresentationSpeaker
from symposium import emails
from symposium.enums import RegistrationStatus
from symposium.models import AgendaItem, Delegate, Event, Room


def _standing_elsewhere(delegate: Delegate, round_id: int) -> list[BreakoutSession]:
    """The session each of the delegate's other rounds stands for (a swap over the place
    it would replace), so only `round_id` changes."""
    standing = {}
    choices = (
        BreakoutChoice.objects.filter(delegate=delegate)
        .exclude(agenda_item_id=round_id)
        .select_related("session")
        .order_by("pk")
    )
    for choice in choices:
        if choice.replaces_id or choice.agenda_item_id not in standing:
            standing[choice.agenda_item_id] = choice.session
    return list(standing.values())


def _notify_promoted(choices: Sequence[BreakoutChoice]) -> None:
    for choice in choices:
        if getattr(choice, "given_up", None):
            emails.notify_breakout_swap(choice=choice, given_up=choice.given_up)
        else:
            emails.notify_breakout_place(choice=choice)


def move_delegates(*, delegates: Sequence[Delegate], session: BreakoutSession) -> list[Delegate]:
    """Give each delegate a place in `session`, instead of their breakout in its round.

    All or nothing: refused (ValidationError) when the session has not room for every
    delegate not already there, or a delegate has no place at the session's event.

    Side effects: locks the event, the delegates and the round's sessions; replaces the
    delegates' choices in that round (places given up go to the front of their queues);
    emails each moved delegate a summary and anyone promoted. Returns those moved.
    """
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=session.theme.event_id)
        locked_delegates = list(
            Delegate.objects.select_for_update()
            .filter(pk__in=[delegate.pk for delegate in delegates])
            .order_by("pk")
        )
        for delegate in locked_delegates:
            if delegate.event_id != event.pk or delegate.status != RegistrationStatus.CONFIRMED:
                raise ValidationError(
                    f"{delegate.full_name} has no place at {event}: only delegates with a "
                    "place can be moved into a breakout."
                )
        session = breakout_services.lock_sessions(session_ids=[session.pk])[session.pk]
        there = set(
            BreakoutChoice.objects.filter(
                session=session, status=ChoiceStatus.CONFIRMED
            ).values_list("delegate_id", flat=True)
        )
        moving = [delegate for delegate in locked_delegates if delegate.pk not in there]
        free = session.capacity - breakout_services.places_taken(session=session)
        if len(moving) > free:
            raise ValidationError(
                f"“{session.theme.title}” has {max(free, 0)} place(s) left: "
                f"{len(moving)} delegate(s) cannot all move there. Raise its capacity or "
                "move fewer delegates."
            )
        for delegate in moving:
            changes = breakout_services.set_breakout_choices(
                delegate=delegate,
                sessions=[*_standing_elsewhere(delegate, session.agenda_item_id), session],
                give_up_rounds=[session.agenda_item_id],
            )
            emails.notify_changed(delegate=delegate)
            _notify_promoted(changes.promoted)
    return moving


# Copying an event --------------------------------------------------------------------


def _shifted(moment: dt.datetime, days: int) -> dt.datetime:
    """The same wall-clock time `days` later in the event's time zone, across a change
    to or from summer time."""
    local = timezone.localtime(moment).replace(tzinfo=None) + dt.timedelta(days=days)
    return timezone.make_aware(local)


def copy_event(*, event: Event, name: str, slug: str, starts_on: dt.date) -> Event:
    """A new, unpublished event like `event` on `starts_on`: its rooms, its agenda moved
    to the new dates (same times of day), presentations with their speakers, themes and
    breakout sessions. No delegates, choices or exports.

    Side effects: creates the Event and its Room, AgendaItem, Presentation,
    PresentationSpeaker, Theme and BreakoutSession rows, in one transaction.
    """
    days = (starts_on - event.starts_on).days
    with transaction.atomic():
        copy = Event.objects.get(pk=event.pk)
        copy.pk = None
        copy._state.adding = True
        copy.name, copy.slug, copy.is_published = name, slug, False
        copy.starts_on, copy.ends_on = starts_on, event.ends_on + dt.timedelta(days=days)
        copy.registration_opens_at = _shifted(event.registration_opens_at, days)
        copy.registration_closes_at = _shifted(event.registration_closes_at, days)
        copy.save()
        rooms = _copy_rooms(event, copy)
        items = _copy_agenda(event, copy, rooms, days)
        _copy_presentations(event, items)
        _copy_breakouts(event, copy, rooms, items)
    return copy


def _copy_rooms(event, copy) -> dict[int, Room]:
    return {
        room.pk: Room.objects.create(
            event=copy, name=room.name, capacity=room.capacity, access_notes=room.access_notes
        )
        for room in event.rooms.all()
    }


def _copy_agenda(event, copy, rooms, days) -> dict[int, AgendaItem]:
    return {
        item.pk: AgendaItem.objects.create(
            event=copy,
            starts_at=_shifted(item.starts_at, days),
            ends_at=_shifted(item.ends_at, days),
            room=rooms.get(item.room_id),
            kind=item.kind,
            title=item.title,
            description=item.description,
        )
        for item in event.agenda_items.all()
    }


def _copy_presentations(event, items) -> None:
    presentations = Presentation.objects.filter(agenda_item__event=event).prefetch_related(
        "speaker_bookings"
    )
    for presentation in presentations:
        bookings = list(presentation.speaker_bookings.all())
        copy = Presentation.objects.create(
            agenda_item=items[presentation.agenda_item_id],
            title=presentation.title,
            abstract=presentation.abstract,
            kind=presentation.kind,
            order=presentation.order,
        )
        for booking in bookings:
            PresentationSpeaker.objects.create(
                presentation=copy, speaker_id=booking.speaker_id, order=booking.order
            )


def _copy_breakouts(event, copy, rooms, items) -> None:
    themes = {}
    for theme in event.themes.all():
        themes[theme.pk] = Theme.objects.create(
            event=copy, number=theme.number, title=theme.title, description=theme.description
        )
    for session in BreakoutSession.objects.filter(theme__event=event):
        BreakoutSession.objects.create(
            theme=themes[session.theme_id],
            agenda_item=items[session.agenda_item_id],
            room=rooms.get(session.room_id),
            capacity=session.capacity,
            facilitator=session.facilitator,
        )
