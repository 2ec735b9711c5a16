from django.db import models


class ChoiceStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    WAITLISTED = "waitlisted", "On the waitlist"


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    FAILED = "failed", "Failed"
    PREVIEW = "preview", "Preview"
    CONFIRMED = "confirmed", "Confirmed"
