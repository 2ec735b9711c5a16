import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Collate, Lower
from django.urls import reverse
from django.utils import timezone

from symposium.enums import (
    AgendaKind,
    BreakoutAllocation,
    DietaryRequirement,
    EmailKind,
    ExportFormat,
    RegistrationSource,
    RegistrationStatus,
    Sector,
)
from symposium.validators import one_line, plain_text


def clock(moment) -> str:
    """ "09:30" in the event's time zone (Europe/London), never UTC."""
    return f"{timezone.localtime(moment):%H:%M}"


# Created by migration 0005 on PostgreSQL: ICU's root order with punctuation ignored, so
# "Łukasz" sits with L, "O'Brien" with O and "de Souza" with D, whatever the case. Names
# sort by NAME_KEY(name) COLLATE NAME_COLLATION: the key is the name itself with ICU, and
# a case- and accent-folded name where PostgreSQL has no ICU (symposium.migration_helpers).
NAME_COLLATION = "symposium_names"
NAME_KEY = "symposium_name_key"
ACCESS_NEEDS_MAX_LENGTH = 2000


class NameCollate(Collate):
    """A name column in the order a registration desk expects (see NAME_COLLATION).
    SQLite, the demo's database, has no ICU: there it sorts without regard to case."""

    def __init__(self, expression):
        super().__init__(expression, NAME_COLLATION)

    def as_postgresql(self, compiler, connection, **extra_context):
        template = f"{NAME_KEY}(%(expressions)s) %(function)s %(collation)s"
        return super().as_sql(compiler, connection, template=template, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, collation="NOCASE", **extra_context)


def by_name(prefix: str = "") -> list:
    """Ordering by last name, then first name (then pk, so ties are stable)."""
    return [NameCollate(f"{prefix}last_name"), NameCollate(f"{prefix}first_name"), f"{prefix}pk"]


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class EventQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Event(TimestampedModel):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    summary = models.TextField(help_text="What the event is about, shown on its home page.")
    audience = models.TextField(blank=True, help_text="Who the event is for.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    venue_name = models.CharField(max_length=200)
    venue_address = models.TextField()
    registration_opens_at = models.DateTimeField()
    registration_closes_at = models.DateTimeField()
    delegate_capacity = models.PositiveIntegerField(
        help_text="How many delegates can be confirmed; later registrations join a waitlist."
    )
    is_published = models.BooleanField(default=False, help_text="Visible on the public site.")
    contact_email = models.EmailField(blank=True)
    privacy_notice = models.TextField(blank=True)
    accessibility_statement = models.TextField(blank=True)
    retention_days = models.PositiveIntegerField(
        default=180, help_text="Days after the event before personal data is removed."
    )
    breakout_allocation = models.CharField(
        "how breakout places are given",
        max_length=20,
        choices=BreakoutAllocation.choices,
        default=BreakoutAllocation.FIRST_COME,
    )
    breakout_allocation_on = models.DateTimeField(
        "breakout places allocated on",
        null=True,
        blank=True,
        help_text="With ranked preferences: when places will be allocated, as told to delegates.",
    )
    # Set when an allocation run is confirmed (breakouts.allocation_services).
    breakouts_allocated_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set by console.services.copy_event: the event this one was copied from, so the
    # report for the board compares the years of a chain of copies.
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="copies",
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="event_ends_after_it_starts"
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_at__gt=F("registration_opens_at")),
                name="event_registration_closes_after_it_opens",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("symposium:event-detail", kwargs={"slug": self.slug})

    @property
    def breakouts_ranked(self) -> bool:
        return self.breakout_allocation == BreakoutAllocation.RANKED

    @property
    def breakout_allocation_pending(self) -> bool:
        """Delegates rank their choices and wait: no place is given yet."""
        return self.breakouts_ranked and self.breakouts_allocated_at is None

    def clean(self):
        super().clean()
        if self.breakouts_ranked and self.breakout_allocation_on is None:
            raise ValidationError(
                {"breakout_allocation_on": "Say when places will be allocated: delegates are told."}
            )


