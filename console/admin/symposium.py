from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from breakouts.models import BreakoutChoice, Theme
from console import (
    mail_queue,  # noqa: F401 - django-mailer's admin
    people,  # noqa: F401 - the accounts' admin
)
from console import services as console_services
from console.actions import DELEGATE_CONSOLE_ACTIONS, copy_as_new_event
from console.admin.breakouts import BreakoutSessionListFilter
from console.admin.export_actions import DELEGATE_ACTIONS
from console.admin.read_only import ReadOnlyMixin
from console.agenda import (
    AgendaFormSetMixin,
    AgendaItemAdminForm,
    AgendaRowForm,
    LabelledFormSet,
)
from console.build import build_links
from console.rules import DelegateRulesMixin, EventRulesMixin, plural
from console.scoping import EventScopedAdmin
from registration import privacy
from speakers.models import Presentation
from symposium import teams
from symposium.models import (
    AgendaItem,
    BoardReport,
    Delegate,
    DelegateNeeds,
    Event,
    ExportRecord,
    ManageLinkEmail,
    NameCollate,
    OutboxEmail,
    PreparedExport,
    Room,
    clock,
)


def room_with_event(room):
    return f"{room.event.name}: {room.name}"


class RoomInline(admin.TabularInline):
    model = Room
    formset = LabelledFormSet
    fields = ["name", "capacity", "access_notes"]
    extra = 0


class AgendaFormSet(AgendaFormSetMixin, forms.BaseInlineFormSet):
    """The event's agenda, edited as one table.

    `AgendaItem.clean()` compares each row with the rows already saved, so it cannot see
    two rows of this submission clashing with each other; on PostgreSQL the exclusion
    constraint would then refuse the save with an error page. `clean()` here compares the
    submitted rows among themselves.
    """

    def clean(self):
        super().clean()
        booked = []
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            data = getattr(form, "cleaned_data", {})
            room, starts_at, ends_at = data.get("room"), data.get("starts_at"), data.get("ends_at")
            if not (room and starts_at and ends_at) or ends_at <= starts_at:
                continue
            for other, other_data in booked:
                clashes = (
                    other_data["room"] == room
                    and other_data["starts_at"] < ends_at
                    and other_data["ends_at"] > starts_at
                )
                # Rows left as they were cannot clash: the database already holds both.
                if clashes and (form.has_changed() or other.has_changed()):
                    form.add_error(
                        "room",
                        f"{room} is booked twice in this agenda: “{data.get('title', '')}” "
                        f"({clock(starts_at)}–{clock(ends_at)}) overlaps "
                        f"“{other_data.get('title', '')}” ({clock(other_data['starts_at'])}–"
                        f"{clock(other_data['ends_at'])}). Choose another room or time.",
                    )
                    break
            else:
                booked.append((form, data))


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    formset = AgendaFormSet
    form = AgendaRowForm
    fields = ["day", "start", "end", "room", "kind", "title", "description"]
    extra = 0
    show_change_link = True


class ThemeInline(admin.TabularInline):
    """Themes from the event's page; each theme's sessions are on the theme's page."""

    model = Theme
    formset = LabelledFormSet
    fields = ["number", "title", "description"]
    extra = 0
    show_change_link = True


