from django.db import models


class MailingKind(models.TextChoices):
    MESSAGE = "message", "Message from the organisers"
    JOINING_INSTRUCTIONS = "joining_instructions", "Joining instructions (automatic)"
    THANK_YOU = "thank_you", "Thank you (automatic)"
    MISSED_YOU = "missed_you", "Sorry we missed you (automatic)"


class MailingStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"


class RecipientStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be queued"
    QUEUED = "queued", "Queued for sending"
    FAILED = "failed", "Could not be built"


class Attendance(models.TextChoices):
    ANY = "any", "Attended or not"
    ATTENDED = "attended", "Attended (checked in)"
    ABSENT = "absent", "Did not attend (not checked in)"


class InvitationEmailKind(models.TextChoices):
    INVITATION = "invitation", "Invitation"
    REMINDER = "reminder", "Reminder to those who have not answered"


class InvitationCopyStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be queued"
    QUEUED = "queued", "Queued for sending"
    FAILED = "failed", "Could not be built"
    SKIPPED = "skipped", "Answered before it was sent"
