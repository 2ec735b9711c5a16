"""`manage.py send_outbox`: queue the emails the web servers owe but did not queue.

Each change's emails are queued straight after its commit; what is left (the process
died in between, or the email could not be built) is queued here. Run it from cron
every minute next to `runmailer`; several servers may run it at once, as each row is
locked while it is queued and skipped by the others.
"""

from django.core.management.base import BaseCommand

from symposium.outbox import send_outbox


class Command(BaseCommand):
    help = "Queue the emails owed to delegates that were not queued after their change."

    def handle(self, *args, **options):
        queued, failed = send_outbox()
        self.stdout.write(f"{queued} emails queued, {failed} could not be built.")
