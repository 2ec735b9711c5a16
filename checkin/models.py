"""Check-ins at the registration desk, walk-ins and badge print runs.

A check-in is a row; undoing it stamps `undone_at` and keeps the row, so the desk's
history stays whole. The database allows one standing check-in per delegate, whichever
desk, whenever the scan reaches the server.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from symposium.models import Delegate, Event


class CheckIn(models.Model):
    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="check_ins")
    # When the badge was scanned at the desk, which may be long before the server hears
    # of it (a desk that lost the Wi-Fi sends its queue later).
    at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    desk = models.CharField(max_length=40, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The desk's own id for the scan: sent again after a lost answer, it finds this row.
    nonce = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sent_offline = models.BooleanField(default=False)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        permissions = [("check_in", "Can check in delegates at the desk")]
        constraints = [
            models.UniqueConstraint(
                fields=["delegate"],
                condition=Q(undone_at__isnull=True),
                name="one_standing_check_in_per_delegate",
            )
        ]
        indexes = [models.Index(fields=["delegate", "undone_at"])]

    def __str__(self):
        return f"{self.delegate_id} at {self.at:%H:%M} ({self.desk})"


class WalkIn(models.Model):
    """A delegate registered at the desk on the day. `needs_organiser` when the event
    had no place left: they are on the waitlist and an organiser decides."""

    delegate = models.OneToOneField(Delegate, on_delete=models.CASCADE, related_name="walk_in")
    at = models.DateTimeField(auto_now_add=True)
    desk = models.CharField(max_length=40, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    needs_organiser = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"Walk-in {self.delegate_id}"


class BadgePrint(models.Model):
    """A print run of the whole event's badges: "added since the last print" starts here."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="badge_prints")
    printed_at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    count = models.PositiveIntegerField()

    class Meta:
        ordering = ["-printed_at"]

    def __str__(self):
        return f"Badges for {self.event_id} at {self.printed_at}"


class BadgeRun(models.Model):
    """Badges for many delegates, made in the background (checkin.tasks.make_badges):
    how far it got, then the PDF, for the staff who may check in to download. The PDF
    holds names, so it is kept in the database with the event (deleted with it), never
    under MEDIA_ROOT, where files are served to anyone."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Making the badges"
        DONE = "done", "Ready to download"
        FAILED = "failed", "Failed"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="badge_runs")
    scope = models.CharField(max_length=20)
    session_id = models.PositiveIntegerField(null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pdf = models.BinaryField(null=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Badges for {self.event_id} ({self.scope}, {self.status})"
