from django.db import models


class QuestionKind(models.TextChoices):
    SHORT_TEXT = "short_text", "Short text (one line)"
    LONG_TEXT = "long_text", "Long text (a paragraph)"
    YES_NO = "yes_no", "Yes or no"
    ONE_CHOICE = "one_choice", "One choice from a list"
    SEVERAL_CHOICES = "several_choices", "Several choices from a list"
    NUMBER = "number", "Number"
    DATE = "date", "Date"


CHOICE_KINDS = (QuestionKind.ONE_CHOICE, QuestionKind.SEVERAL_CHOICES)
# The kinds another question can depend on: their answers are from a fixed list.
CONDITION_KINDS = (QuestionKind.YES_NO, *CHOICE_KINDS)
YES, NO = "yes", "no"
YES_NO_LABELS = {YES: "Yes", NO: "No"}
