"""Background work of the console (symposium.background): attendee lists too long to
write in a request, and the removal of those files once they expire."""

from django.db import close_old_connections, connection
from procrastinate.contrib.django import app

from console.exports import prepared
from symposium.background import task


def _close_old_connections():
    """As after a request: the worker's thread keeps its connection while usable."""
    if not connection.in_atomic_block:  # Called as a function, inside a transaction.
        close_old_connections()


@task(retry=False)
def prepare_export(*, prepared_id: int) -> None:
    """Write a PreparedExport's file (console.exports.prepared). Not retried on an error:
    the export's page says it failed and offers to try again (the error is in the admin,
    Background jobs). A worker killed mid-way: its job is queued again
    (symposium.background.tasks.retry_stalled_jobs) and writes the file once."""
    try:
        prepared.prepare_export(prepared_id=prepared_id)
    finally:
        _close_old_connections()


@app.periodic(cron="7 * * * *", periodic_id="remove_expired_exports")
@task(queueing_lock="remove_expired_exports", retry=False)
def remove_expired_exports(*, timestamp: int | None = None) -> None:
    """Hourly: prepared attendee lists past settings.EXPORT_KEEP_HOURS are deleted."""
    try:
        prepared.remove_expired_exports()
    finally:
        _close_old_connections()


@task(retry=False)
def prepare_report(*, report_id: int) -> None:
    """Count and draw a report for the board (console.report.services). Not retried on
    an error: its page says it failed and offers to prepare it again."""
    from console.report import services

    try:
        services.prepare_report(report_id=report_id)
    finally:
        _close_old_connections()
