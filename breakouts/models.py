from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from breakouts.enums import ChoiceStatus, RunStatus
from symposium.enums import AgendaKind
from symposium.models import AgendaItem, Delegate, Event, Room, TimestampedModel


class Theme(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="themes")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["event", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "number"], name="theme_number_unique_per_event"
            )
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"


class BreakoutSession(TimestampedModel):
    """A theme's discussion group in one breakout round, in one room, for so many people."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="sessions")
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.CASCADE,
        related_name="breakout_sessions",
        limit_choices_to={"kind": AgendaKind.BREAKOUT_ROUND},
        verbose_name="breakout round",
    )
    # RESTRICT: a room in use stays, unless its event (and so this session) goes too.
    room = models.ForeignKey(
        Room, on_delete=models.RESTRICT, null=True, blank=True, related_name="breakout_sessions"
    )
    capacity = models.PositiveIntegerField()
    facilitator = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["agenda_item__starts_at", "theme__number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agenda_item", "room"],
                condition=Q(room__isnull=False),
                name="one_breakout_per_room_per_round",
                violation_error_message="Another breakout already uses this room in this round.",
            ),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="breakout_capacity_positive"),
        ]

    def __str__(self):
        return f"{self.theme.title} ({self.agenda_item.title})"

    def clean(self):
        super().clean()
        item = self.agenda_item if self.agenda_item_id else None
        if item is None:
            return
        if item.kind != AgendaKind.BREAKOUT_ROUND:
            raise ValidationError(
                {"agenda_item": "Choose an agenda item that is a breakout round."}
            )
        if self.theme_id and self.theme.event_id != item.event_id:
            raise ValidationError(
                {"theme": "The theme and the breakout round must be one event's."}
            )
        if self.room_id and self.room.event_id != item.event_id:
            raise ValidationError({"room": "Choose a room at this event."})


class BreakoutChoice(TimestampedModel):
    """A delegate's place, or place in the queue, in one session of one round.

    The round is copied from the session so the database can forbid two places, or two
    queue entries, in the same round. Waitlist order is the order of `created_at`, then
    `pk`. A delegate moving from a place to a full session may keep the place until the
    new session has room: the queued choice then `replaces` the place (a swap).
    """

    delegate = models.ForeignKey(
        Delegate, on_delete=models.CASCADE, related_name="breakout_choices"
    )
    session = models.ForeignKey(BreakoutSession, on_delete=models.CASCADE, related_name="choices")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="+", editable=False
    )
    status = models.CharField(max_length=20, choices=ChoiceStatus.choices)
    # Deleting the place (an organiser's doing) leaves the queued choice as an ordinary one.
    replaces = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="swap",
        help_text="The place in this round the delegate keeps until this choice gets one.",
    )

    class Meta:
        ordering = ["agenda_item__starts_at", "pk"]
        constraints = [
            # Status is in the key, not `replaces IS NULL` as a condition: Django's
            # SET_NULL clears `replaces` before it deletes the place, and for that moment
            # both rows would be unlinked in one round.
            models.UniqueConstraint(
                fields=["delegate", "agenda_item", "status"],
                name="one_breakout_choice_per_round_and_status",
                violation_error_message="The delegate already has a breakout in this round.",
            ),
            models.CheckConstraint(
                condition=Q(replaces__isnull=True) | Q(status=ChoiceStatus.WAITLISTED),
                name="breakout_swap_is_queued",
            ),
        ]
        indexes = [models.Index(fields=["session", "status", "created_at"])]

    def __str__(self):
        return f"{self.delegate.full_name}: {self.session} ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        self.agenda_item_id = self.session.agenda_item_id
        super().save(*args, **kwargs)


MAX_RANK = 3


class BreakoutPreference(TimestampedModel):
    """A delegate's first, second or third choice of session in one round, for events
    whose places are allocated (`Event.breakout_allocation`), not first come, first served.
    The round is copied from the session, as for BreakoutChoice."""

    delegate = models.ForeignKey(
        Delegate, on_delete=models.CASCADE, related_name="breakout_preferences"
    )
    session = models.ForeignKey(
        BreakoutSession, on_delete=models.CASCADE, related_name="preferences"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="+", editable=False
    )
    rank = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RANK)]
    )

    class Meta:
        ordering = ["agenda_item__starts_at", "agenda_item", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["delegate", "agenda_item", "rank"],
                name="one_preference_per_rank_per_round",
                violation_error_message="The delegate already has a choice of this rank here.",
            ),
            models.UniqueConstraint(
                fields=["delegate", "session"],
                name="one_preference_per_session",
                violation_error_message="The delegate has already ranked this session.",
            ),
            models.CheckConstraint(
                condition=Q(rank__gte=1, rank__lte=MAX_RANK), name="preference_rank_1_to_3"
            ),
        ]

    def __str__(self):
        return f"{self.delegate.full_name}: choice {self.rank}, {self.session}"

    def save(self, *args, **kwargs):
        self.agenda_item_id = self.session.agenda_item_id
        super().save(*args, **kwargs)


class AllocationRun(models.Model):
    """One run of the allocation for an event: its settings and seed, the places it
    gives (`places`: {delegate pk: [session pk, ...]}) and its figures (`report`).
    A preview until an organiser confirms it; confirming writes the places."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="allocation_runs")
    status = models.CharField(
        max_length=20, choices=RunStatus.choices, default=RunStatus.PREVIEW, editable=False
    )
    max_sector_share = models.PositiveSmallIntegerField(
        "largest share of one sector in a group (%)",
        null=True,
        blank=True,
        default=40,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="For example 40: no sector makes up more than 40 % of a group. Blank: no limit.",
    )
    min_sectors = models.PositiveSmallIntegerField(
        "least number of sectors in a group",
        null=True,
        blank=True,
        default=3,
        validators=[MinValueValidator(1)],
        help_text="Blank: no minimum.",
    )
    max_colleagues = models.PositiveSmallIntegerField(
        "most colleagues of one organisation in a group",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Spreads an organisation's people across groups. Blank: no limit.",
    )
    strict_sector_share = models.BooleanField(
        "strict: the sector share may leave people out",
        default=False,
        help_text="Off: everyone the seats allow gets a place first, and the share is met as "
        "far as it can be. On: nobody is placed where the share would be broken.",
    )
    strict_min_sectors = models.BooleanField(
        "strict: the number of sectors may leave people out", default=False
    )
    strict_colleagues = models.BooleanField(
        "strict: the colleagues limit may leave people out", default=False
    )
    allow_unranked = models.BooleanField(
        "mixing may move people to groups they did not rank",
        default=False,
        help_text="Off: nobody goes to a group they did not rank while one they ranked has room.",
    )
    time_limit = models.PositiveSmallIntegerField(
        "solver time limit (seconds)",
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text="If the solver stops at the limit, the report says how close to the best "
        "allocation its answer is.",
    )
    seed = models.PositiveIntegerField(
        default=1, help_text="Breaks ties: the same delegates and seed give the same allocation."
    )
    # {delegate pk: {round pk: {"session": pk or None, "outcome": ..., "reason": ...}}}
    places = models.JSONField(default=dict, editable=False)
    # What the preview was computed from, {key: digest} (see allocation_services.inputs):
    # confirming recomputes it under lock and refuses if anything differs.
    inputs = models.JSONField(default=dict, editable=False)
    progress = models.PositiveSmallIntegerField(default=0, editable=False)  # per cent
    progress_text = models.CharField(max_length=200, blank=True, editable=False)
    report = models.JSONField(default=dict, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(null=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event"],
                condition=Q(status=RunStatus.CONFIRMED),
                name="one_confirmed_allocation_per_event",
                violation_error_message="This event's places have already been allocated.",
            )
        ]

    def __str__(self):
        return f"{self.event.name}: allocation of {self.created_at:%d %b %Y %H:%M}"
