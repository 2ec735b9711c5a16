from django.conf import settings
from django.db import models
from django.db.models import Q

from breakouts.models import BreakoutSession, Theme
from mailings.enums import (
    Attendance,
    InvitationCopyStatus,
    InvitationEmailKind,
    MailingKind,
    MailingStatus,
    RecipientStatus,
)
from partners.models import PersonalInvitation
from questions.models import Question
from symposium.enums import RegistrationStatus
from symposium.models import Delegate, Event, TimestampedModel


def default_statuses():
    return [RegistrationStatus.CONFIRMED.value]


class Mailing(TimestampedModel):
    """One message to an event's delegates: its text, its audience and what became of it.

    The audience is kept as defined (statuses, breakouts, sectors, organisations,
    answers to a question, attendance) and, once sending starts, fixed as one `Recipient`
    row per delegate.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="mailings")
    kind = models.CharField(
        max_length=30, choices=MailingKind.choices, default=MailingKind.MESSAGE, editable=False
    )
    subject = models.CharField(max_length=200)
    body = models.TextField(
        help_text="Plain text; a blank line starts a new paragraph. The HTML version is made "
        "from it."
    )
    statuses = models.JSONField(default=default_statuses, blank=True)
    sessions = models.ManyToManyField(
        BreakoutSession,
        blank=True,
        related_name="+",
        verbose_name="breakout sessions",
        help_text="Only delegates with a place in one of these sessions (or themes below).",
    )
    themes = models.ManyToManyField(
        Theme,
        blank=True,
        related_name="+",
        help_text="Only delegates with a place in a session of one of these themes.",
    )
    sectors = models.JSONField(default=list, blank=True)
    organisations = models.TextField(
        blank=True,
        help_text="Only delegates of these organisations: one per line, any case.",
    )
    # "Answered X to question Q": any of the answers named. A question deleted since
    # leaves the answers without it: the filter then matches nobody (mailings.selectors).
    answer_question = models.ForeignKey(
        Question,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="answered to the question",
        help_text="Only delegates who gave one of the answers below to this question.",
    )
    answers = models.TextField(
        "any of these answers",
        blank=True,
        default="",
        db_default="",  # The release before this one inserts mailings without it.
        help_text="One per line, any case: Yes or No, an option of a choice question as "
        "written, a number, a date like 27/03/2027, or the exact text.",
    )
    attendance = models.CharField(
        max_length=20,
        choices=Attendance.choices,
        default=Attendance.ANY,
        help_text="Once the event has started: whether the delegate checked in at the desk "
        "(an undone check-in does not count).",
    )
    include_check_in = models.BooleanField(
        "include the check-in code and calendar",
        default=False,
        help_text="Each confirmed delegate's copy shows their check-in QR code and code, and "
        "has their day attached as a calendar file (.ics). Others' copies have neither.",
    )
    is_enabled = models.BooleanField(
        default=True, help_text="Automatic messages only: send it when it is due."
    )
    days_before = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Joining instructions: how many days before the event they are sent.",
    )
    status = models.CharField(
        max_length=20, choices=MailingStatus.choices, default=MailingStatus.DRAFT, editable=False
    )
    send_at = models.DateTimeField(null=True, blank=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Kept when the recipients are purged with the event's personal data.
    total = models.PositiveIntegerField(default=0, editable=False)
    queued = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("email_delegates", "Can email delegates")]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "kind"],
                condition=~Q(kind=MailingKind.MESSAGE),
                name="one_automatic_mailing_of_each_kind_per_event",
            )
        ]
        indexes = [models.Index(fields=["status", "send_at"])]

    def __str__(self):
        return self.subject

    @property
    def is_automatic(self):
        return self.kind != MailingKind.MESSAGE

    def organisation_list(self) -> list[str]:
        return [line.strip() for line in self.organisations.splitlines() if line.strip()]


class Recipient(models.Model):
    """One delegate's copy of a mailing. Unique per mailing and delegate: whatever
    happens to a send (a crash, two schedulers), a delegate is queued one message."""

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="recipients")
    # An erased registration takes its row with it.
    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=20, choices=RecipientStatus.choices, default=RecipientStatus.PENDING
    )
    queued_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "delegate"], name="one_copy_of_a_mailing_per_delegate"
            )
        ]
        indexes = [models.Index(fields=["mailing", "status"])]

    def __str__(self):
        return f"{self.mailing} to delegate {self.delegate_id}"


class InvitationRun(TimestampedModel):
    """One sending of personal invitations (partners.PersonalInvitation) of an event, or
    of a reminder to those who have not answered: its audience fixed when it starts, as
    one `InvitationCopy` per invitee, so each gets one email per run whatever happens."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitation_runs")
    kind = models.CharField(max_length=20, choices=InvitationEmailKind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    total = models.PositiveIntegerField(default=0)
    queued = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.total} people"


class InvitationCopy(models.Model):
    run = models.ForeignKey(InvitationRun, on_delete=models.CASCADE, related_name="copies")
    invitation = models.ForeignKey(PersonalInvitation, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=20, choices=InvitationCopyStatus.choices, default=InvitationCopyStatus.PENDING
    )
    queued_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "invitation copies"
        constraints = [
            models.UniqueConstraint(
                fields=["run", "invitation"], name="one_copy_of_a_run_per_invitation"
            )
        ]
        indexes = [models.Index(fields=["run", "status"])]

    def __str__(self):
        return f"{self.run} to invitation {self.invitation_id}"
