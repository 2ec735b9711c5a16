"""What each breakout session concluded: key points, actions with an owner organisation
and a due date, and pledges; recorded by its facilitator through a signed link,
reviewed and published by organisers, actions followed up afterwards."""

from django.conf import settings
from django.db import models

from breakouts.models import BreakoutSession
from partners.models import Organisation
from symposium.models import TimestampedModel, new_access_key


class OutcomeStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    PUBLISHED = "published", "Published"


class SessionOutcome(TimestampedModel):
    session = models.OneToOneField(
        BreakoutSession, on_delete=models.CASCADE, related_name="outcome"
    )
    key_points = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=OutcomeStatus.choices, default=OutcomeStatus.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The facilitator's signed link (outcomes.tokens) goes to this address; the session's
    # `facilitator` keeps their name. Personal data: emptied with the event's.
    facilitator_email = models.EmailField(
        "facilitator's email",
        max_length=254,
        blank=True,
        help_text="Where their link to record this session's outcomes is sent.",
    )
    # A new key ends every link sent so far ("Revoke facilitator links").
    access_key = models.CharField(max_length=64, default=new_access_key, editable=False)
    link_sent_at = models.DateTimeField("link last emailed", null=True, blank=True, editable=False)

    class Meta:
        ordering = ["session__agenda_item__starts_at", "session__theme__number", "pk"]
        permissions = [("publish_sessionoutcome", "Can publish outcomes")]

    def __str__(self):
        return f"Outcomes of {self.session}"

    @property
    def is_published(self) -> bool:
        return self.status == OutcomeStatus.PUBLISHED


class ActionStatus(models.TextChoices):
    OPEN = "open", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class OwnedByOrganisation(models.Model):
    """An action or pledge belongs to an organisation: from the partner directory when it
    is there, else as typed. It is named in public only if the organisation agreed."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    organisation_name = models.CharField(max_length=200, blank=True)
    may_name_organisation = models.BooleanField(
        "the organisation agreed to be named in public", default=False
    )

    class Meta:
        abstract = True

    @property
    def owner_name(self) -> str:
        return self.organisation.name if self.organisation_id else self.organisation_name


class Action(OwnedByOrganisation, TimestampedModel):
    outcome = models.ForeignKey(SessionOutcome, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    status_on = models.DateField(null=True, blank=True, help_text="When the status last changed.")
    status_note = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.description[:80]


class Pledge(OwnedByOrganisation, TimestampedModel):
    outcome = models.ForeignKey(SessionOutcome, on_delete=models.CASCADE, related_name="pledges")
    text = models.TextField()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.text[:80]
