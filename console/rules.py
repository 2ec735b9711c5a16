"""Admin forms and hooks that keep organisers' changes within the registration rules.

Every error is a sentence next to the field concerned, never a database constraint's
name; every change that frees or adds places goes through registration.services, as the
delegate's own changes do.
"""

from django import forms
from django.contrib import messages
from django.utils import timezone

from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutSession, Theme
from breakouts.selectors import sessions_with_places
from breakouts.services import places_taken
from console.agenda import label_inputs
from partners.services import find_organisation
from registration import privacy, services
from symposium.enums import RegistrationStatus
from symposium.models import Delegate, Event

CAPACITY_AT_LEAST_ONE = "Capacity must be at least 1."


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# Events ------------------------------------------------------------------------------


class LabelledForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_inputs(self, only_split=True)


class EventAdminForm(LabelledForm):
    class Meta:
        model = Event
        # The admin's fieldsets say which fields are shown; these are the ones checked.
        fields = ["starts_on", "ends_on", "registration_opens_at", "registration_closes_at"]
        fields += ["delegate_capacity"]

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error(
                "ends_on",
                "The event must end after it starts: choose an end date on or after "
                f"{starts_on:%-d %B %Y}.",
            )
        opens, closes = data.get("registration_opens_at"), data.get("registration_closes_at")
        if opens and closes and closes <= opens:
            self.add_error("registration_closes_at", "Registration must close after it opens.")
        self._check_capacity(data.get("delegate_capacity"))
        return data

    def _check_capacity(self, capacity):
        if capacity is None:
            return
        if capacity < 1:
            self.add_error("delegate_capacity", CAPACITY_AT_LEAST_ONE)
            return
        if not self.instance.pk:
            return
        confirmed = Delegate.objects.filter(event=self.instance).confirmed().count()
        if capacity < confirmed:
            self.add_error(
                "delegate_capacity",
                f"{plural(confirmed, 'delegate')} already have a place: the capacity cannot "
                f"go below {confirmed}. Cancel registrations first to lower it.",
            )


class EventRulesMixin:
    """Raising the event's capacity gives the new places to its waitlist, in order."""

    form = EventAdminForm

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "delegate_capacity" in form.changed_data:
            promoted = services.promote_from_event_waitlist(event=obj)
            if promoted:
                self.message_user(
                    request,
                    f"{plural(len(promoted), 'delegate')} promoted from the waitlist and emailed.",
                    messages.SUCCESS,
                )


# Delegates ---------------------------------------------------------------------------

STATUS_ERRORS = {
    (RegistrationStatus.WAITLISTED, RegistrationStatus.CONFIRMED): (
        "To give a waitlisted delegate a place, use the action “Promote from the "
        "waitlist”: places go to the waitlist in the order people joined it."
    ),
    (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED): (
        "A delegate with a place cannot be put back on the waitlist: cancel the "
        "registration instead."
    ),
}
RESTORE_ERROR = (
    "A cancelled registration cannot be restored here: the delegate can register again "
    "on the public site."
)


class DelegateAdminForm(LabelledForm):
    class Meta:
        model = Delegate
        fields = ["event", "email", "status"]  # the admin adds the fields it shows

    def clean_status(self):
        new = self.cleaned_data["status"]
        old = self.instance.status if self.instance.pk else None
        if old is None and new == RegistrationStatus.CANCELLED:
            raise forms.ValidationError("A new registration cannot start cancelled.")
        if old is None or old == new or new == RegistrationStatus.CANCELLED:
            return new
        if old == RegistrationStatus.CANCELLED:
            raise forms.ValidationError(RESTORE_ERROR)
        raise forms.ValidationError(STATUS_ERRORS[(old, new)])

    def clean(self):
        data = super().clean()
        event = data.get("event") or (self.instance.event if self.instance.event_id else None)
        _email_taken(self, event, data.get("email"))
        status = data.get("status")
        if self.instance.pk or event is None or status is None:
            return data
        confirmed = Delegate.objects.filter(event=event).confirmed().count()
        if status == RegistrationStatus.CONFIRMED and confirmed >= event.delegate_capacity:
            self.add_error(
                "status",
                f"{event} is full ({confirmed} of {event.delegate_capacity} places): choose "
                "Waitlisted, or raise the event's capacity first.",
            )
        elif status == RegistrationStatus.WAITLISTED and confirmed < event.delegate_capacity:
            self.add_error("status", f"{event} has places left: choose Confirmed.")
        return data


