from django import forms
from django.contrib import admin
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.html import format_html

from breakouts import allocation_services
from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice, BreakoutSession, Theme
from breakouts.selectors import sessions_with_places
from breakouts.services import places_taken
from console.agenda import LabelledFormSetMixin, share_choices
from console.rules import (
    BreakoutChoiceRulesMixin,
    BreakoutSessionAdminForm,
    BreakoutSessionRulesMixin,
    ThemeRulesMixin,
    check_choice,
)
from console.scoping import EventScopedAdmin
from outcomes import services as outcome_services
from symposium import teams
from symposium.enums import AgendaKind
from symposium.models import AgendaItem, NameCollate, Room


def session_label(session):
    return f"{session.theme.event.name}: {session.theme.title} ({session.agenda_item.title})"


class BreakoutSessionListFilter(admin.SimpleListFilter):
    """Filter by breakout session, in one query (a session's name spans three tables).

    Subclasses say which lookup leads from the listed model to the session. When the
    changelist is already filtered by event, only that event's sessions are offered.
    """

    title = "breakout"
    parameter_name = "breakout"
    session_lookup = "session"
    event_parameter = "event__id__exact"  # the changelist's own event filter, if it has one

    def lookups(self, request, model_admin):
        sessions = BreakoutSession.objects.select_related("theme__event", "agenda_item")
        sessions = teams.for_user(sessions, request.user)
        event_id = request.GET.get(self.event_parameter)
        if event_id and event_id.isdigit():
            sessions = sessions.filter(theme__event_id=event_id)
        return [(str(session.pk), session_label(session)) for session in sessions]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(**{self.session_lookup: value})
        return queryset


class ChoiceSessionFilter(BreakoutSessionListFilter):
    title = "session"
    parameter_name = "session"
    event_parameter = "delegate__event__id__exact"


def limit_to_event(fields, event_id):
    """Offer only the event's rooms and breakout rounds (fields absent when read-only)."""
    if "room" in fields:
        fields["room"].queryset = Room.objects.filter(event_id=event_id)
    if "agenda_item" in fields:
        fields["agenda_item"].queryset = AgendaItem.objects.filter(
            event_id=event_id, kind=AgendaKind.BREAKOUT_ROUND
        )


def with_event_name(obj):
    return f"{obj.event.name}: {obj}"


def label_with_event(fields, user=None):
    """Before the event is known, the rooms and rounds of every event `user` sees are
    offered: each named with its event."""
    rooms = Room.objects.select_related("event")
    rounds = AgendaItem.objects.filter(kind=AgendaKind.BREAKOUT_ROUND).select_related("event")
    if user is not None:
        rooms, rounds = teams.for_user(rooms, user), teams.for_user(rounds, user)
    if "room" in fields:
        fields["room"].queryset = rooms
        fields["room"].label_from_instance = with_event_name
    if "agenda_item" in fields:
        fields["agenda_item"].queryset = rounds
        fields["agenda_item"].label_from_instance = with_event_name
        fields["agenda_item"].label_from_instance = with_event_name


class ThemeSessionFormSet(LabelledFormSetMixin, forms.BaseInlineFormSet):
    """A theme's sessions, edited as one table.

    Each row is checked against the saved sessions only, and the formset's own unique
    check skips conditional constraints, so two new rows sharing a room in one round
    are compared here rather than refused by the database with an error page.
    """

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if self.instance.event_id:
            limit_to_event(form.fields, self.instance.event_id)
        else:
            # Narrowed to the user's events after this (console.scoping).
            label_with_event(form.fields)
        share_choices(self, form, ["agenda_item", "room"])

    def clean(self):
        super().clean()
        used = set()
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            data = getattr(form, "cleaned_data", {})
            room, agenda_item = data.get("room"), data.get("agenda_item")
            if room is None or agenda_item is None:
                continue
            if (room, agenda_item) in used:
                form.add_error(
                    "room",
                    f"{room} is given to two sessions in “{agenda_item.title}”: "
                    "choose another room.",
                )
            used.add((room, agenda_item))


class BreakoutSessionInline(admin.TabularInline):
    model = BreakoutSession
    formset = ThemeSessionFormSet
    form = BreakoutSessionAdminForm
    fields = ["agenda_item", "room", "facilitator", "capacity", "places_taken", "waitlist_length"]
    readonly_fields = ["places_taken", "waitlist_length"]
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return sessions_with_places(super().get_queryset(request)).select_related(
            "agenda_item", "room"
        )

    @admin.display(description="places taken")
    def places_taken(self, session):
        # A row added on the page has no annotation yet: nobody has a place in it.
        return getattr(session, "places_taken", 0)

    @admin.display(description="waitlist")
    def waitlist_length(self, session):
        return getattr(session, "waitlist_length", 0)


@admin.register(Theme)
class ThemeAdmin(EventScopedAdmin, ThemeRulesMixin, admin.ModelAdmin):
    list_display = ["number", "title", "event"]
    list_display_links = ["number", "title"]
    list_filter = ["event"]
    search_fields = ["title", "description"]
    list_select_related = ["event"]
    inlines = [BreakoutSessionInline]


