"""Starting an export: every attendee list that leaves the portal is written to the
audit trail (ExportRecord) before its first byte is sent."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from symposium import audit
from symposium.exports.base import ListExporter
from symposium.models import Event, ExportRecord

# Delegates' dietary and access needs leave the portal only with this permission.
NEEDS_PERMISSION = "symposium.view_delegateneeds"


def record_export(
    *,
    event: Event,
    exporter: ListExporter,
    file_format: str,
    filters: dict[str, Any],
    exported_by: AbstractBaseUser | None,
) -> ExportRecord:
    """Write the audit record for an export about to be sent.

    Side effects: counts the exporter's rows (one query); creates an ExportRecord and
    its line in the event's audit log.
    The record comes first so that a download cut short is still on the trail.
    """
    with transaction.atomic():
        record = ExportRecord.objects.create(
            event=event,
            exported_by=exported_by,
            export=exporter.name,
            file_format=file_format,
            filters=filters,
            row_count=exporter.row_count(),
        )
        audit.log_action(
            event=event,
            action="export.downloaded",
            actor=exported_by,
            obj=record,
            data={
                "export": record.export,
                "format": file_format,
                "rows": record.row_count,
                "filters": filters,
            },
        )
    return record


def export_basename(*, event: Event, scope: str) -> str:
    return f"{event.slug}-attendees-{scope}-{timezone.localdate():%Y-%m-%d}"
