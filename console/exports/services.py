"""Starting an attendee export: the list the staff page or the admin selection asks for,
written to the audit trail first (symposium.exports.services.record_export)."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from console.exports.attendees import AttendeeFilters, AttendeeList, attendees
from symposium.exports.services import record_export
from symposium.models import Delegate, Event


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
