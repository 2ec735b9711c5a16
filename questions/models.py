"""An event's own registration questions, their options and each delegate's answers."""

from django.core.exceptions import ValidationError
from django.db import models

from questions.enums import CHOICE_KINDS, CONDITION_KINDS, QuestionKind
from symposium.models import Delegate, Event, TimestampedModel
from symposium.validators import one_line, plain_text


class Question(TimestampedModel):
    """One question the register and manage forms ask, in `order`.

    `depends_on` and `depends_on_values`: asked only when the delegate gave one of
    those answers to that earlier question (its form values: "yes"/"no", or option
    pks as text). `sensitive`: special category data (health, religion…), asked with
    a consent box of its own, never required, and deleted with the needs (on
    cancelling, and by the purge)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Questions are asked from the lowest number up."
    )
    label = models.CharField("question", max_length=200, validators=[one_line("The question")])
    help_text = models.CharField(
        max_length=300,
        blank=True,
        validators=[one_line("The help text")],
        help_text="Shown under the question, e.g. what the answer is used for.",
    )
    kind = models.CharField(
        "type of answer",
        max_length=20,
        choices=QuestionKind.choices,
        default=QuestionKind.SHORT_TEXT,
    )
    required = models.BooleanField(
        default=False,
        help_text="Delegates must answer it (when it is asked). Sensitive questions cannot be "
        "required.",
    )
    sensitive = models.BooleanField(
        "sensitive (special category data)",
        default=False,
        help_text="Health, disability, religion, ethnicity and the like: asked with its own "
        "consent box, shown only to staff who may see needs, and deleted with the dietary "
        "and access needs (on cancelling, and after the event).",
    )
    show_at_desk = models.BooleanField(
        "show at the check-in desk", default=False, help_text="The desk shows the answer."
    )
    min_value = models.DecimalField(
        "smallest number", max_digits=12, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        "largest number", max_digits=12, decimal_places=2, null=True, blank=True
    )
    depends_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dependents",
        verbose_name="ask only if the answer to",
    )
    depends_on_values = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["event", "order", "pk"]

    def __str__(self):
        return self.label

    @property
    def field_name(self) -> str:
        return f"question_{self.pk}"

    @property
    def has_options(self) -> bool:
        return self.kind in CHOICE_KINDS

    def clean(self):
        errors = {}
        if self.sensitive and self.required:
            errors["required"] = (
                "A sensitive question cannot be required: delegates answer it only if they "
                "agree to us storing the answer."
            )
        if self.kind != QuestionKind.NUMBER and (
            self.min_value is not None or self.max_value is not None
        ):
            errors["min_value"] = "Only number questions have a smallest or largest number."
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            errors["max_value"] = "The largest number must not be smaller than the smallest."
        parent = self.depends_on
        if parent is not None:
            if parent.event_id != self.event_id:
                errors["depends_on"] = "Choose a question of the same event."
            elif parent.kind not in CONDITION_KINDS:
                errors["depends_on"] = (
                    "A question can depend only on a yes-or-no or choice question."
                )
            elif parent.pk == self.pk or (parent.order, parent.pk or 0) >= (
                self.order,
                self.pk or 2**31,
            ):
                errors["depends_on"] = "A question can depend only on a question asked before it."
            elif not self.depends_on_values:
                errors["depends_on"] = "Choose the answers that make this question asked."
        if errors:
            raise ValidationError(errors)


class QuestionOption(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    label = models.CharField("option", max_length=200, validators=[one_line("The option")])
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["question", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "label"], name="question_option_labels_unique"
            )
        ]

    def __str__(self):
        return self.label


class Answer(TimestampedModel):
    """A delegate's answer to one question: `value` for text, yes/no ("yes", "no"), a
    number (as text, e.g. "3.5") or a date (ISO, "2027-03-27"); `options` for the
    choice questions. `consented_at`: when they agreed to us storing the answer to a
    sensitive question."""

    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.TextField(blank=True, validators=[plain_text("The answer")])
    options = models.ManyToManyField(QuestionOption, blank=True, related_name="answers")
    consented_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["delegate", "question"], name="one_answer_per_question_per_delegate"
            )
        ]

    def __str__(self):
        return f"Answer to {self.question}"
