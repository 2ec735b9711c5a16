"""`manage.py purge_personal_data`: remove personal data past each event's retention.

Safe to run daily from cron: it only touches events whose `ends_on + retention_days`
has passed, and a second run finds nothing left to do.
"""

from django.core.management.base import BaseCommand

from registration.privacy import PurgeResult, purge_due_events, purge_due_on
from symposium.audit import as_command


def describe(result: PurgeResult, *, dry_run: bool) -> str:
    event = result.event
    verb = "Would purge" if dry_run else "Purged"
    return (
        f"{verb} {event.name} ({event.slug}; ended {event.ends_on:%Y-%m-%d}, "
        f"retention {event.retention_days} days, due {purge_due_on(event):%Y-%m-%d}): "
        f"{result.needs_deleted} delegates' dietary and access needs deleted, "
        f"{result.delegates_anonymised} delegates anonymised"
        + ("." if dry_run else f", {result.emails_deleted} emails about them deleted.")
    )


class Command(BaseCommand):
    help = "Delete needs and anonymise delegates of events past their retention period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be removed; change nothing."
        )

    @as_command
    def handle(self, *args, dry_run=False, **options):
        results = purge_due_events(dry_run=dry_run)
        for result in results:
            self.stdout.write(describe(result, dry_run=dry_run))
        if not results:
            self.stdout.write("No personal data is past its retention period.")
