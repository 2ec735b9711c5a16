"""Attendee lists made on the task queue: writing the file once, and removing it.

The request (services.request_attendee_export) records the export and queues
console.tasks.prepare_export; the worker writes the same CSV or XLSX the request would
have sent (symposium.exports.base, with its formula guard) into the PreparedExport row.
"""

import datetime as dt
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from console.exports.attendees import AttendeeFilters, AttendeeList, attendees
from symposium.enums import ExportFormat
from symposium.exports.base import Column, ListExporter, csv_lines, write_xlsx
from symposium.models import PreparedExport

PROGRESS_EVERY = 1000  # rows between two saves of an export's progress
FINISHED = (PreparedExport.Status.DONE, PreparedExport.Status.EXPIRED)


class _Reporting(ListExporter):
    """An exporter's rows as they are, telling `progress(n)` every PROGRESS_EVERY rows."""

    def __init__(self, exporter: ListExporter, progress: Callable[[int], None]):
        self.exporter = exporter
        self.progress = progress
        self.name = exporter.name

    def columns(self) -> list[Column]:
        return self.exporter.columns()

    def rows(self) -> Iterator[Sequence[Any]]:
        for count, row in enumerate(self.exporter.rows(), start=1):
            yield row
            if count % PROGRESS_EVERY == 0:
                self.progress(count)


def write_file(exporter: ListExporter, file_format: str) -> bytes:
    """The list as the request would have sent it, byte for byte."""
    with tempfile.TemporaryFile() as file:
        if file_format == ExportFormat.XLSX:
            write_xlsx(exporter, file)
        else:
            for line in csv_lines(exporter.table()):
                file.write(line.encode())
        file.seek(0)
        return file.read()


def prepare_export(*, prepared_id: int, now: dt.datetime | None = None) -> None:
    """Write a PreparedExport's file, once.

    A second run (a retry, a worker that took over from a stalled one) finds it done and
    returns; two at the same time both write, but only the first to finish saves (the
    last update is conditional on the row not being done). Side effects: the
    PreparedExport's status and progress (each in its own short statement, so the page
    shows them), then its content, size and expiry; "failed" if writing raised, and the
    error raised again for the task's record (Background jobs in the admin).
    """
    prepared = (
        PreparedExport.objects.filter(pk=prepared_id)
        .select_related("record__event")
        .defer("content")
        .first()
    )
    if prepared is None or prepared.status in FINISHED:
        return
    rows = PreparedExport.objects.filter(pk=prepared_id).exclude(status__in=FINISHED)
    record = prepared.record
    try:
        filters = AttendeeFilters.from_json(record.filters, event=record.event)
        exporter = AttendeeList(
            event=record.event,
            delegates=attendees(event=record.event, filters=filters),
            include_needs=filters.include_needs,
        )
        rows.update(status=PreparedExport.Status.RUNNING, done=0)
        content = write_file(
            _Reporting(exporter, lambda count: rows.update(done=count)), record.file_format
        )
    except Exception:
        rows.update(status=PreparedExport.Status.FAILED)
        raise
    now = now or timezone.now()
    rows.update(
        status=PreparedExport.Status.DONE,
        content=content,
        size=len(content),
        done=record.row_count,
        finished_at=now,
        expires_at=now + dt.timedelta(hours=settings.EXPORT_KEEP_HOURS),
    )


def downloadable(prepared: PreparedExport, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return prepared.status == PreparedExport.Status.DONE and (
        prepared.expires_at is None or prepared.expires_at > now
    )


def expired(*, now: dt.datetime | None = None) -> QuerySet[PreparedExport]:
    now = now or timezone.now()
    return PreparedExport.objects.filter(status=PreparedExport.Status.DONE, expires_at__lte=now)


def remove_expired_exports(*, now: dt.datetime | None = None) -> int:
    """Side effects: the content of every file past its expiry is deleted (the row stays,
    "expired", for its page and beside the audit record). Returns how many."""
    return expired(now=now).update(status=PreparedExport.Status.EXPIRED, content=None, size=0)
