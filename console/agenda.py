"""The event page's agenda table: times of day, the date only for multi-day events, the
event's rooms read once for every row, and a label on every input."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.forms import widgets
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from symposium.models import AgendaItem, Room
from symposium.widgets import DateInput, TimeInput

SAVE_FIRST = (
    "Rooms typed above can be chosen here once the event is saved: use “Save and continue editing”."
)


def within_event(event, starts_at, ends_at) -> str | None:
    """Why an item at these times is not within the event's dates, or None."""
    if not (event and event.starts_on and event.ends_on and starts_at and ends_at):
        return None
    first, last = timezone.localtime(starts_at).date(), timezone.localtime(ends_at).date()
    if first < event.starts_on or last > event.ends_on:
        if event.starts_on == event.ends_on:
            return f"The event is on {event.starts_on:%-d %B %Y}: choose a time that day."
        return (
            f"The event runs from {event.starts_on:%-d %B %Y} to {event.ends_on:%-d %B %Y}: "
            "choose a day within it."
        )
    return None


class AgendaRowForm(forms.ModelForm):
    """One agenda row. `day` is asked only when the event lasts more than a day; blank,
    it is the event's first day."""

    day = forms.DateField(required=False, widget=DateInput)
    start = forms.TimeField(widget=TimeInput)
    end = forms.TimeField(widget=TimeInput)

    class Meta:
        model = AgendaItem
        fields = ["room", "kind", "title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2, "cols": 30})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        item = self.instance
        if item.pk:
            starts_at = timezone.localtime(item.starts_at)
            ends_at = timezone.localtime(item.ends_at)
            self.initial.update(day=starts_at.date(), start=starts_at.time(), end=ends_at.time())

    def clean(self):
        data = super().clean()
        event = self.instance.event if self.instance.event_id else getattr(self, "event", None)
        day = data.get("day") or (event.starts_on if event else None)
        start, end = data.get("start"), data.get("end")
        if day is None or start is None or end is None:
            if day is None and start and end:
                self.add_error("day", "Choose the day.")
            return data
        starts_at = timezone.make_aware(dt.datetime.combine(day, start))
        ends_at = timezone.make_aware(dt.datetime.combine(day, end))
        self.instance.starts_at, self.instance.ends_at = starts_at, ends_at
        data["starts_at"], data["ends_at"] = starts_at, ends_at
        problem = within_event(event, starts_at, ends_at)
        if problem:
            self.add_error("day" if "day" in self.changed_data else "start", problem)
        return data

    def _update_errors(self, errors):
        # The model's errors name starts_at/ends_at; this form asks start/end.
        if hasattr(errors, "error_dict"):
            renamed = {"starts_at": "start", "ends_at": "end"}
            errors = ValidationError(
                {renamed.get(name, name): value for name, value in errors.error_dict.items()}
            )
        super()._update_errors(errors)


class QuickRender:
    """A widget written in Python rather than through its templates. Django renders
    each input, select and option through a template, a millisecond or more apiece: an
    agenda of 60 rows took over a second to render. Same HTML, same attributes."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        html_attrs = flatatt(widget["attrs"])
        if "optgroups" in widget:
            options = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    (option["value"], " selected" if option["selected"] else "", option["label"])
                    for _group, choices, _index in widget["optgroups"]
                    for option in choices
                ),
            )
            return format_html('<select name="{}"{}>{}</select>', name, html_attrs, options)
        if isinstance(self, forms.Textarea):
            return format_html(
                '<textarea name="{}"{}>\n{}</textarea>', name, html_attrs, widget["value"] or ""
            )
        shown = "" if widget["value"] is None else format_html(' value="{}"', widget["value"])
        return format_html(
            '<input type="{}" name="{}"{}{}>', widget["type"], name, shown, html_attrs
        )


QUICK_BASES = (widgets.Input, forms.Textarea, forms.Select)
# Widgets with templates of their own (file links, several inputs, radio lists).
TEMPLATED = (forms.FileInput, forms.MultiWidget, forms.SelectMultiple, forms.RadioSelect)
_quick_classes: dict[type, type] = {}


def quick_class(cls: type) -> type | None:
    if not issubclass(cls, QUICK_BASES) or issubclass(cls, (TEMPLATED, QuickRender)):
        return None
    if cls not in _quick_classes:
        _quick_classes[cls] = type(f"Quick{cls.__name__}", (QuickRender, cls), {})
    return _quick_classes[cls]


def quick_widgets(form) -> None:
    """Swap the form's plain widgets (inside the admin's wrappers too) for their quick
    twins: a subclass that only renders differently."""
    for field in form.fields.values():
        widget = getattr(field.widget, "widget", field.widget)
        quick = quick_class(type(widget))
        if quick is not None:
            widget.__class__ = quick


def label_widget(widget, label: str) -> None:
    """Name the widget's inputs for screen readers: through the admin's "add another"
    wrapper, and each part of a date-and-time pair."""
    widget = getattr(widget, "widget", widget)
    parts = getattr(widget, "widgets", None)
    if parts:
        for part, name in zip(parts, ("date", "time"), strict=False):
            part.attrs.setdefault("aria-label", f"{label}: {name}")
    else:
        widget.attrs.setdefault("aria-label", label)


def label_inputs(form, *, only_split: bool = False) -> None:
    """A tabular inline's inputs sit under column headings, which are not labels; a
    date-and-time pair has one label for two inputs. Name each input."""
    for name, field in form.fields.items():
        if only_split and not hasattr(getattr(field.widget, "widget", field.widget), "widgets"):
            continue
        label_widget(field.widget, str(field.label or name.replace("_", " ").capitalize()))


class LabelledFormSetMixin:
    def add_fields(self, form, index):
        super().add_fields(form, index)
        quick_widgets(form)
        label_inputs(form)


def share_choices(formset, form, names) -> None:
    """Every row of a table offers the same rooms or rounds: read them once for the
    formset instead of once per row."""
    shared = formset.__dict__.setdefault("_shared_choices", {})
    for name in names:
        if name in form.fields:
            if name not in shared:
                shared[name] = list(form.fields[name].choices)
            form.fields[name].choices = shared[name]


class AgendaFormSetMixin(LabelledFormSetMixin):
    """Rooms are read once for the whole table (not once per row); the day column is
    hidden for a one-day event."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        event = self.instance
        form.event = event
        if "room" in form.fields:
            room = form.fields["room"]
            # Rooms are added in the table above, not from each agenda row: no "+" and
            # pencil links (the admin's wrapper) on 60 rows.
            room.widget = getattr(room.widget, "widget", room.widget)
            room.queryset = Room.objects.filter(event_id=event.pk)
            room.choices = self.room_choices
            if not self.room_choices[1:] and not event.pk:
                room.help_text = SAVE_FIRST
        if "day" in form.fields and event.pk and event.starts_on == event.ends_on:
            form.fields["day"].widget = quick_class(forms.HiddenInput)()

    @property
    def room_choices(self):
        if not hasattr(self, "_room_choices"):
            field = forms.ModelChoiceField(Room.objects.filter(event_id=self.instance.pk))
            self._room_choices = list(field.choices)
        return self._room_choices


class AgendaItemAdminForm(forms.ModelForm):
    """The agenda item's own page: the same rule, within the event's dates."""

    class Meta:
        model = AgendaItem
        fields = ["event", "starts_at", "ends_at", "room", "kind", "title", "description"]

    def clean(self):
        data = super().clean()
        problem = within_event(data.get("event"), data.get("starts_at"), data.get("ends_at"))
        if problem:
            self.add_error("starts_at", problem)
        return data


class LabelledFormSet(LabelledFormSetMixin, forms.BaseInlineFormSet):
    pass
