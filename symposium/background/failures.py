"""Every error of a background job is kept (the last one per job) for the admin."""

from asgiref.sync import sync_to_async
from django.db import connection
from django.utils import timezone
from procrastinate.exceptions import JobAborted

from symposium.background.models import JobFailure

MAX_ERROR_LENGTH = 2000


def on_app_ready(app):
    """PROCRASTINATE_ON_APP_READY: every worker records the failures of its jobs."""
    app.worker_defaults["worker_middleware"] = [
        *app.worker_defaults.get("worker_middleware", []),
        record_failures,
    ]


async def record_failures(call_next, context, worker):
    try:
        return await call_next()
    except JobAborted:
        raise
    except Exception as error:
        await sync_to_async(record_failure)(job=context.job, error=error)
        raise


def record_failure(*, job, error):
    """Side effects: one JobFailure row per job, replaced at each failure."""
    try:
        JobFailure.objects.update_or_create(
            job_id=job.id,
            defaults={
                "task_name": job.task_name,
                "error": f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH],
                "failed_at": timezone.now(),
            },
        )
    finally:
        # Not kept open in the worker's thread for this between (rare) failures.
        connection.close()
