"""Starting an export: every attendee list that leaves the portal is written to the
audit trail (ExportRecord) before its first byte is sent."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from symposium.exports.attendees import AttendeeFilters, AttendeeList, attendees
from symposium.exports.base import ListExporter
from symposium.models import Delegate, Event, ExportRecord


def record_export(
    *,
    event: Event,
    exporter: ListExporter,
    file_format: str,
    filters: dict[str, Any],
    exported_by: AbstractBaseUser | None,
) -> ExportRecord:
    """Write the audit record for an export about to be sent.

    Side effects: counts the exporter's rows (one query); creates an ExportRecord.
    The record comes first so that a download cut short is still on the trail.
    """
    return ExportRecord.objects.create(
        event=event,
        exported_by=exported_by,
        export=exporter.name,
        file_format=file_format,
        filters=filters,
        row_count=exporter.row_count(),
    )


def start_attendee_export(
    *,
    event: Event,
    filters: AttendeeFilters,
    file_format: str,
    exported_by: AbstractBaseUser | None,
) -> AttendeeList:
    """The attendee list the filters select, ready to write.

    The caller checks the permissions (exporting; viewing needs if `include_needs`).
    Side effects: as `record_export`.
    """
    exporter = AttendeeList(
        event=event,
        delegates=attendees(event=event, filters=filters),
        include_needs=filters.include_needs,
    )
    record_export(
        event=event,
        exporter=exporter,
        file_format=file_format,
        filters=filters.as_json(),
        exported_by=exported_by,
    )
    return exporter


def start_selection_export(
    *,
    event: Event,
    delegates: QuerySet[Delegate],
    file_format: str,
    filters: dict[str, Any],
    exported_by: AbstractBaseUser | None,
) -> AttendeeList:
    """The delegates picked in the admin (all of one event), without their needs.

    Side effects: as `record_export`.
    """
    exporter = AttendeeList(
        event=event,
        delegates=delegates,
        include_needs=False,
        name="Attendee list (admin selection)",
    )
    record_export(
        event=event,
        exporter=exporter,
        file_format=file_format,
        filters=filters,
        exported_by=exported_by,
    )
    return exporter


def export_basename(*, event: Event, scope: str) -> str:
    return f"{event.slug}-attendees-{scope}-{timezone.localdate():%Y-%m-%d}"