@admin.register(Event)
class EventAdmin(EventScopedAdmin, EventRulesMixin, admin.ModelAdmin):
    list_display = ["name", "starts_on", "venue_name", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["name", "venue_name"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "summary", "audience", "is_published"]}),
        ("When and where", {"fields": ["starts_on", "ends_on", "venue_name", "venue_address"]}),
        (
            "Registration",
            {"fields": ["registration_opens_at", "registration_closes_at", "delegate_capacity"]},
        ),
        ("Breakouts", {"fields": ["breakout_allocation", "breakout_allocation_on"]}),
        (
            "Contact and policies",
            {
                "fields": [
                    "contact_email",
                    "privacy_notice",
                    "accessibility_statement",
                    "retention_days",
                ]
            },
        ),
    ]
    # Published only through the go-live checklist (console.services.publish_event),
    # which refuses while a blocker remains: never by a tick box here.
    readonly_fields = ["is_published"]
    inlines = [RoomInline, AgendaItemInline, ThemeInline]
    actions = ["purge_personal_data_now", copy_as_new_event]

    class Media:
        # Its tables fit a 1,280 px window (static/css/console.css).
        css = {"all": ["css/console.css"]}
        # New agenda rows start when the row above ends; new themes take the next number.
        js = ["js/event_build.js"]

    def get_inlines(self, request, obj):
        # A new event is made with its rooms first, then the organiser lands on its page
        # (response_add), where the agenda can choose among those rooms.
        return self.inlines if obj is not None else [RoomInline]

    def response_add(self, request, obj, post_url_continue=None):
        if "_addanother" in request.POST or IS_POPUP_VAR in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(
            request,
            f"“{obj.name}” was added, not yet published. Next: its agenda, speakers and "
            "sessions, then the go-live checklist.",
            messages.SUCCESS,
        )
        return redirect("admin:symposium_event_change", obj.pk)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The agenda is the widest table of the admin: eight columns a row. Beside the
        # admin's sidebar (a third of a 1,280 px window) its titles had 70 px; without
        # it they have room, and the page still fits. The breadcrumbs lead back.
        extra_context = {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        if object_id and object_id.isdigit():
            event = Event(pk=int(object_id))
            extra_context.setdefault("build_links", build_links(event))
        return super().changeform_view(request, object_id, form_url, extra_context)

    # Deleting --------------------------------------------------------------------
    # One event at a time, from its own page: the confirmation says what goes (Django's
    # lists every row by name, delegates' names included, and stopped at the rooms).

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_add_permission(self, request):
        # A new event is in no team yet: only whoever sees every event adds one (or
        # copies one), or its maker could not see it.
        return super().has_add_permission(request) and teams.sees_all_events(request.user)

    def has_delete_permission(self, request, obj=None):
        # It deletes the delegates' registrations too.
        allowed = super().has_delete_permission(request, obj)
        return allowed and request.user.has_perm("symposium.delete_delegate")

    def delete_view(self, request, object_id, extra_context=None):
        event = self.get_object(request, unquote(object_id))
        if event is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_delete_permission(request, event):
            raise PermissionDenied
        if request.method == "POST" and request.POST.get("post") == "yes":
            try:
                # The history's entry goes with a refused deletion.
                with transaction.atomic():
                    self.log_deletions(request, Event.objects.filter(pk=event.pk))
                    deleted = console_services.delete_event(event=event)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"“{deleted.event.name}” was deleted with everything in it: "
                    f"{deleted.total} rows, the personal data of "
                    f"{plural(deleted.delegates, 'delegate')} among them.",
                    messages.SUCCESS,
                )
                return redirect("admin:symposium_event_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Delete “{event.name}” and everything in it?",
            "opts": self.opts,
            "event": event,
            "object": event,
            "deletion": console_services.event_deletion(event=event),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/symposium/event/delete_confirmation.html", context)

    def has_purge_permission(self, request):
        return request.user.has_perms(
            ["symposium.change_delegate", "symposium.delete_delegateneeds"]
        )

    @admin.action(description="Purge personal data now", permissions=["purge"])
    def purge_personal_data_now(self, request, queryset):
        """Without waiting for the retention period: only events that have ended, and
        only after a confirmation page."""
        today = timezone.localdate()
        events = list(queryset.order_by("ends_on", "pk"))
        over = [event for event in events if event.ends_on < today]
        not_over = [event for event in events if event.ends_on >= today]
        if request.POST.get("post") != "yes":
            return self._purge_confirmation(request, queryset, over, not_over)
        for event in not_over:
            self.message_user(
                request, f"{event.name} has not ended yet: nothing purged.", messages.WARNING
            )
        for event in over:
            result = privacy.purge_event(event=event)
            self.message_user(
                request,
                f"{event.name}: {result.needs_deleted} delegates' needs deleted, "
                f"{result.delegates_anonymised} delegates anonymised.",
                messages.SUCCESS,
            )

    def _purge_confirmation(self, request, queryset, over, not_over):
        context = {
            **self.admin_site.each_context(request),
            "title": "Purge personal data now?",
            "opts": self.model._meta,
            "queryset": queryset,
            "previews": [privacy.purge_event(event=event, dry_run=True) for event in over],
            "not_over": not_over,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/symposium/event/purge_confirmation.html", context)


@admin.register(Room)
class RoomAdmin(EventScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "event", "capacity"]
    list_filter = ["event"]
    search_fields = ["name", "access_notes"]
    list_select_related = ["event"]


class PresentationInline(admin.TabularInline):
    model = Presentation
    fields = ["title", "kind", "order"]
    extra = 0
    show_change_link = True  # speakers are added on the presentation's own page


@admin.register(AgendaItem)
class AgendaItemAdmin(EventScopedAdmin, admin.ModelAdmin):
    list_display = ["starts_at", "ends_at", "title", "kind", "room", "event"]
    list_display_links = ["starts_at", "title"]
    list_filter = ["event", "kind"]
    search_fields = ["title"]
    list_select_related = ["event", "room"]
    form = AgendaItemAdminForm
    fields = ["event", "starts_at", "ends_at", "room", "kind", "title", "description"]
    inlines = [PresentationInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        room = form.base_fields.get("room")
        if room is not None and obj is not None:
            room.queryset = Room.objects.filter(event_id=obj.event_id)
        elif room is not None:
            # Before the event is chosen, name each room with its event.
            room.queryset = teams.for_user(Room.objects.select_related("event"), request.user)
            room.label_from_instance = room_with_event
        return form


class DelegateNeedsInline(admin.StackedInline):
    """Special category data: Django shows it only to users with DelegateNeeds rights."""

    model = DelegateNeeds
    formset = LabelledFormSet
    fields = ["dietary_requirement", "dietary_details", "access_needs", "consented_at"]
    extra = 0
    max_num = 1


class BreakoutChoiceInline(ReadOnlyMixin, admin.TabularInline):
    """The delegate's breakouts; chosen on the public site, so mostly read here. Places
    change through the actions (move, cancel) and the breakout choices' own admin, which
    keep the capacity and the waitlists' order."""

    model = BreakoutChoice
    fields = ["session", "status", "created_at"]
    readonly_fields = ["session", "created_at"]
    extra = 0

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("session__theme", "session__agenda_item", "delegate")
        )


class DelegateBreakoutFilter(BreakoutSessionListFilter):
    session_lookup = "breakout_choices__session"


@admin.register(Delegate)
class DelegateAdmin(EventScopedAdmin, DelegateRulesMixin, admin.ModelAdmin):
    list_display = [
        "last_name",
        "first_name",
        "email",
        "organisation",
        "sector",
        "status",
        "event",
        "created_at",
    ]
    list_filter = ["event", "sector", "status", "source", "organisation", DelegateBreakoutFilter]
    search_fields = ["last_name", "first_name", "email", "organisation"]
    list_select_related = ["event"]
    actions = [*DELEGATE_CONSOLE_ACTIONS, *DELEGATE_ACTIONS]
    fields = [
        "event",
        "first_name",
        "last_name",
        "email",
        "organisation",
        "sector",
        "job_title",
        "status",
        "source",
        "added_by",
        "privacy_consent_at",
        "cancelled_at",
        "anonymised_at",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [
        "source",
        "added_by",
        "privacy_consent_at",
        "anonymised_at",
        "created_at",
        "updated_at",
    ]
    inlines = [DelegateNeedsInline, BreakoutChoiceInline]


@admin.register(DelegateNeeds)
class DelegateNeedsAdmin(EventScopedAdmin, admin.ModelAdmin):
    list_display = ["delegate_name", "event", "dietary_requirement", "consented_at"]
    list_filter = ["delegate__event", "dietary_requirement"]
    search_fields = ["delegate__last_name", "delegate__first_name", "delegate__email"]
    list_select_related = ["delegate__event"]
    autocomplete_fields = ["delegate"]
    fields = ["delegate", "dietary_requirement", "dietary_details", "access_needs", "consented_at"]

    @admin.display(description="delegate", ordering=NameCollate("delegate__last_name").asc())
    def delegate_name(self, needs):
        return needs.delegate.full_name

    @admin.display(description="event", ordering="delegate__event__starts_on")
    def event(self, needs):
        return needs.delegate.event


@admin.register(ExportRecord)
class ExportRecordAdmin(ReadOnlyMixin, EventScopedAdmin, admin.ModelAdmin):
    """The audit trail of attendee exports: written by the exports, never by hand."""

    list_display = ["export", "file_format", "row_count", "exported_by", "exported_at", "event"]
    list_filter = ["event"]
    list_select_related = ["exported_by", "event"]


@admin.register(PreparedExport)
class PreparedExportAdmin(ReadOnlyMixin, EventScopedAdmin, admin.ModelAdmin):
    """Attendee lists made on the task queue: their state beside the audit record; the
    file itself only from the staff page, for the person who asked for it."""

    list_display = ["filename", "status", "done", "size", "created_at", "expires_at"]
    list_filter = ["status"]
    fields = ["record", "filename", "status", "done", "size", "created_at", "finished_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")

    def has_view_permission(self, request, obj=None):
        # Whoever may read the audit trail may see how its queued exports went.
        return request.user.has_perm("symposium.view_exportrecord")


@admin.register(BoardReport)
class BoardReportAdmin(ReadOnlyMixin, EventScopedAdmin, admin.ModelAdmin):
    """Reports for the board made on the task queue, and the frozen one kept after a
    purge: their state only; the report itself is read on its staff page."""

    list_display = ["event", "status", "frozen", "requested_by", "created_at", "finished_at"]
    list_filter = ["status", "frozen"]
    list_select_related = ["event", "requested_by"]
    fields = ["event", "status", "step", "frozen", "requested_by", "created_at", "finished_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("pdf", "figures")


class DelegateRecordAdmin(ReadOnlyMixin, EventScopedAdmin, admin.ModelAdmin):
    """Records the portal keeps about delegates' emails: read-only; whoever may see
    delegates may see them."""

    list_select_related = ["delegate"]

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("symposium.view_delegate")


@admin.register(OutboxEmail)
class OutboxEmailAdmin(DelegateRecordAdmin):
    """Emails owed to delegates that could not be queued yet, and why: correct the
    delegate's details and the mail worker's sweep queues them."""

    list_display = ["kind", "delegate", "created_at", "attempts", "tried_at", "last_error"]
    list_filter = ["kind"]


@admin.register(ManageLinkEmail)
class ManageLinkEmailAdmin(DelegateRecordAdmin):
    """Manage-link emails owed within the past hour, which the hourly cap counts
    (registration.services.email_manage_link)."""

    list_display = ["delegate", "owed_at"]

    def has_delete_permission(self, request, obj=None):
        # They go with their delegate: whoever may delete the delegate may delete them,
        # or the admin would refuse to delete a delegate who asked for their link.
        return request.user.has_perm("symposium.delete_delegate")
