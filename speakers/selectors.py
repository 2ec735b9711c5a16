"""Read helpers for the public speaker pages."""

from django.db.models import Prefetch, QuerySet

from speakers.models import PresentationSpeaker, Speaker
from symposium.models import Event


def event_speakers(*, event: Event) -> QuerySet[Speaker]:
    """Speakers who present at the event, each once, by name."""
    presenting = PresentationSpeaker.objects.filter(agenda_item__event=event)
    return Speaker.objects.filter(pk__in=presenting.values("speaker_id")).order_by("name", "pk")


def event_speakers_with_presentations(*, event: Event) -> QuerySet[Speaker]:
    """`event_speakers` with `speaker.event_bookings`: their presentations at this event
    in time order, with the agenda item and its room."""
    bookings = (
        PresentationSpeaker.objects.filter(agenda_item__event=event)
        .select_related("presentation", "agenda_item", "agenda_item__room")
        .order_by("starts_at", "presentation__order", "pk")
    )
    return event_speakers(event=event).prefetch_related(
        Prefetch("bookings", queryset=bookings, to_attr="event_bookings")
    )