class Room(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=120)
    capacity = models.PositiveIntegerField()
    access_notes = models.TextField(blank=True, help_text="Step-free access, hearing loop, etc.")

    class Meta:
        ordering = ["event", "name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="room_name_unique_per_event")
        ]

    def __str__(self):
        return self.name


class AgendaItem(TimestampedModel):
    """Something on the timetable: it occupies one room (or none) for a timeslot.

    On PostgreSQL an exclusion constraint (migration 0002) also refuses two items
    overlapping in one room; `clean()` gives the organiser the same rule in words.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="agenda_items")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # RESTRICT, not PROTECT: a room in use cannot be deleted on its own, but deleting the
    # event deletes its rooms with the agenda that uses them.
    room = models.ForeignKey(
        Room, on_delete=models.RESTRICT, null=True, blank=True, related_name="agenda_items"
    )
    kind = models.CharField(max_length=20, choices=AgendaKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    # More "this item clashes" rules, from the apps that book things into an item (the
    # speakers app: a speaker in two places at once), added when they are ready.
    clash_checks: list = []

    class Meta:
        ordering = ["starts_at", "room__name", "pk"]
        indexes = [models.Index(fields=["event", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="agenda_item_ends_after_it_starts"
            )
        ]

    def __str__(self):
        return f"{clock(self.starts_at)} {self.title}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Speaker bookings copy the item's time so the database can refuse clashes.
        self.speaker_bookings.update(starts_at=self.starts_at, ends_at=self.ends_at)

    @property
    def is_breakout_round(self):
        return self.kind == AgendaKind.BREAKOUT_ROUND

    def overlapping(self, queryset):
        return queryset.filter(starts_at__lt=self.ends_at, ends_at__gt=self.starts_at)

    def clean(self):
        super().clean()
        if not (self.starts_at and self.ends_at) or self.ends_at <= self.starts_at:
            if self.starts_at and self.ends_at:
                raise ValidationError({"ends_at": "The item must end after it starts."})
            return
        if self.room_id and self.event_id and self.room.event_id != self.event_id:
            raise ValidationError({"room": "Choose a room at this event."})
        self._check_room_is_free()
        for check in self.clash_checks:
            check(self)

    def _check_room_is_free(self):
        if not self.room_id:
            return
        clash = self.overlapping(AgendaItem.objects.filter(room_id=self.room_id))
        clash = clash.exclude(pk=self.pk).first()
        if clash:
            raise ValidationError(
                {
                    "room": f"{self.room} is already booked from {clock(clash.starts_at)} "
                    f"to {clock(clash.ends_at)} for “{clash.title}”."
                }
            )


class DelegateQuerySet(models.QuerySet):
    def with_email(self, email):
        """Registrations with this address, any case. LOWER() on both sides, as in the
        unique constraint, so PostgreSQL finds them through that constraint's index
        (`email__iexact` compiles to UPPER() and reads every registration)."""
        return self.alias(email_lower=Lower("email")).filter(email_lower=Lower(Value(email)))

    def active(self):
        return self.exclude(status=RegistrationStatus.CANCELLED)

    def confirmed(self):
        return self.filter(status=RegistrationStatus.CONFIRMED)


def new_access_key():
    return secrets.token_urlsafe(24)


class Delegate(TimestampedModel):
    """One person's registration for one event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="delegates")
    # Asked apart (the GOV.UK pattern when they are needed apart): the desk sorts and
    # finds people by last name. Blank first names are kept from single-name records.
    first_name = models.CharField(max_length=100, blank=True, validators=[one_line()])
    last_name = models.CharField(max_length=100, validators=[one_line()])
    email = models.EmailField(max_length=254)
    organisation = models.CharField(max_length=200, validators=[one_line()])
    sector = models.CharField(max_length=20, choices=Sector.choices)
    job_title = models.CharField(max_length=200, blank=True, validators=[one_line()])
    status = models.CharField(
        max_length=20, choices=RegistrationStatus.choices, default=RegistrationStatus.CONFIRMED
    )
    privacy_consent_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the delegate agreed to the privacy notice on the public site; "
        "empty for someone an organiser added.",
    )
    source = models.CharField(
        "how they registered",
        max_length=20,
        choices=RegistrationSource.choices,
        default=RegistrationSource.PUBLIC,
        editable=False,
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="The organiser who added them in the admin.",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the name, email and job title were removed after the event.",
    )
    # Part of the signed manage link: changing it revokes every link sent so far.
    access_key = models.CharField(max_length=64, default=new_access_key, editable=False)

    objects = DelegateQuerySet.as_manager()

    class Meta:
        ordering = by_name()
        permissions = [("export_attendees", "Can export attendees")]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "event",
                name="one_registration_per_email_per_event",
                violation_error_message="This email address is already registered for the event.",
            )
        ]
        indexes = [
            models.Index(fields=["event", "status"]),
            models.Index(fields=["event", "organisation"]),
            models.Index(fields=["event", "sector"]),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.organisation})"

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


