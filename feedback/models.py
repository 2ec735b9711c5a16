"""The feedback survey sent after the event to those who attended: one response per
delegate, through a signed link, with a closing date; in anonymous mode nothing links a
response to a person."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from breakouts.models import BreakoutSession
from speakers.models import Presentation
from symposium.models import AgendaItem, Delegate, Event, TimestampedModel

SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class Survey(TimestampedModel):
    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="survey")
    is_anonymous = models.BooleanField(
        "anonymous",
        default=False,
        help_text="Nothing links a response to the delegate who gave it. Cannot be changed "
        "once the survey is sent.",
    )
    intro = models.TextField(blank=True, help_text="Shown at the top of the survey.")
    closes_on = models.DateField(help_text="The last day a response is accepted.")
    # Set once, by the one send that wins (a conditional UPDATE), so the survey goes out once.
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self):
        return f"Feedback on {self.event}"


class SurveyInvitation(models.Model):
    """A delegate asked for feedback: their signed link's row. It records that they
    answered (answered_at), never which response is theirs."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    delegate = models.ForeignKey(
        Delegate, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "delegate"], name="one_survey_link_each")
        ]

    def __str__(self):
        return f"Survey link of delegate {self.delegate_id}"


class Response(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    # Always empty in anonymous mode; otherwise who answered (one response each).
    delegate = models.OneToOneField(
        Delegate, on_delete=models.SET_NULL, null=True, blank=True, related_name="survey_response"
    )
    # A day, not a time: in anonymous mode a timestamp could be matched to a link's use.
    submitted_on = models.DateField()
    overall = models.PositiveSmallIntegerField(null=True, blank=True, validators=SCORE)
    comments = models.TextField(blank=True)
    do_differently = models.TextField("what I will do differently", blank=True)
    # The organiser picks the quotes the report may show.
    comments_quoted = models.BooleanField(default=False)
    do_differently_quoted = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"Response {self.pk}"


class Rating(models.Model):
    """A score from 1 to 5 for one plenary or other agenda item, presentation or breakout
    session the delegate attended."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="ratings")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    presentation = models.ForeignKey(
        Presentation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    breakout_session = models.ForeignKey(
        BreakoutSession, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    score = models.PositiveSmallIntegerField(validators=SCORE)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(agenda_item__isnull=False, presentation=None, breakout_session=None)
                    | Q(agenda_item=None, presentation__isnull=False, breakout_session=None)
                    | Q(agenda_item=None, presentation=None, breakout_session__isnull=False)
                ),
                name="rating_rates_one_thing",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.score}/5"