def _email_taken(form, event, email) -> None:
    if event is not None and email:
        taken = Delegate.objects.filter(event=event).with_email(email)
        if taken.exclude(pk=form.instance.pk).exists():
            form.add_error("email", "This email address is already registered for the event.")


def _session_label(session) -> str:
    room = f", {session.room.name}" if session.room else ""
    full = session.places_taken >= session.capacity
    full = " (full: they would join its waitlist)" if full else ""
    return (
        f"{session.theme.event.name}: {session.agenda_item.title}: {session.theme.title}{room}, "
        f"{session.places_taken} of {session.capacity} places taken{full}"
    )


class DelegateAddForm(LabelledForm):
    """Someone added by an organiser. They agreed to no privacy notice here, so none is
    recorded: the registration records that it was added in the admin, and by whom. Their
    place and breakouts follow the rules of the public site (services.register_delegate):
    confirmed while the event has room, otherwise its waitlist; a full breakout session
    puts them on its waitlist, in order."""

    breakout_sessions = forms.ModelMultipleChoiceField(
        queryset=BreakoutSession.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Breakouts",
        help_text="At most one in each round. In a full session they join its waitlist, "
        "after the people already on it.",
    )
    dont_email = forms.BooleanField(
        required=False,
        label="Don't email them",
        help_text="Left unticked, they are sent the confirmation (or the waitlist email) "
        "with their personal link to change or cancel, as if they had registered themselves.",
    )

    class Meta:
        model = Delegate
        fields = ["event", "first_name", "last_name", "email", "organisation", "sector"]
        fields += ["job_title"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        event_id = str(self.data.get("event") or self.initial.get("event") or "")
        sessions = BreakoutSession.objects.select_related(
            "theme__event", "agenda_item", "room"
        ).order_by("theme__event__starts_on", "agenda_item__starts_at", "theme__number", "pk")
        # The events offered (the admin keeps them to the user's events), and their sessions.
        sessions = sessions.filter(theme__event__in=self.fields["event"].queryset)
        if event_id.isdigit():
            sessions = sessions.filter(theme__event_id=event_id)
        else:
            sessions = sessions.filter(theme__event__ends_on__gte=timezone.localdate())
        field = self.fields["breakout_sessions"]
        field.queryset = sessions_with_places(sessions)
        field.label_from_instance = _session_label

    def clean(self):
        data = super().clean()
        event = data.get("event")
        _email_taken(self, event, data.get("email"))
        sessions = data.get("breakout_sessions") or []
        if event is None or not sessions:
            return data
        if any(session.theme.event_id != event.pk for session in sessions):
            self.add_error("breakout_sessions", f"Choose breakout sessions of {event}.")
        elif len({session.agenda_item_id for session in sessions}) != len(sessions):
            self.add_error("breakout_sessions", "Choose at most one breakout in each round.")
        elif event.breakout_allocation_pending:
            self.add_error(
                "breakout_sessions",
                f"Places in {event}'s breakouts are allocated from ranked preferences: they "
                "rank them through the link they are emailed. Leave these empty.",
            )
        return data


ADD_FIELDS = [*DelegateAddForm.Meta.fields, "breakout_sessions", "dont_email"]


class DelegateRulesMixin:
    """Adding someone registers them as the public site does, recorded as added by the
    organiser (services.register_delegate). Cancelling, by the status field or by
    deleting, runs the delegate's own cancel: `cancelled_at` set, places freed and given
    to the waitlists, everyone emailed."""

    form = DelegateAdminForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = DelegateAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ADD_FIELDS if obj is None else super().get_fields(request, obj)

    def get_inlines(self, request, obj):
        # Needs and breakouts are the registration's own: chosen above, or on its page.
        return [] if obj is None else super().get_inlines(request, obj)

    def _add(self, request, obj, form):
        data = form.cleaned_data
        registration = services.register_delegate(
            event=data["event"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            organisation=data["organisation"],
            sector=data["sector"],
            job_title=data["job_title"],
            sessions=list(data["breakout_sessions"]),
            enforce_window=False,
            added_by=request.user,
            notify=not data["dont_email"],
            # As the public form does: the directory's entry, found before the
            # registration's transaction, gives its name and sector and the affiliation.
            directory_entry=(
                find_organisation(data["organisation"]) if data["organisation"] else None
            ),
        )
        # The admin carries on with `obj` (history, the page it opens next).
        obj.pk = registration.delegate.pk
        obj._state.adding = False
        obj.refresh_from_db()
        self.message_user(request, _added_message(obj, emailed=not data["dont_email"]))

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), "cancelled_at"]
        return [*fields, "event"] if obj else fields

    def save_model(self, request, obj, form, change):
        if not change:
            self._add(request, obj, form)
            return
        was = form.initial.get("status")
        form.cancelling = (
            change
            and was != RegistrationStatus.CANCELLED
            and obj.status == RegistrationStatus.CANCELLED
        )
        if form.cancelling:
            obj.status = was  # the service makes the change, with everything it implies
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if getattr(form, "cancelling", False):
            services.cancel_registration(delegate=form.instance)
            self.message_user(
                request,
                f"{form.instance.full_name}'s registration is cancelled; their places went "
                "to the waitlists.",
                messages.SUCCESS,
            )

    # A registration deleted here goes as one the delegate erases: its places to the
    # waitlists (unless the event is over), its name out of the admin's history (the
    # entry for this deletion included), every email to or about them still queued,
    # deferred or logged (registration.privacy.erase_registration).
    def delete_model(self, request, obj):
        privacy.erase_registration(delegate=obj)

    def delete_queryset(self, request, queryset):
        for delegate in queryset.select_related("event"):
            privacy.erase_registration(delegate=delegate)


