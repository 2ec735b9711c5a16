import datetime as dt

from django import forms
from django.utils import timezone

from breakouts.models import BreakoutSession
from breakouts.selectors import sessions_with_places
from symposium.models import Event
from symposium.widgets import DateInput


class CopyEventForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name of the new event")
    slug = forms.SlugField(
        max_length=100, label="Web address", help_text="Letters, numbers and hyphens."
    )
    starts_on = forms.DateField(label="First day of the new event", widget=DateInput)

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["starts_on"].help_text = (
            "The agenda moves to this date, at the same times of day; the default is the "
            f"same weekday a year on ({event.starts_on:%A}s). {registration_window_words(event)}"
        )

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Event.objects.filter(slug=slug).exists():
            raise forms.ValidationError("Another event has this web address: choose another.")
        return slug

    def clean_starts_on(self):
        starts_on = self.cleaned_data["starts_on"]
        length = self.event.ends_on - self.event.starts_on
        if starts_on <= self.event.ends_on and starts_on + length >= self.event.starts_on:
            # Its speakers would be booked twice at the same hour.
            raise forms.ValidationError(
                "Choose dates that do not overlap the event being copied "
                f"({self.event.starts_on:%-d %B %Y} to {self.event.ends_on:%-d %B %Y})."
            )
        return starts_on


def session_label(session) -> str:
    room = f", {session.room.name}" if session.room else ""
    return (
        f"{session.theme.title} ({session.agenda_item.title}{room}): "
        f"{session.places_taken} of {session.capacity} places taken"
    )


class MoveDelegatesForm(forms.Form):
    session = forms.ModelChoiceField(
        queryset=BreakoutSession.objects.none(), label="Move to this breakout session"
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        sessions = sessions_with_places(
            BreakoutSession.objects.filter(theme__event=event).select_related(
                "theme", "agenda_item", "room"
            )
        )
        self.fields["session"].queryset = sessions
        self.fields["session"].label_from_instance = session_label


def default_copy_date(event: Event) -> dt.date:
    """52 weeks on: the same weekday, as partners book their diaries by the weekday."""
    return event.starts_on + dt.timedelta(weeks=52)


def _days_before(moment: dt.datetime, day: dt.date) -> str:
    days = (day - timezone.localtime(moment).date()).days
    at = f"{timezone.localtime(moment):%H:%M}"
    if days == 0:
        return f"on the first day at {at}"
    word = "day" if abs(days) == 1 else "days"
    return f"{abs(days)} {word} {'before' if days > 0 else 'after'} it starts, at {at}"


def registration_window_words(event: Event) -> str:
    """The registration window as a copy keeps it: relative to the first day."""
    return (
        "Registration moves with it: it opens "
        f"{_days_before(event.registration_opens_at, event.starts_on)} and closes "
        f"{_days_before(event.registration_closes_at, event.starts_on)}, as for this event."
    )