@admin.register(BreakoutSession)
class BreakoutSessionAdmin(EventScopedAdmin, BreakoutSessionRulesMixin, admin.ModelAdmin):
    list_display = [
        "theme",
        "agenda_item",
        "room",
        "facilitator",
        "places_taken",
        "capacity",
        "waitlist_length",
    ]
    list_filter = [("theme__event", admin.RelatedFieldListFilter), "agenda_item"]
    search_fields = ["theme__title", "facilitator"]
    list_select_related = ["theme", "agenda_item", "room"]
    actions = ["prepare_outcomes"]

    def get_queryset(self, request):
        return sessions_with_places(super().get_queryset(request))

    def has_prepare_outcomes_permission(self, request):
        return request.user.has_perm("outcomes.add_sessionoutcome")

    @admin.action(
        description="Prepare the selected sessions' outcomes (for the facilitators' links)",
        permissions=["prepare_outcomes"],
    )
    def prepare_outcomes(self, request, queryset):
        made = outcome_services.outcomes_for_sessions(sessions=queryset)
        url = reverse("admin:outcomes_sessionoutcome_changelist")
        self.message_user(
            request,
            format_html(
                "{} session{} prepared. Give each facilitator's email and send their links "
                'under <a href="{}">Session outcomes</a>.',
                made,
                pluralize(made),
                url,
            ),
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            # get_form builds a new form class per request, so its fields are ours to narrow.
            limit_to_event(form.base_fields, obj.theme.event_id)
            if "theme" in form.base_fields:
                form.base_fields["theme"].queryset = Theme.objects.filter(
                    event_id=obj.theme.event_id
                )
        else:
            label_with_event(form.base_fields, request.user)
            if "theme" in form.base_fields:
                themes = teams.for_user(Theme.objects.select_related("event"), request.user)
                form.base_fields["theme"].queryset = themes
                form.base_fields["theme"].label_from_instance = with_event_name
        return form

    @admin.display(description="places taken", ordering="places_taken")
    def places_taken(self, session):
        return session.places_taken

    @admin.display(description="waitlist", ordering="waitlist_length")
    def waitlist_length(self, session):
        return session.waitlist_length


class BreakoutChoiceAdminForm(forms.ModelForm):
    """The database allows one choice per delegate per round; say so before it refuses."""

    class Meta:
        model = BreakoutChoice
        fields = ["delegate", "session", "status"]

    def clean(self):
        cleaned_data = super().clean()
        delegate, session = cleaned_data.get("delegate"), cleaned_data.get("session")
        if delegate is None or session is None:
            return cleaned_data
        if session.theme.event_id != delegate.event_id:
            self.add_error("session", "Choose a breakout at the delegate's event.")
            return cleaned_data
        same_round = BreakoutChoice.objects.filter(
            delegate=delegate, agenda_item_id=session.agenda_item_id
        ).exclude(pk=self.instance.pk)
        # A place kept until a swap comes through shares its round with the swap.
        if self.instance.replaces_id:
            same_round = same_round.exclude(pk=self.instance.replaces_id)
        if self.instance.pk:
            same_round = same_round.exclude(replaces_id=self.instance.pk)
        if self.instance.replaces_id and cleaned_data.get("status") == ChoiceStatus.CONFIRMED:
            self.add_error(
                "status",
                "This choice is waiting to replace the delegate's place in this round: "
                "delete that place instead, and this choice can then be confirmed.",
            )
        if same_round.exists():
            self.add_error(
                "session",
                f"{delegate.full_name} already has a breakout in "
                f"“{session.agenda_item.title}”: change or delete that choice instead.",
            )
        self._check_room(session, cleaned_data.get("status"))
        # The console's rules, unless the room check above has already refused.
        check_choice(self, cleaned_data)
        return cleaned_data

    def _check_room(self, session, status):
        """A place given or moved by hand must fit, as any other place must."""
        before = self.instance if self.instance.pk else None
        if status != ChoiceStatus.CONFIRMED or (
            before and before.session_id == session.pk and before.status == status
        ):
            return
        taken = places_taken(session=session)
        if taken >= session.capacity:
            self.add_error(
                "session",
                f"“{session.theme.title}” is full ({taken} of {session.capacity} places): "
                "choose another session or raise its capacity first.",
            )


@admin.register(BreakoutChoice)
class BreakoutChoiceAdmin(EventScopedAdmin, BreakoutChoiceRulesMixin, admin.ModelAdmin):
    form = BreakoutChoiceAdminForm
    list_display = ["delegate_name", "session", "status", "created_at"]
    list_filter = ["status", ChoiceSessionFilter, "delegate__event"]
    search_fields = [
        "delegate__last_name",
        "delegate__first_name",
        "delegate__email",
        "session__theme__title",
    ]
    list_select_related = ["delegate", "session__theme", "session__agenda_item"]
    autocomplete_fields = ["delegate"]
    readonly_fields = ["created_at", "updated_at"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "session":
            # The session's name shows its theme and round: fetch them with it.
            kwargs["queryset"] = BreakoutSession.objects.select_related(
                "theme__event", "agenda_item"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change and "session" in form.changed_data:
            # Through the service: both sessions locked, capacity checked again, the
            # place freed given to the old session's queue, the delegate told.
            allocation_services.move_delegate(choice=obj, session=obj.session)
        else:
            super().save_model(request, obj, form, change)

    @admin.display(description="delegate", ordering=NameCollate("delegate__last_name").asc())
    def delegate_name(self, choice):
        return choice.delegate.full_name
