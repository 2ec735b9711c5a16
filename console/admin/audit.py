"""The events' audit log (symposium.audit), to read and export: nobody edits it.

Holders of "Can view audit log entry" (the Organisers group) see the log of the events
their teams give them; filters by event, action, who, how, date and delegate; the list
as filtered downloads as CSV or XLSX through the exports' writer (formulas neutralised).
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils import timezone

from console.admin.read_only import ReadOnlyMixin
from console.scoping import EventScopedAdmin
from symposium import audit
from symposium.enums import ExportFormat
from symposium.exports.base import Column, ListExporter, file_response
from symposium.models import AuditEntry, Delegate


class ActionFilter(admin.SimpleListFilter):
    title = "action"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return sorted(audit.ACTIONS.items(), key=lambda item: item[1])

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class ActorFilter(admin.SimpleListFilter):
    """Who: the staff accounts in the log of the events this user sees (one query), and
    everyone else (delegates, partner leads, the system) as "No staff account"."""

    title = "who"
    parameter_name = "who"
    NOBODY = "-"

    def lookups(self, request, model_admin):
        names = (
            model_admin.get_queryset(request)
            .exclude(actor_name="")
            .order_by("actor_name")
            .values_list("actor_name", flat=True)
            .distinct()
        )
        return [(self.NOBODY, "No staff account"), *((name, name) for name in names)]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(actor_name="" if self.value() == self.NOBODY else self.value())


class DelegateFilter(admin.SimpleListFilter):
    """One delegate's entries (?delegate=<pk>, as the delegate's page links here); shown
    only while it is in use: a list of every delegate would be the event's register."""

    title = "delegate"
    parameter_name = "delegate"

    def lookups(self, request, model_admin):
        # Shown (and so applied) only while in use; named only if in this user's log.
        value = self.value()
        if not value:
            return []
        mine = model_admin.get_queryset(request).filter(delegate_id=value)
        found = value.isdigit() and mine.exists()
        delegate = Delegate.objects.filter(pk=value).first() if found else None
        return [(value, delegate.full_name if delegate else f"Delegate {value}")]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        return queryset.filter(delegate_id=value) if value.isdigit() else queryset.none()


class AuditLogList(ListExporter):
    name = "Audit log"

    def __init__(self, entries):
        self.entries = entries

    def columns(self):
        return [
            Column("Time", 18),
            Column("Event", 30),
            Column("Action", 36),
            Column("Action code", 28),
            Column("Who", 20),
            Column("Through", 18),
            Column("Delegate", 28),
            Column("Object", 40),
            Column("Details", 60),
        ]

    def rows(self):
        vias = dict(audit.Via.choices)
        for entry in self.entries.iterator(chunk_size=2000):
            yield [
                entry.at,
                entry.event.name,
                audit.words(entry.action),
                entry.action,
                entry.actor_name,
                vias.get(entry.via, entry.via),
                entry.delegate.full_name if entry.delegate else "",
                entry.object_repr,
                details(entry),
            ]

    def row_count(self):
        return self.entries.count()


def details(entry: AuditEntry) -> str:
    values = {**entry.data, **entry.personal}
    return "; ".join(f"{key}: {value}" for key, value in sorted(values.items()))


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyMixin, EventScopedAdmin, admin.ModelAdmin):
    list_display = ["at", "event", "what", "actor_name", "via", "delegate_name", "object_repr"]
    list_filter = [
        "event",
        ActionFilter,
        ActorFilter,
        "via",
        ("at", admin.DateFieldListFilter),
        DelegateFilter,
    ]
    list_select_related = ["event", "delegate"]
    search_fields = ["object_repr", "actor_name", "delegate__last_name", "delegate__email"]
    date_hierarchy = "at"
    list_per_page = 100
    show_full_result_count = False
    fields = [
        "at",
        "event",
        "what",
        "action",
        "actor_name",
        "via",
        "delegate_name",
        "object_type",
        "object_id",
        "object_repr",
        "details",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("event", "delegate")

    @admin.display(description="Action", ordering="action")
    def what(self, entry):
        return audit.words(entry.action)

    @admin.display(description="Delegate")
    def delegate_name(self, entry):
        return entry.delegate.full_name if entry.delegate else ""

    @admin.display(description="Details")
    def details(self, entry):
        return details(entry)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "export/<str:file_format>/",
                view(self.export_view),
                name="symposium_auditentry_export",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request, file_format):
        """The changelist's entries, as filtered, in `file_format` (csv or xlsx)."""
        if not self.has_view_permission(request) or file_format not in ExportFormat.values:
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        entries = changelist.queryset.select_related("event", "delegate")
        basename = f"audit-log-{timezone.localdate():%Y-%m-%d}"
        return file_response(AuditLogList(entries), file_format=file_format, basename=basename)
