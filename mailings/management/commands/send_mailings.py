"""`manage.py send_mailings`: run from cron every minute.

Gives events to come their automatic messages, then queues every mailing that is due,
or was interrupted, in batches. Several servers may run it at once: each batch is
queued under the mailing's row lock, which the others skip.
"""

from django.core.management.base import BaseCommand

from mailings.services import BATCH_SIZE, run_scheduler
from symposium.audit import as_command


class Command(BaseCommand):
    help = "Queue the emails to delegates that are due (scheduled and automatic messages)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    @as_command
    def handle(self, *args, batch_size, **options):
        done = run_scheduler(batch_size=batch_size)
        self.stdout.write(f"{done} delegates' emails queued or set aside.")
