"""Organisers' changes that are more than one row: moving delegates between breakout
sessions and copying an event. Same lock order as registration.services: the event row,
then delegate rows, then breakout sessions in pk order."""

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.db.models.deletion import Collector
from django.utils import timezone

from breakouts import services as breakout_services
from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice, BreakoutSession, Theme
from console.rules import plural
from questions import services as question_services
from registration import privacy
from speakers.models import Presentation, PresentationSpeaker
from symposium import audit, outbox, queued_mail
from symposium.enums import RegistrationStatus
from symposium.models import AgendaItem, Delegate, DelegateNeeds, Event, Room


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
            outbox.notify_breakout_swap(choice=choice, given_up=choice.given_up)
        else:
            outbox.notify_breakout_place(choice=choice)


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
            outbox.notify_changed(delegate=delegate)
            _notify_promoted(changes.promoted)
        audit.log_actions(
            audit.entry(
                event=event,
                action="event.delegates_moved",
                delegate=delegate,
                data={"session_id": session.pk},
            )
            for delegate in moving
        )
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
    breakout sessions, registration questions with their options and conditions. No
    delegates, choices, answers or exports. The copy records the event it came from
    (`copied_from`), for the report's year-on-year view.

    Side effects: creates the Event and its Room, AgendaItem, Presentation,
    PresentationSpeaker, Theme, BreakoutSession, Question and QuestionOption rows, in
    one transaction.
    """
    days = (starts_on - event.starts_on).days
    with transaction.atomic():
        copy = Event.objects.get(pk=event.pk)
        copy.pk = None
        copy._state.adding = True
        copy.name, copy.slug, copy.is_published = name, slug, False
        copy.copied_from = event
        copy.starts_on, copy.ends_on = starts_on, event.ends_on + dt.timedelta(days=days)
        copy.registration_opens_at = _shifted(event.registration_opens_at, days)
        copy.registration_closes_at = _shifted(event.registration_closes_at, days)
        copy.save()
        rooms = _copy_rooms(event, copy)
        items = _copy_agenda(event, copy, rooms, days)
        _copy_presentations(event, items)
        _copy_breakouts(event, copy, rooms, items)
        question_services.copy_questions(source=event, target=copy)
        audit.log_action(event=copy, action="event.copied", data={"from_event_id": event.pk})
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


# Deleting an event -------------------------------------------------------------------

# Listed first on the confirmation page, in these words; every other row that goes is
# listed by its model's name (a table added later is counted too, never forgotten).
DELEGATE_ROWS = "delegates' registrations: names, email addresses, organisations, job titles"
NEEDS_ROWS = "delegates' dietary and access needs"


@dataclass(frozen=True)
class EventDeletion:
    """What deleting `event` removes, and why it may not be deleted (or None)."""

    event: Event
    delegates: int
    with_needs: int
    rows: list[tuple[str, int]]
    refusal: str | None

    @property
    def total(self) -> int:
        return sum(count for _what, count in self.rows)


def deletion_refusal(*, event: Event, today: dt.date | None = None) -> str | None:
    """The rule: an event that has not ended cannot be deleted while anyone holds a place
    or waits for one (they would never be told). Cancelling their registrations emails
    each of them; once the event is over it can be deleted with everyone's data."""
    today = today or timezone.localdate()
    if event.ends_on < today:
        return None
    active = Delegate.objects.filter(event=event).active().count()
    if not active:
        return None
    return (
        f"“{event.name}” cannot be deleted yet: it has not ended and "
        f"{plural(active, 'delegate')} still {'has' if active == 1 else 'have'} a place or "
        "a place on its waitlist, and would not be told. Cancel their registrations first "
        "(each of them is emailed), or delete the event once it is over."
    )


def _rows_that_go(event: Event) -> Counter:
    collector = Collector(using=router.db_for_write(Event))
    collector.collect([event])
    counts = Counter()
    for model, instances in collector.data.items():
        counts[model] += len(instances)
    for queryset in collector.fast_deletes:
        counts[queryset.model] += queryset.count()
    return counts