class DelegateNeeds(TimestampedModel):
    """Dietary and access needs: special category data, kept apart with its own consent.

    It exists only when the delegate ticked the separate consent; deleting it is how
    consent is withdrawn and how the purge removes it after the event.
    """

    delegate = models.OneToOneField(Delegate, on_delete=models.CASCADE, related_name="needs")
    dietary_requirement = models.CharField(
        max_length=20, choices=DietaryRequirement.choices, default=DietaryRequirement.NONE
    )
    dietary_details = models.CharField(max_length=300, blank=True, validators=[one_line()])
    access_needs = models.TextField(
        blank=True,
        max_length=ACCESS_NEEDS_MAX_LENGTH,
        validators=[MaxLengthValidator(ACCESS_NEEDS_MAX_LENGTH), plain_text()],
    )
    consented_at = models.DateTimeField()

    class Meta:
        verbose_name = "delegate's dietary and access needs"
        verbose_name_plural = "delegates' dietary and access needs"

    def __str__(self):
        return f"Needs of {self.delegate.full_name}"


class ExportRecord(models.Model):
    """Audit trail: who exported which attendee list, when, and how many rows."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="export_records")
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    exported_at = models.DateTimeField(auto_now_add=True)
    export = models.CharField(max_length=60, help_text="Which list was exported.")
    file_format = models.CharField(max_length=10, choices=ExportFormat.choices)
    filters = models.JSONField(default=dict, blank=True)
    row_count = models.PositiveIntegerField()

    class Meta:
        ordering = ["-exported_at"]

    def __str__(self):
        return f"{self.export} ({self.file_format}) by {self.exported_by} at {self.exported_at}"


class PreparedExport(models.Model):
    """An attendee list longer than settings.EXPORT_IN_REQUEST_ROWS, written on the task
    queue (console.tasks.prepare_export) for the staff member who asked for it.

    The file holds names and perhaps needs: it is kept here, in the database with its
    audit record, never under MEDIA_ROOT (served to anyone who has the URL), and any
    worker or web server reads the same copy. Its content goes after
    settings.EXPORT_KEEP_HOURS (the row stays, status "expired", so its page can say so),
    or with the event's personal data.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being prepared"
        DONE = "done", "Ready to download"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Removed"

    # One file per export: the task writes it once whoever runs it (a retry, a second
    # worker after a stalled one).
    record = models.OneToOneField(ExportRecord, on_delete=models.CASCADE, related_name="prepared")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0, help_text="Rows written so far.")
    filename = models.CharField(max_length=200)
    content = models.BinaryField(null=True, editable=False)
    size = models.PositiveIntegerField(default=0, help_text="Bytes.")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"


