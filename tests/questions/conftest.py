import pytest

from questions.enums import QuestionKind
from tests.factories import EventFactory
from tests.questions.factories import QuestionFactory, choice_question


class Asked:
    """An event asking one question of every kind, one asked only after "Yes", and a
    sensitive one."""

    def __init__(self):
        self.event = event = EventFactory(name="Kent and Medway ICS symposium", slug="kent-medway")
        self.badge = QuestionFactory(
            event=event,
            order=1,
            label="Name for your badge",
            required=True,
            help_text="As you want it printed.",
        )
        self.hopes = QuestionFactory(
            event=event,
            order=2,
            label="What do you hope to get from the day?",
            kind=QuestionKind.LONG_TEXT,
        )
        self.driving = QuestionFactory(
            event=event,
            order=3,
            label="Will you drive to the venue?",
            kind=QuestionKind.YES_NO,
            required=True,
            show_at_desk=True,
        )
        self.car = QuestionFactory(
            event=event,
            order=4,
            label="Your car's registration number",
            required=True,
            depends_on=self.driving,
            depends_on_values=["yes"],
            show_at_desk=True,
        )
        self.role = choice_question(event, "Your role", "Clinical", "Managerial", "Other", order=5)
        self.topics = choice_question(
            event,
            "Topics you work on",
            "Prevention",
            "Housing",
            "Workforce",
            kind=QuestionKind.SEVERAL_CHOICES,
            order=6,
        )
        self.colleagues = QuestionFactory(
            event=event,
            order=7,
            label="How many colleagues will you bring?",
            kind=QuestionKind.NUMBER,
            min_value=0,
            max_value=20,
        )
        self.joined = QuestionFactory(
            event=event,
            order=8,
            label="When did you join your organisation?",
            kind=QuestionKind.DATE,
        )
        self.health = QuestionFactory(
            event=event,
            order=9,
            label="A health condition we should know about",
            kind=QuestionKind.LONG_TEXT,
            sensitive=True,
        )

    def option(self, question, label):
        return str(question.options.get(label=label).pk)


@pytest.fixture
def asked(db):
    return Asked()