def _added_message(delegate, *, emailed: bool) -> str:
    place = (
        "has a place"
        if delegate.status == RegistrationStatus.CONFIRMED
        else "is on the event's waitlist (it is full)"
    )
    choices = [
        f"{choice.session.theme.title} ({choice.get_status_display().lower()})"
        for choice in delegate.breakout_choices.select_related("session__theme").order_by("pk")
    ]
    breakouts = f" Breakouts: {', '.join(choices)}." if choices else ""
    email = (
        f" Their confirmation and personal link were emailed to {delegate.email}."
        if emailed
        else " They were not emailed, as you chose."
    )
    return f"{delegate.full_name} {place}.{breakouts}{email}"


# Breakout sessions -------------------------------------------------------------------


class BreakoutSessionAdminForm(forms.ModelForm):
    """A session fits its room and keeps the places already given."""

    class Meta:
        model = BreakoutSession
        fields = ["theme", "agenda_item", "room", "capacity", "facilitator"]

    def clean(self):
        data = super().clean()
        capacity, room = data.get("capacity"), data.get("room")
        self._check_room_is_free(room, data.get("agenda_item"))
        if capacity is None:
            return data
        if capacity < 1:
            self.add_error("capacity", CAPACITY_AT_LEAST_ONE)
        elif room is not None and capacity > room.capacity:
            self.add_error(
                "capacity",
                f"{room.name} holds {room.capacity}: a session there can take at most "
                f"{room.capacity}. Choose a larger room or a smaller capacity.",
            )
        elif self.instance.pk:
            taken = places_taken(session=self.instance)
            if capacity < taken:
                self.add_error(
                    "capacity",
                    f"{plural(taken, 'delegate')} already have a place in this session: "
                    f"the capacity cannot go below {taken}. Move or cancel delegates first.",
                )
        return data

    def _check_room_is_free(self, room, agenda_item):
        if room is None or agenda_item is None:
            return
        other = BreakoutSession.objects.filter(room=room, agenda_item=agenda_item)
        other = other.exclude(pk=self.instance.pk).select_related("theme").first()
        if other:
            self.add_error(
                "room",
                f"{room.name} is already used by “{other.theme.title}” in "
                f"“{agenda_item.title}”: choose another room.",
            )


