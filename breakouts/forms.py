"""Ranked breakout preferences on the public forms.

For an event whose places are allocated (`Event.breakouts_ranked`), `ranked_form` turns
symposium's registration or manage form into one that asks, per round, for a first,
second and third choice (plain selects: usable by keyboard and screen reader) instead of
one session per round, first come, first served.
"""

import functools
from itertools import groupby

from crispy_forms.layout import HTML, Fieldset
from django import forms
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime

from breakouts.models import MAX_RANK, BreakoutPreference
from symposium.models import clock

RANK_LABELS = {1: "First choice", 2: "Second choice", 3: "Third choice"}
RANK_WORDS = {1: "first", 2: "second", 3: "third"}


def rank_field_name(round_id: int, rank: int) -> str:
    return f"rank_{round_id}_{rank}"


def when(moment) -> str:
    moment = localtime(moment)
    return f"{date_format(moment, 'j F Y')} at {clock(moment)}"


class RankedPreferencesMixin:
    """Mixed into symposium's DelegateForm subclasses by `ranked_form`.

    Rounds have no first-come radio buttons here (the parent form gets no sessions);
    their places, if any, are kept as they are. Ranking is offered until the
    allocation, and after it to new registrants, who get the best place left at once.
    """

    def __init__(self, *args, event, sessions, current_sessions=(), **kwargs):
        self.ranked_sessions = list(sessions)
        # The manage form passes the delegate's choices (a place kept for a swap counts
        # as the session waited for, as registration.forms.ManageForm counts it).
        self.kept_sessions = list(current_sessions) or [
            (getattr(choice, "waiting_for", None) or choice).session
            for choice in kwargs.get("choices", ())
        ]
        delegate = kwargs.get("delegate")
        super().__init__(*args, event=event, sessions=[], **kwargs)
        self.rank_fields = {}  # field name: (round pk, rank)
        self.round_sessions = {}
        self.can_rank = event.breakout_allocation_pending or delegate is None
        if self.can_rank:
            self._add_rank_fields(self._current_preferences(delegate))
        self.helper.layout.insert(len(self.helper.layout) - 1, self._ranking_fieldset())

    def _current_preferences(self, delegate) -> dict:
        if delegate is None:
            return {}
        return {
            rank_field_name(pref.agenda_item_id, pref.rank): str(pref.session_id)
            for pref in BreakoutPreference.objects.filter(delegate=delegate)
        }

    def _add_rank_fields(self, initial: dict) -> None:
        self.round_fieldsets = []
        for agenda_item, sessions in groupby(self.ranked_sessions, key=lambda s: s.agenda_item):
            sessions = list(sessions)
            self.round_sessions[agenda_item.pk] = {session.pk: session for session in sessions}
            choices = [("", "No choice"), *((str(s.pk), s.theme.title) for s in sessions)]
            names = []
            for rank in range(1, MAX_RANK + 1):
                name = rank_field_name(agenda_item.pk, rank)
                self.fields[name] = forms.ChoiceField(
                    choices=choices,
                    required=False,
                    label=RANK_LABELS[rank],
                    error_messages={
                        "invalid_choice": f"Choose your {RANK_WORDS[rank]} choice from the list"
                    },
                )
                if name in initial:
                    self.initial.setdefault(name, initial[name])
                self.rank_fields[name] = (agenda_item.pk, rank)
                names.append(name)
            legend = (
                f"{agenda_item.title}, {clock(agenda_item.starts_at)} to "
                f"{clock(agenda_item.ends_at)}"
            )
            self.round_fieldsets.append(Fieldset(legend, *names))

    def _ranking_fieldset(self):
        event = self.event
        if event.breakout_allocation_pending:
            intro = format_html(
                '<p class="form-text">Rank up to three discussion groups in each round. '
                "We allocate places on {}: first a place for everyone the seats allow, in "
                "a group you ranked whenever one has room; then the organisers’ mix of "
                "sectors; then as many first choices as we can. We email you yours then. "
                "Until then your places show as “allocation pending”, and you can change "
                "your choices on your registration page, through the link in the email we "
                "send when you register.</p>",
                when(event.breakout_allocation_on),
            )
        elif self.can_rank:
            intro = format_html(
                '<p class="form-text">Places were allocated on {}. Rank up to three '
                "discussion groups in each round: you get the best one that still has room "
                "as soon as you register, or join your first choice’s waitlist.</p>",
                when(event.breakouts_allocated_at),
            )
        else:
            intro = format_html(
                '<p class="form-text">Places were allocated on {}: your places are shown '
                "above. To change one, contact the organisers.</p>",
                when(event.breakouts_allocated_at),
            )
        return Fieldset("Breakouts", HTML(intro), *getattr(self, "round_fieldsets", []))

    def rendering_key(self):
        ranks = tuple((name, tuple(self.fields[name].choices)) for name in self.rank_fields)
        return ("ranked", self.event.breakout_allocation_pending, ranks)

    def clean(self):
        cleaned_data = super().clean()
        for name, (round_id, rank) in self.rank_fields.items():
            chosen = cleaned_data.get(name)
            if not chosen:
                continue
            for earlier in range(1, rank):
                if cleaned_data.get(rank_field_name(round_id, earlier)) == chosen:
                    title = self.round_sessions[round_id][int(chosen)].theme.title
                    self.add_error(
                        name,
                        f"You chose “{title}” as your {RANK_WORDS[earlier]} choice: "
                        f"choose a different group, or no choice",
                    )
                    break
        return cleaned_data

    def preferences(self):
        """{round pk: sessions, first choice first}; blanks close up (a second choice
        alone becomes the first)."""
        ranked = {}
        for name, (round_id, _rank) in self.rank_fields.items():
            chosen = self.cleaned_data.get(name)
            if chosen:
                ranked.setdefault(round_id, []).append(self.round_sessions[round_id][int(chosen)])
        return {round_id: ranked.get(round_id, []) for round_id in self.round_sessions}

    def service_kwargs(self):
        return super().service_kwargs() | {
            "sessions": self.kept_sessions,
            "preferences": self.preferences() if self.can_rank else None,
        }


@functools.cache
def ranked_form(form_class: type) -> type:
    """`form_class` asking for ranked preferences (one class per form, made once)."""
    return type(f"Ranked{form_class.__name__}", (RankedPreferencesMixin, form_class), {})
