"""`manage.py report_failure <unit>`: tell the operators a scheduled job failed.

Run by systemd (deploy/systemd/symposium-failed@.service) when a job's unit fails
(OnFailure=): emails ADMINS, through the mail queue, and logs an error, which Sentry
receives when SENTRY_DSN is set. The journal holds the job's own output.
"""

import logging
import socket

from django.core.mail import mail_admins
from django.core.management.base import BaseCommand

logger = logging.getLogger("symposium.ops")


class Command(BaseCommand):
    help = "Email ADMINS (and log an error) that a scheduled job's unit failed."

    def add_arguments(self, parser):
        parser.add_argument("unit", help="The systemd unit that failed, e.g. symposium-backup.")

    def handle(self, *args, unit, **options):
        host = socket.gethostname()
        summary = f"{unit} failed on {host}"
        logger.error("Scheduled job failed: %s", summary)
        mail_admins(
            summary,
            f"The scheduled job {unit} failed on {host}.\n\n"
            f"Its output: journalctl -u {unit} --since today\n"
            f"Run it again: systemctl start {unit}\n",
        )
        self.stdout.write(f"Reported: {summary}")
