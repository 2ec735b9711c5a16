"""Admin actions on delegate registrations: export the selection as CSV or XLSX."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from console.exports.services import start_selection_export
from symposium.enums import ExportFormat
from symposium.exports.base import file_response
from symposium.exports.services import export_basename
from symposium.models import Delegate, Event

EXPORT_PERMISSION = "symposium.export_attendees"


def export_selection(modeladmin, request, queryset, *, file_format):
    """Export exactly the delegates the admin selected (after its filters), audited.

    Checked here rather than with `@admin.action(permissions=...)`, which would need a
    `has_export_permission` on every ModelAdmin using these actions.
    """
    if not request.user.has_perm(EXPORT_PERMISSION):
        raise PermissionDenied("You do not have permission to export attendees.")
    event_ids = list(queryset.order_by().values_list("event_id", flat=True).distinct()[:2])
    if len(event_ids) != 1:
        modeladmin.message_user(
            request,
            "Select the delegates of one event at a time: filter the list by event first.",
            messages.WARNING,
        )
        return None
    event = Event.objects.get(pk=event_ids[0])
    exporter = start_selection_export(
        event=event,
        # A fresh queryset of the same rows: the changelist's joins could repeat a row.
        delegates=Delegate.objects.filter(pk__in=queryset.values("pk")),
        file_format=file_format,
        filters={"changelist": request.GET.urlencode()},
        exported_by=request.user,
    )
    basename = export_basename(event=event, scope="selection")
    return file_response(exporter, file_format=file_format, basename=basename)


@admin.action(description="Export selected registrations as CSV")
def export_selected_csv(modeladmin, request, queryset):
    return export_selection(modeladmin, request, queryset, file_format=ExportFormat.CSV)


@admin.action(description="Export selected registrations as XLSX")
def export_selected_xlsx(modeladmin, request, queryset):
    return export_selection(modeladmin, request, queryset, file_format=ExportFormat.XLSX)


DELEGATE_ACTIONS = [export_selected_csv, export_selected_xlsx]
