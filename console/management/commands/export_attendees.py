"""`manage.py export_attendees <event-slug>`: the staff page's attendee list, for scripts.

The export is written to the audit trail with no user (`exported_by` empty).
"""

from functools import partial

from django.core.management.base import BaseCommand, CommandError

from breakouts.models import BreakoutSession, Theme
from console.exports.attendees import AttendeeFilters
from console.exports.services import start_attendee_export
from symposium.audit import as_command
from symposium.enums import ExportFormat, Sector
from symposium.exports.base import csv_lines, write_xlsx
from symposium.models import Event


class Command(BaseCommand):
    help = "Export an event's attendee list as CSV or XLSX (audited like the staff page)."

    def add_arguments(self, parser):
        parser.add_argument("event", help="The event's slug.")
        parser.add_argument("--format", choices=ExportFormat.values, default=ExportFormat.CSV)
        parser.add_argument("--session", type=int, help="Only this breakout session (its ID).")
        parser.add_argument("--theme", type=int, help="Only this theme (its number).")
        parser.add_argument("--sector", choices=Sector.values, help="Only this sector.")
        parser.add_argument("--organisation", default="", help="Only this organisation.")
        parser.add_argument(
            "--include-waitlist",
            action="store_true",
            help="Also delegates on a waitlist and cancelled registrations.",
        )
        parser.add_argument(
            "--include-needs",
            action="store_true",
            help="Add dietary and access needs (special category data).",
        )
        parser.add_argument("--output", help="File to write; CSV goes to stdout without it.")

    @as_command
    def handle(self, *args, **options):
        file_format, output = options["format"], options["output"]
        if file_format == ExportFormat.XLSX and not output:
            raise CommandError("XLSX is a binary file: give --output FILE.")
        event = self._event(options["event"])
        filters = AttendeeFilters(
            session=self._session(event, options["session"]),
            theme=self._theme(event, options["theme"]),
            organisation=options["organisation"],
            sector=options["sector"] or "",
            include_inactive=options["include_waitlist"],
            include_needs=options["include_needs"],
        )
        exporter = start_attendee_export(
            event=event, filters=filters, file_format=file_format, exported_by=None
        )
        if file_format == ExportFormat.XLSX:
            count = write_xlsx(exporter, output)
        elif output:
            with open(output, "w", encoding="utf-8", newline="") as file:
                count = self._write_csv(exporter, file.write)
        else:
            count = self._write_csv(exporter, partial(self.stdout.write, ending=""))
        noun = "delegate" if count == 1 else "delegates"
        self.stderr.write(f"Exported {count} {noun} to {output or 'stdout'}.")

    def _write_csv(self, exporter, write) -> int:
        """Write the CSV line by line; returns the number of delegates."""
        chunks = 0
        for chunk in csv_lines(exporter.table()):
            write(chunk)
            chunks += 1
        return chunks - 2  # the byte-order mark and the header

    def _event(self, slug):
        try:
            return Event.objects.get(slug=slug)
        except Event.DoesNotExist:
            raise CommandError(f"No event with the slug “{slug}”.") from None

    def _session(self, event, session_id):
        if session_id is None:
            return None
        session = BreakoutSession.objects.filter(pk=session_id, theme__event=event).first()
        if session is None:
            raise CommandError(f"Event “{event.slug}” has no breakout session {session_id}.")
        return session

    def _theme(self, event, number):
        if number is None:
            return None
        theme = Theme.objects.filter(event=event, number=number).first()
        if theme is None:
            raise CommandError(f"Event “{event.slug}” has no theme {number}.")
        return theme