def event_deletion(*, event: Event, today: dt.date | None = None) -> EventDeletion:
    """What `delete_event` would remove: a read, for the confirmation page."""
    counts = _rows_that_go(event)
    named = {Delegate: DELEGATE_ROWS, DelegateNeeds: NEEDS_ROWS}
    rows = [(named[model], counts[model]) for model in named if counts[model]]
    rows += sorted(
        (str(model._meta.verbose_name_plural), count)
        for model, count in counts.items()
        if count and model not in named and model is not Event and not model._meta.auto_created
    )
    return EventDeletion(
        event=event,
        delegates=counts[Delegate],
        with_needs=counts[DelegateNeeds],
        rows=rows,
        refusal=deletion_refusal(event=event, today=today),
    )


def delete_event(*, event: Event, today: dt.date | None = None) -> EventDeletion:
    """Delete the event and everything in it: rooms, agenda, presentations (the speakers
    stay, with their other events), themes, sessions, delegates with their needs,
    choices, check-ins and emails owed, mailings, exports' records and allocation runs.

    Refused (ValidationError, the reason in words) by `deletion_refusal`.

    Side effects: locks the event row (registrations wait for it, so nobody registers
    into an event being deleted), takes the delegates' names out of the admin's history,
    deletes every row that belongs to the event (the public pages' cache is cleared by
    the delete signals), then every email queued, deferred or logged to or about its
    delegates (`queued_mail.forget`). Returns what was deleted.
    """
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        deletion = event_deletion(event=event, today=today)
        if deletion.refusal:
            raise ValidationError(deletion.refusal)
        delegates = Delegate.objects.filter(event=event)
        privacy.forget_in_admin_history(delegates=delegates)
        people = [queued_mail.Person.of(delegate) for delegate in delegates]
        event.delete()
        # Last, as erasure does: an email being queued for them meanwhile is then seen.
        queued_mail.forget(people=people)
    return deletion


# Going live ------------------------------------------------------------------------


def publish_event(*, event: Event) -> Event:
    """Publish the event, unless the go-live checklist has a blocker: then a
    ValidationError listing each. The checks run with the event's row locked, so a change
    made meanwhile through the same lock cannot slip in between check and publish."""
    from console import golive

    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        found = golive.blockers(event)
        if found:
            raise ValidationError([issue.text for issue in found])
        if not event.is_published:
            event.is_published = True
            event.save(update_fields=["is_published", "updated_at"])
            audit.log_action(event=event, action="event.published")
    return event


def unpublish_event(*, event: Event) -> Event:
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if event.is_published:
            event.is_published = False
            event.save(update_fields=["is_published", "updated_at"])
            audit.log_action(event=event, action="event.unpublished")
    return event


# Building an event -----------------------------------------------------------------


@dataclass
class GridCell:
    agenda_item: AgendaItem
    session: BreakoutSession | None
    capacity: int | None
    room: Room | None
    facilitator: str


@dataclass
class GridRow:
    theme: Theme | None
    number: int | None
    title: str
    cells: list[GridCell]


def save_session_grid(*, event: Event, rows: Sequence[GridRow]) -> int:
    """Themes and their sessions, round by round, in one transaction: a theme row with a
    title is saved; a cell with a capacity is a session (new or changed). Returns how
    many sessions were written. The forms have checked each row; the database's
    constraints refuse anything they missed, and then nothing is saved."""
    written = 0
    with transaction.atomic():
        for row in rows:
            theme = row.theme
            if theme is None:
                theme = Theme(event=event)
            theme.number, theme.title = row.number, row.title
            theme.save()
            for cell in row.cells:
                session = cell.session
                if cell.capacity is None:
                    continue
                if session is None:
                    session = BreakoutSession(theme=theme, agenda_item=cell.agenda_item)
                changed = (session.capacity, session.room_id, session.facilitator) != (
                    cell.capacity,
                    cell.room.pk if cell.room else None,
                    cell.facilitator,
                )
                if session.pk and not changed:
                    continue
                session.capacity, session.room, session.facilitator = (
                    cell.capacity,
                    cell.room,
                    cell.facilitator,
                )
                session.save()
                written += 1
        audit.log_action(
            event=event,
            action="event.sessions_saved",
            data={"themes": len(rows), "sessions": written},
        )
    return written


def next_theme_numbers(event: Event, count: int) -> list[int]:
    """The next `count` free theme numbers at the event, from 1."""
    taken = set(Theme.objects.filter(event=event).values_list("number", flat=True))
    numbers, candidate = [], 1
    while len(numbers) < count:
        if candidate not in taken:
            numbers.append(candidate)
        candidate += 1
    return numbers
