"""Starting an attendee export: the list the staff page or the admin selection asks for,
written to the audit trail first (symposium.exports.services.record_export); a list
longer than settings.EXPORT_IN_REQUEST_ROWS is made on the task queue
(console.exports.prepared)."""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet

from console.exports.attendees import AttendeeFilters, AttendeeList, attendees
from symposium import background
from symposium.exports.services import export_basename, record_export
from symposium.models import Delegate, Event, PreparedExport


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


def request_attendee_export(
    *,
    event: Event,
    filters: AttendeeFilters,
    file_format: str,
    exported_by: AbstractBaseUser,
) -> AttendeeList | PreparedExport:
    """The staff page's download: the list ready to write in this request, or, over
    settings.EXPORT_IN_REQUEST_ROWS rows, a PreparedExport that a worker will write.

    The caller checks the permissions (exporting; viewing needs if `include_needs`).
    Side effects: as `record_export`; over the threshold also a PreparedExport and a
    job for console.tasks.prepare_export, in the same transaction (no record without
    its job, no job without its record).
    """
    exporter = AttendeeList(
        event=event,
        delegates=attendees(event=event, filters=filters),
        include_needs=filters.include_needs,
    )
    with transaction.atomic():
        record = record_export(
            event=event,
            exporter=exporter,
            file_format=file_format,
            filters=filters.as_json(),
            exported_by=exported_by,
        )
        if record.row_count <= settings.EXPORT_IN_REQUEST_ROWS:
            return exporter
        basename = export_basename(event=event, scope=filters.slug())
        prepared = PreparedExport.objects.create(
            record=record, filename=f"{basename}.{file_format}"
        )
        queue_prepared_export(prepared=prepared)
    return prepared


def queue_prepared_export(*, prepared: PreparedExport) -> None:
    """Side effects: a job for console.tasks.prepare_export, in the caller's transaction."""
    from console import tasks

    background.defer(tasks.prepare_export, prepared_id=prepared.pk)


def retry_prepared_export(*, prepared: PreparedExport) -> bool:
    """Queue a failed export again (the same record and file name); False if it had not
    failed (it is queued, running or done already, or removed).

    Side effects: the PreparedExport back to "queued"; a job, both in one transaction.
    """
    with transaction.atomic():
        retried = PreparedExport.objects.filter(
            pk=prepared.pk, status=PreparedExport.Status.FAILED
        ).update(status=PreparedExport.Status.QUEUED, done=0)
        if retried:
            queue_prepared_export(prepared=prepared)
    return bool(retried)


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
