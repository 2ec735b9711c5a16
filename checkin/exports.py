"""Lists from the desk: attendance (every confirmed delegate, here or not) and the
no-shows (confirmed, not checked in). Written by symposium.exports' base, and recorded
on the export audit trail like every list of delegates."""

from collections.abc import Iterator
from typing import Any

from django.db.models import Exists, OuterRef

from checkin.models import CheckIn, WalkIn
from checkin.selectors import standing_check_ins
from symposium.exports.base import SECTOR_LABELS, Column, ListExporter
from symposium.models import Delegate, Event, by_name


class AttendanceList(ListExporter):
    name = "Attendance"

    def __init__(self, *, event: Event):
        self.event = event
        self.delegates = Delegate.objects.filter(event=event).confirmed()

    def columns(self) -> list[Column]:
        return [
            Column("Name", 28),
            Column("Organisation", 32),
            Column("Sector", 22),
            Column("Checked in", 12),
            Column("Checked in at", 18),
            Column("Desk", 12),
            Column("Walk-in", 8),
        ]

    def row_count(self) -> int:
        return self.delegates.count()

    def rows(self) -> Iterator[list[Any]]:
        standing = standing_check_ins(event=self.event)
        walk_ins = set(
            WalkIn.objects.filter(delegate__event=self.event).values_list("delegate_id", flat=True)
        )
        for delegate in self.delegates.order_by(*by_name()).iterator(chunk_size=2000):
            here = standing.get(delegate.pk)
            yield [
                delegate.full_name,
                delegate.organisation,
                SECTOR_LABELS.get(delegate.sector, delegate.sector),
                "Yes" if here else "No",
                here.at if here else None,
                here.desk if here else "",
                "Yes" if delegate.pk in walk_ins else "No",
            ]


class NoShowList(ListExporter):
    """Confirmed and never checked in: for the organisers' follow-up."""

    name = "No-shows"

    def __init__(self, *, event: Event):
        self.event = event
        here = CheckIn.objects.filter(undone_at__isnull=True)
        self.delegates = (
            Delegate.objects.filter(event=event)
            .confirmed()
            .exclude(Exists(here.filter(delegate=OuterRef("pk"))))
        )

    def columns(self) -> list[Column]:
        return [
            Column("Name", 28),
            Column("Email", 32),
            Column("Organisation", 32),
            Column("Sector", 22),
        ]

    def row_count(self) -> int:
        return self.delegates.count()

    def rows(self) -> Iterator[list[Any]]:
        for delegate in self.delegates.order_by(*by_name()).iterator(chunk_size=2000):
            yield [
                delegate.full_name,
                delegate.email,
                delegate.organisation,
                SECTOR_LABELS.get(delegate.sector, delegate.sector),
            ]
