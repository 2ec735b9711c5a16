"""`manage.py send_outbox`: the mail sweep once, by hand (symposium.tasks.sweep).

The workers (`manage.py procrastinate worker`) run it every 15 seconds; this is for an
operator, or a host with no worker: build the emails owed and not built, put back what
the mail server put off once its wait is over, and send the queue. Safe beside workers:
each row is locked while it is built or sent, and skipped by the others.
"""

from django.core.management.base import BaseCommand

from symposium import outbox
from symposium.tasks import sweep


class Command(BaseCommand):
    help = "Build the emails owed to delegates and send the mail queue, once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--build-only", action="store_true", help="Build what is owed; send nothing."
        )

    def handle(self, *args, build_only, **options):
        if build_only:
            queued, failed = outbox.send_outbox()
            self.stdout.write(f"{queued} emails queued, {failed} could not be built.")
            return
        counts = sweep()
        self.stdout.write(
            f"{counts['built']} emails built, {counts['build_failed']} could not be; "
            f"{counts['sent']} sent, {counts['deferred']} put aside, "
            f"{counts['unreachable']} times the mail server was unreachable."
        )
