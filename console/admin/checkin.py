"""Check-ins and walk-ins, to look at: the desk makes them, nobody edits them here.
Walk-ins flagged "needs organiser" joined the waitlist of a full event at the desk."""

from django.contrib import admin

from checkin.models import CheckIn, WalkIn
from console.admin.read_only import ReadOnlyMixin
from console.scoping import EventScopedAdmin


class ReadOnlyAdmin(ReadOnlyMixin, EventScopedAdmin, admin.ModelAdmin):
    """Scans and walk-ins are the desk's record: made there, never edited here."""


class DeskFilter(admin.AllValuesFieldListFilter):
    """Scans from a desk with no name are listed by words, not an empty link."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if choice["display"] == "":
                choice = {**choice, "display": "No desk name"}
            yield choice


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyAdmin):
    list_display = ["delegate", "at", "desk", "by", "sent_offline", "undone_at"]
    list_filter = ["delegate__event", ("desk", DeskFilter), "sent_offline"]
    list_select_related = ["delegate", "by"]
    search_fields = ["delegate__last_name", "delegate__organisation"]
    date_hierarchy = "at"


@admin.register(WalkIn)
class WalkInAdmin(ReadOnlyAdmin):
    list_display = ["delegate", "status", "at", "desk", "by", "needs_organiser"]
    list_filter = ["needs_organiser", "delegate__event"]
    list_select_related = ["delegate", "by"]

    @admin.display(description="Registration status")
    def status(self, walk_in):
        return walk_in.delegate.get_status_display()
