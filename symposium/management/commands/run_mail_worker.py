"""`manage.py run_mail_worker`: the mail worker, run as a service (systemd
`Restart=always`) in place of django-mailer's `runmailer` and `retry_deferred`.

It sends the queue one message at a time (claim, send, mark: a worker killed mid-send
sends at most that one message twice) and retries what the mail server put off within
a minute; see symposium/mail_worker.py. Several may run at once, on several servers.
`--once` sends what is waiting now and exits.
"""

from django.core.management.base import BaseCommand

from symposium import mail_worker


class Command(BaseCommand):
    help = "Send the queued emails, retrying deferred ones within a minute."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Send what is waiting now, then exit."
        )

    def handle(self, *args, once, **options):
        counts = mail_worker.run(once=once)
        if once:
            self.stdout.write(
                f"{counts['sent']} sent, {counts['deferred']} put aside, "
                f"{counts['discarded']} unreadable, {counts['unreachable']} times unreachable."
            )
