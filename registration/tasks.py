"""Seat quotas on the task queue (symposium.background): every minute, one worker warns
the partner leads of quotas released within QUOTA_RELEASE_WARNING_DAYS, then releases
the quotas whose time has come. Both are idempotent, so a run repeated, late or
overlapping another does each thing once."""

from django.db import close_old_connections, connection
from procrastinate.contrib.django import app

from partners import services as partner_services
from registration import services
from symposium.background import task


@app.periodic(cron="* * * * *", periodic_id="quotas")
@task(queueing_lock="release_quotas", retry=False)
def release_quotas(*, timestamp: int | None = None) -> None:
    try:
        partner_services.warn_quota_releases()
        services.release_quotas()
    finally:
        # As after a request: the worker's thread keeps its connection while usable.
        if not connection.in_atomic_block:
            close_old_connections()
