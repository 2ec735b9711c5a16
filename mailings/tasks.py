"""Mailings on the task queue (symposium.background): every minute, one worker gives
events to come their automatic messages (joining instructions, thank-you), queues
every mailing that is due or was interrupted, and joining instructions for late
joiners (`services.run_scheduler`). `manage.py send_mailings` does the same once."""

from django.db import close_old_connections, connection
from procrastinate.contrib.django import app

from mailings import invitations, services
from symposium.background import task


def _close_old_connections():
    """As after a request: the worker's thread keeps its connection while usable."""
    if not connection.in_atomic_block:  # Called as a function, inside a transaction.
        close_old_connections()


@app.periodic(cron="* * * * *", periodic_id="mailings")
@task(queueing_lock="run_mailings", retry=False)
def run_mailings(*, timestamp: int | None = None) -> None:
    try:
        services.run_scheduler()
    finally:
        _close_old_connections()


@task()
def send_invitation_run(*, run_pk: int) -> None:
    """Personal invitations or reminders (mailings.invitations): queued in batches; a
    retry carries on with what is still pending."""
    try:
        invitations.send_run(run_pk=run_pk)
    finally:
        _close_old_connections()
