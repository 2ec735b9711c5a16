"""Building an event: its sessions in one grid (themes × rounds), its speakers and
presentations on one page, and the go-live checklist that publishes it. Every choice
offered here is the event's own."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import slugify
from django.views import View

from breakouts.models import BreakoutSession, Theme
from console import golive, services
from console.rules import CAPACITY_AT_LEAST_ONE, plural
from speakers.enums import PresentationKind
from speakers.models import Presentation, PresentationSpeaker, Speaker, speakers_of
from symposium.enums import AgendaKind
from symposium.models import AgendaItem, Event, Room, clock

EXTRA_THEMES_NEW = 6  # blank theme rows on an event with no themes yet
EXTRA_THEMES = 2
EXTRA_SPEAKERS = 3
# A presentation is given in a talk-like item: not a break, not a breakout round.
NO_PRESENTATIONS = (AgendaKind.BREAK, AgendaKind.BREAKOUT_ROUND)


class EventPageView(View):
    admin_site = None
    permissions: tuple = ()
    template_name = ""
    title = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perms(self.permissions):
            raise PermissionDenied
        self.event = get_object_or_404(Event, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def render(self, **context):
        return TemplateResponse(
            self.request,
            self.template_name,
            {
                **self.admin_site.each_context(self.request),
                "event": self.event,
                "opts": Event._meta,
                "title": f"{self.title}: {self.event.name}",
                "build_links": build_links(self.event),
                **context,
            },
        )


def build_links(event):
    return [
        (reverse("admin:symposium_event_change", args=[event.pk]), "Event, rooms and agenda"),
        (reverse("admin:console-event-speakers", args=[event.pk]), "Speakers and presentations"),
        (reverse("admin:console-event-sessions", args=[event.pk]), "Breakout sessions"),
        (reverse("admin:console-event-go-live", args=[event.pk]), "Go-live checklist"),
    ]


# The go-live checklist -------------------------------------------------------------


class GoLiveView(EventPageView):
    template_name = "admin/console/go_live.html"
    permissions = ("symposium.change_event",)
    title = "Go-live checklist"

    def get(self, request, pk):
        return self.page()

    def page(self, refused=()):
        issues = golive.go_live_issues(self.event)
        return self.render(
            blockers=[issue for issue in issues if issue.is_blocker],
            warnings=[issue for issue in issues if not issue.is_blocker],
            refused=refused,
        )

    def post(self, request, pk):
        if request.POST.get("action") == "unpublish":
            services.unpublish_event(event=self.event)
            messages.success(request, f"“{self.event.name}” is no longer on the public site.")
            return redirect(request.path)
        try:
            self.event = services.publish_event(event=self.event)
        except ValidationError as refusal:
            messages.error(request, "Not published: fix the blockers below first.")
            return self.page(refused=refusal.messages)
        messages.success(request, f"“{self.event.name}” is published.")
        return redirect(request.path)


# Sessions in one grid --------------------------------------------------------------


class SessionGridForm(forms.Form):
    """One row per theme, one cell per breakout round: capacity, room, facilitator."""

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.rounds = list(
            AgendaItem.objects.filter(event=event, kind=AgendaKind.BREAKOUT_ROUND).order_by(
                "starts_at", "pk"
            )
        )
        self.rooms = list(Room.objects.filter(event=event).order_by("name"))
        self.room_by_pk = {str(room.pk): room for room in self.rooms}
        room_choices = [("", "Room…")] + [
            (str(room.pk), f"{room.name} ({room.capacity})") for room in self.rooms
        ]
        themes = list(Theme.objects.filter(event=event).order_by("number"))
        sessions = {
            (session.theme_id, session.agenda_item_id): session
            for session in BreakoutSession.objects.filter(theme__event=event)
        }
        extra = EXTRA_THEMES if themes else EXTRA_THEMES_NEW
        numbers = services.next_theme_numbers(event, extra)
        self.rows = []
        for index, theme in enumerate([*themes, *[None] * extra]):
            prefix = f"t{index}"
            shown = f"Theme {theme.number}" if theme else f"New theme {index + 1 - len(themes)}"
            self.fields[f"{prefix}-number"] = forms.IntegerField(
                min_value=1,
                required=False,
                initial=theme.number if theme else numbers[index - len(themes)],
                widget=forms.NumberInput(attrs={"aria-label": f"{shown}: number", "size": 3}),
            )
            self.fields[f"{prefix}-title"] = forms.CharField(
                max_length=300,
                required=False,
                initial=theme.title if theme else "",
                widget=forms.TextInput(attrs={"aria-label": f"{shown}: title", "size": 28}),
            )
            cells = []
            for item in self.rounds:
                session = sessions.get((theme.pk, item.pk)) if theme else None
                cell = f"{prefix}-r{item.pk}"
                where = f"{shown}, {item.title}"
                self.fields[f"{cell}-capacity"] = forms.IntegerField(
                    min_value=1,
                    required=False,
                    initial=session.capacity if session else None,
                    error_messages={"min_value": CAPACITY_AT_LEAST_ONE},
                    widget=forms.NumberInput(attrs={"aria-label": f"{where}: capacity"}),
                )
                # The rooms read once above: no query per cell, shown or posted.
                self.fields[f"{cell}-room"] = forms.TypedChoiceField(
                    choices=room_choices,
                    coerce=self.room_by_pk.get,
                    empty_value=None,
                    required=False,
                    initial=session.room_id if session else None,
                    widget=forms.Select(attrs={"aria-label": f"{where}: room"}),
                )
                self.fields[f"{cell}-facilitator"] = forms.CharField(
                    max_length=200,
                    required=False,
                    initial=session.facilitator if session else "",
                    widget=forms.TextInput(
                        attrs={"aria-label": f"{where}: facilitator", "size": 14}
                    ),
                )
                cells.append((item, session, cell))
            self.rows.append((theme, prefix, cells))

    def table(self):
        """The rows as the template walks them: bound fields, row by row, cell by cell."""
        return [
            {
                "theme": theme,
                "number": self[f"{prefix}-number"],
                "title": self[f"{prefix}-title"],
                "cells": [
                    {
                        "capacity": self[f"{cell}-capacity"],
                        "room": self[f"{cell}-room"],
                        "facilitator": self[f"{cell}-facilitator"],
                        "session": session,
                    }
                    for _item, session, cell in cells
                ],
            }
            for theme, prefix, cells in self.rows
        ]

    def clean(self):
        data = super().clean()
        self.grid = []
        numbers = {}
        rooms_used = {}
        for theme, prefix, cells in self.rows:
            title = (data.get(f"{prefix}-title") or "").strip()
            number = data.get(f"{prefix}-number")
            filled = [
                name
                for name in (
                    f"{cell}-{part}"
                    for _i, _s, cell in cells
                    for part in ("capacity", "room", "facilitator")
                )
                if data.get(name)
            ]
            if theme is None and not title:
                if filled:
                    self.add_error(f"{prefix}-title", "Give the theme a title.")
                continue
            if not title:
                self.add_error(f"{prefix}-title", "A theme needs a title.")
                continue
            if number is None:
                self.add_error(f"{prefix}-number", "Give the theme a number.")
                continue
            if number in numbers:
                self.add_error(
                    f"{prefix}-number", f"Theme {number} is already “{numbers[number]}”."
                )
            numbers[number] = title
            grid_cells = []
            for item, session, cell in cells:
                capacity = data.get(f"{cell}-capacity")
                room = data.get(f"{cell}-room")
                if capacity is None and session is not None:
                    self.add_error(
                        f"{cell}-capacity",
                        "This session exists: give its capacity (to remove it, delete it "
                        "from the theme's page).",
                    )
                    continue
                if capacity is None and (room or data.get(f"{cell}-facilitator")):
                    self.add_error(f"{cell}-capacity", "Give the session's capacity.")
                    continue
                if capacity is not None and room is not None:
                    other = rooms_used.get((item.pk, room.pk))
                    if other:
                        self.add_error(
                            f"{cell}-room",
                            f"{room.name} is already given to “{other}” in {item.title}.",
                        )
                    rooms_used[(item.pk, room.pk)] = title
                grid_cells.append(
                    services.GridCell(
                        agenda_item=item,
                        session=session,
                        capacity=capacity,
                        room=room,
                        facilitator=(data.get(f"{cell}-facilitator") or "").strip(),
                    )
                )
            self.grid.append(
                services.GridRow(theme=theme, number=number, title=title, cells=grid_cells)
            )
        return data


class SessionGridView(EventPageView):
    template_name = "admin/console/session_grid.html"
    permissions = (
        "breakouts.add_theme",
        "breakouts.change_theme",
        "breakouts.add_breakoutsession",
        "breakouts.change_breakoutsession",
    )
    title = "Breakout sessions"

    def get(self, request, pk):
        return self.page(SessionGridForm(event=self.event))

    def page(self, form):
        return self.render(form=form, rounds=form.rounds, table=form.table())

    def post(self, request, pk):
        form = SessionGridForm(request.POST, event=self.event)
        if form.is_valid():
            try:
                written = services.save_session_grid(event=self.event, rows=form.grid)
            except IntegrityError:
                form.add_error(
                    None,
                    "Two sessions would share a room in one round, or two themes a number: "
                    "nothing was saved. Check the rooms and numbers, then save again.",
                )
            else:
                messages.success(request, f"{plural(written, 'session')} saved.")
                return redirect(request.path)
        return self.page(form)


# Speakers and presentations --------------------------------------------------------


class SpeakerForm(forms.ModelForm):
    class Meta:
        model = Speaker
        fields = ["name", "role", "organisation", "biography", "photo"]
        widgets = {"biography": forms.Textarea(attrs={"rows": 3, "cols": 30})}


class BaseSpeakerFormSet(forms.BaseModelFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        for name, field in form.fields.items():
            label = f"Speaker {index + 1}: {field.label or name}"
            field.widget.attrs.setdefault("aria-label", label)


SpeakerFormSet = forms.modelformset_factory(
    Speaker, form=SpeakerForm, formset=BaseSpeakerFormSet, extra=EXTRA_SPEAKERS
)


def unique_speaker_slug(name: str) -> str:
    base = slugify(name)[:90] or "speaker"
    slug, number = base, 2
    while Speaker.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


class PresentationForm(forms.ModelForm):
    speakers = forms.ModelMultipleChoiceField(Speaker.objects.none(), required=False)

    class Meta:
        model = Presentation
        fields = ["agenda_item", "title", "kind", "speakers"]

    def __init__(self, *args, event, index, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = (
            AgendaItem.objects.filter(event=event)
            .exclude(kind__in=NO_PRESENTATIONS)
            .order_by("starts_at")
        )
        self.fields["agenda_item"].label_from_instance = lambda item: (
            f"{clock(item.starts_at)} {item.title}"
        )
        self.fields["speakers"].queryset = speakers_of(event).order_by("name")
        self.fields["agenda_item"].required = False
        self.fields["title"].required = False
        self.fields["kind"].initial = PresentationKind.TALK
        for name, field in self.fields.items():
            field.widget.attrs.setdefault(
                "aria-label", f"New presentation {index + 1}: {field.label or name}"
            )

    def clean(self):
        data = super().clean()
        if data.get("title") and not data.get("agenda_item"):
            self.add_error("agenda_item", "Choose when it is given.")
        if data.get("agenda_item") and not data.get("title"):
            self.add_error("title", "Give the presentation a title.")
        return data


class SpeakersView(EventPageView):
    template_name = "admin/console/speakers.html"
    permissions = (
        "speakers.add_speaker",
        "speakers.change_speaker",
        "speakers.add_presentation",
        "speakers.add_presentationspeaker",
    )
    title = "Speakers and presentations"

    def speaker_formset(self, data=None, files=None):
        return SpeakerFormSet(
            data, files, queryset=speakers_of(self.event).order_by("name"), prefix="speakers"
        )

    def presentation_forms(self, data=None):
        return [
            PresentationForm(data, event=self.event, index=index, prefix=f"p{index}")
            for index in range(EXTRA_SPEAKERS)
        ]

    def get(self, request, pk):
        return self.page(self.speaker_formset(), self.presentation_forms())

    def page(self, speakers, presentations):
        return self.render(
            speakers=speakers,
            presentations=presentations,
            existing=Presentation.objects.filter(agenda_item__event=self.event)
            .select_related("agenda_item")
            .prefetch_related("speakers"),
        )

    def post(self, request, pk):
        if "save_presentations" in request.POST:
            forms_ = self.presentation_forms(request.POST)
            if all(form.is_valid() for form in forms_):
                saved = self._save_presentations(forms_)
                if saved is not None:
                    messages.success(request, f"{plural(saved, 'presentation')} added.")
                    return redirect(request.path)
            return self.page(self.speaker_formset(), forms_)
        formset = self.speaker_formset(request.POST, request.FILES)
        if formset.is_valid():
            speakers = formset.save(commit=False)
            for speaker in speakers:
                if not speaker.slug:
                    speaker.slug = unique_speaker_slug(speaker.name)
                speaker.save()
                speaker.events.add(self.event)
            messages.success(request, f"{plural(len(speakers), 'speaker')} saved.")
            return redirect(request.path)
        return self.page(formset, self.presentation_forms())

    def _save_presentations(self, forms_):
        from django.db import transaction

        filled = [form for form in forms_ if form.cleaned_data.get("title")]
        try:
            with transaction.atomic():
                for form in filled:
                    presentation = form.save(commit=False)
                    presentation.save()
                    for order, speaker in enumerate(form.cleaned_data["speakers"]):
                        booking = PresentationSpeaker(
                            presentation=presentation, speaker=speaker, order=order
                        )
                        booking.copy_times_from_presentation()
                        booking.full_clean()
                        booking.save()
        except ValidationError as error:
            form.add_error("speakers", error.messages)
            return None
        return len(filled)
