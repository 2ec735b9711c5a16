"""The queue's own housekeeping, run by every worker on a schedule (procrastinate's
periodic tasks: however many workers run, each schedule fires once)."""

import datetime as dt

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection
from django.utils import timezone
from procrastinate.contrib.django import app

from symposium.background.models import JobFailure

# Finished jobs are deleted a week after they end: failures stay in the admin that long.
KEEP_FINISHED_JOBS_HOURS = 7 * 24


@app.periodic(cron="* * * * *")
@app.task(queueing_lock="retry_stalled_jobs", pass_context=True)
async def retry_stalled_jobs(context, timestamp):
    """Every minute: the jobs of a worker whose heartbeat stopped (killed, or its server
    lost) go back to the queue, for another worker (procrastinate's recipe)."""
    manager = context.app.job_manager
    for job in await manager.get_stalled_jobs(
        seconds_since_heartbeat=settings.WORKER_STALLED_SECONDS
    ):
        await manager.retry_job(job)


@app.periodic(cron="30 3 * * *")
@app.task(queueing_lock="remove_old_jobs", pass_context=True)
async def remove_old_jobs(context, timestamp):
    """Nightly: jobs that ended over a week ago go, with their arguments and errors."""
    await context.app.job_manager.delete_old_jobs(
        nb_hours=KEEP_FINISHED_JOBS_HOURS,
        include_failed=True,
        include_cancelled=True,
        include_aborted=True,
    )
    await sync_to_async(remove_old_failures)()


def remove_old_failures():
    week_ago = timezone.now() - dt.timedelta(hours=KEEP_FINISHED_JOBS_HOURS)
    try:
        JobFailure.objects.filter(failed_at__lt=week_ago).delete()
    finally:
        connection.close()  # not kept open in the worker's thread until tomorrow