class BoardReport(models.Model):
    """The report for the board of one event (console.report), prepared on the task
    queue (console.tasks.prepare_report): its figures, already suppressed (no group of
    fewer than 5 people), as JSON, and its PDF.

    A frozen one is made when the event's personal data is purged, before the feedback
    goes (console.receivers): its figures are what the report shows from then on. It
    holds no quote and no name, so it stays with the event.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being prepared"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="board_reports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField(max_length=100, blank=True, help_text="How far it got.")
    figures = models.JSONField(null=True, editable=False)
    pdf = models.BinaryField(null=True, editable=False)
    frozen = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event"], condition=Q(frozen=True), name="one_frozen_report_per_event"
            )
        ]

    def __str__(self):
        return f"Report for the board of {self.event} ({self.get_status_display()})"


class OutboxEmail(models.Model):
    """An email owed to a delegate, not yet written to the mail queue.

    Services add one in their transaction, with a task that renders it into the
    django-mailer queue once that transaction has committed (symposium.tasks), in a
    transaction of its own, and deletes it. What is left here could not be rendered
    yet: the mail sweep (a periodic task) tries again.
    """

    kind = models.CharField(max_length=20, choices=EmailKind.choices)
    # An email about a registration that has since been erased has nothing to be
    # rendered from: it goes with the row.
    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="+")
    choice = models.ForeignKey(
        "breakouts.BreakoutChoice",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    # A swap's email names the place the delegate gave up, which is gone by then.
    given_up = models.ForeignKey(
        "breakouts.BreakoutSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    tried_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = "email not yet queued"
        verbose_name_plural = "emails not yet queued"

    def __str__(self):
        return f"{self.get_kind_display()} for delegate {self.delegate_id}"


class ManageLinkEmail(models.Model):
    """A manage-link email owed to a delegate (asked again, or registered again), for
    the hourly cap in registration.services: counted here, not in Redis, so that it holds
    while the rate limits are off. Rows older than the hour are deleted as new ones come;
    all go with the delegate's row."""

    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="+")
    owed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["delegate", "owed_at"], name="manage_link_email_recent")]
        verbose_name = "manage link emailed this hour"
        verbose_name_plural = "manage links emailed this hour"

    def __str__(self):
        return f"Manage link for delegate {self.delegate_id} at {self.owed_at}"


class AuditEntry(models.Model):
    """One thing done at an event, by whom, when and how: the event's audit log, as
    pretix's LogEntry. Written by `symposium.audit.log_action` in the transaction of
    what it records. What it says of a person (`delegate`, `personal`, and the object's
    words when it is theirs) goes when their registration is erased or the event's
    personal data is purged; the action, time, actor and counts (`data`) stay."""

    # No foreign-key constraints in the database: checking one takes a KEY SHARE lock on
    # the row it points to, and an entry is written while other transactions may hold
    # or wait for that event's or delegate's lock (the lock order: event, delegates,
    # sessions). Django still cascades and nulls them when those rows are deleted.
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="audit_entries", db_constraint=False
    )
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=80)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        help_text="The staff account; empty for a delegate, a partner lead or the system.",
    )
    # The account's name as it was, so the log reads the same after it is deleted.
    actor_name = models.CharField(max_length=150, blank=True)
    via = models.CharField(max_length=10)
    delegate = models.ForeignKey(
        Delegate,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    personal = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["event", "-at"], name="audit_event_at")]
        default_permissions = ("view",)
        verbose_name = "audit log entry"
        verbose_name_plural = "audit log"

    def __str__(self):
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M}"


class Team(models.Model):
    """Who works on which events, as pretix's teams: the Django permissions say what an
    account may do, its teams on which events (symposium.teams). A staff account in no
    team sees no event; a superuser sees every event."""

    name = models.CharField(max_length=100, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="event_teams"
    )
    all_events = models.BooleanField(
        default=False,
        help_text="Every event, those added later included. Otherwise only the events "
        "chosen below.",
    )
    limit_events = models.ManyToManyField(
        Event, blank=True, related_name="teams", verbose_name="events"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
