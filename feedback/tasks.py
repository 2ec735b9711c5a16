"""The feedback survey on the task queue (symposium.background): every minute, one
worker sends the surveys that are due, once each (`services.send_due_surveys`)."""

from django.db import close_old_connections, connection
from procrastinate.contrib.django import app

from feedback import services
from symposium.background import task


@app.periodic(cron="* * * * *", periodic_id="feedback-surveys")
@task(queueing_lock="send_surveys", retry=False)
def send_surveys(*, timestamp: int | None = None) -> None:
    try:
        services.send_due_surveys()
    finally:
        if not connection.in_atomic_block:
            close_old_connections()