class ThemeAdminForm(forms.ModelForm):
    class Meta:
        model = Theme
        fields = ["event", "number", "title", "description"]

    def clean(self):
        data = super().clean()
        event, number = data.get("event"), data.get("number")
        if event and number is not None:
            taken = Theme.objects.filter(event=event, number=number).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("number", f"{event} already has a theme {number}: choose another.")
        return data


def fill_raised_sessions(forms_) -> list:
    """Give the places of sessions whose capacity was raised to their queues."""
    promoted = []
    for form in forms_:
        if form.instance.pk and "capacity" in form.changed_data:
            promoted += services.fill_breakout_session(session=form.instance)
    return promoted


class BreakoutSessionRulesMixin:
    form = BreakoutSessionAdminForm

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        promoted = fill_raised_sessions([form]) if change else []
        _report_promoted(self, request, promoted)


class ThemeRulesMixin:
    """The theme page edits its sessions' capacities: raising one fills it."""

    form = ThemeAdminForm

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is BreakoutSession:
            _report_promoted(self, request, fill_raised_sessions(formset.forms))


def _report_promoted(model_admin, request, promoted):
    if promoted:
        model_admin.message_user(
            request,
            f"{plural(len(promoted), 'delegate')} promoted from the session's waitlist "
            "and emailed.",
            messages.SUCCESS,
        )


# Breakout choices --------------------------------------------------------------------


def check_choice(form, data) -> None:
    """A place only for a delegate with a place at the event, in a session with room;
    a queue entry only when the session is full (the queue is first come, first served)."""
    delegate, session, status = data.get("delegate"), data.get("session"), data.get("status")
    if delegate is None or session is None or status is None or form.errors:
        return
    if status == ChoiceStatus.CONFIRMED and delegate.status != RegistrationStatus.CONFIRMED:
        form.add_error(
            "status",
            f"{delegate.full_name} has no place at the event yet: their breakout waits "
            "until they are promoted from the event's waitlist.",
        )
        return
    taken = places_taken(session=session)
    already_there = (
        form.instance.pk
        and form.initial.get("session") == session.pk
        and form.initial.get("status") == ChoiceStatus.CONFIRMED
    )
    if already_there:
        taken -= 1
    if status == ChoiceStatus.CONFIRMED and taken >= session.capacity:
        form.add_error(
            "status",
            f"This session is full ({taken} of {session.capacity} places): choose "
            "Waitlisted, or raise the session's capacity first.",
        )
    elif (
        status == ChoiceStatus.WAITLISTED
        and not form.instance.replaces_id
        and delegate.status == RegistrationStatus.CONFIRMED
        and taken < session.capacity
    ):
        form.add_error("status", "This session has places left: choose Confirmed.")


class BreakoutChoiceRulesMixin:
    """A place given up in the admin (deleted, moved or queued again) goes to the front
    of the session's queue."""

    def save_model(self, request, obj, form, change):
        old_session = form.initial.get("session")
        had_place = change and form.initial.get("status") == ChoiceStatus.CONFIRMED
        super().save_model(request, obj, form, change)
        if had_place and (obj.status != ChoiceStatus.CONFIRMED or obj.session_id != old_session):
            _fill(self, request, [old_session])

    def delete_model(self, request, obj):
        places = [obj.session_id] if obj.status == ChoiceStatus.CONFIRMED else []
        super().delete_model(request, obj)
        _fill(self, request, places)

    def delete_queryset(self, request, queryset):
        places = list(
            queryset.filter(status=ChoiceStatus.CONFIRMED).values_list("session_id", flat=True)
        )
        super().delete_queryset(request, queryset)
        _fill(self, request, places)


def _fill(model_admin, request, session_ids):
    promoted = []
    for session in BreakoutSession.objects.filter(pk__in=set(session_ids)).order_by("pk"):
        promoted += services.fill_breakout_session(session=session)
    _report_promoted(model_admin, request, promoted)
