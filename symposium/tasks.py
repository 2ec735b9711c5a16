"""Email on the task queue (symposium.background): every email is built and sent by a
worker, never in a request.

- `deliver_email`: queued with each owed email (symposium.outbox), in the transaction
  of the change; once it has committed, builds the email from its outbox row (locked,
  so once, whoever else tries; nothing if the row is gone) into django-mailer's queue,
  then sends it (symposium.mail_worker: claim, send, mark).
- `send_mail`, every 15 seconds on one worker: builds what is owed and was not built
  (a build that failed, a task lost), puts back what the mail server put off once its
  wait is over, and sends whatever is queued (a send cut short by a killed worker,
  mailings). Also queued at once by whoever queues many emails (`send_queued_mail`).
"""

import contextlib
import datetime as dt
import logging

from django.db import close_old_connections, connection
from procrastinate.contrib.django import app
from procrastinate.exceptions import AlreadyEnqueued

from symposium import background, mail_worker, outbox

logger = logging.getLogger(__name__)

# The sweep leaves alone emails owed for less than this: their own task is on its way.
SWEEP_AFTER = dt.timedelta(seconds=30)


class MailServerUnreachable(Exception):
    pass


def _close_old_connections():
    """As after a request: the worker's thread keeps its connection while usable."""
    if not connection.in_atomic_block:  # Called as a function, inside a transaction.
        close_old_connections()


@background.task()
def deliver_email(*, owed_pk: int) -> None:
    """Build the email owed as outbox row `owed_pk` (once) and send it. A build that
    fails raises (the task is retried; the error is kept on the row and in the admin);
    a mail server that puts it off has it put aside for the sweep to retry."""
    try:
        queued = outbox.render_owed(owed_pk, raise_errors=True)
        if queued is None:
            return  # Built already (or being built by the sweep, which sends it).
        worker = mail_worker.MailWorker()
        try:
            worker.send_message(queued)
        except mail_worker.ServerUnreachable as error:
            # Built and queued: the sweep sends it once the server is back.
            logger.warning("Mail server unreachable (%s): message %s waits", error, queued)
        finally:
            worker.close()
    finally:
        _close_old_connections()


def sweep() -> dict[str, int]:
    """Build what is owed and not built, then send what is queued; counts."""
    built, failed = outbox.send_outbox(older_than=SWEEP_AFTER)
    counts = mail_worker.run(once=True)
    return {"built": built, "build_failed": failed, **counts}


@app.periodic(cron="* * * * * */15", periodic_id="sweep")
@background.task(queueing_lock="send_mail", retry=False)
def send_mail(*, timestamp: int | None = None) -> None:
    """Every 15 seconds: the sweep (`sweep`)."""
    try:
        counts = sweep()
        if any(counts.values()):
            logger.info("Mail sweep: %s", counts)
        if counts["unreachable"]:
            raise MailServerUnreachable("the mail server could not be reached")
    finally:
        _close_old_connections()


def send_queued_mail() -> None:
    """Send the queue soon: a sweep now (after the caller's commit), unless one is
    already waiting to run. Without a queue, in this process after the commit."""
    with contextlib.suppress(AlreadyEnqueued):  # One is waiting: it sends these too.
        background.defer(send_mail, timestamp=None)
