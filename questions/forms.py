"""The questions as form fields: built for the register and manage forms, cleaned into
the answers to save (`questions.services.save_answers`).

A question whose condition is not met (`depends_on`, worked out from the answers
given, in order) is not asked: not required, its answer ignored and not saved. The
page hides it as the answers change (static/js/questions.js); without scripts it is
shown with a note saying when to answer it.
"""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from crispy_forms.layout import Div
from django import forms

from questions.enums import NO, YES, YES_NO_LABELS, QuestionKind
from questions.models import Question
from questions.services import Given, number_text
from symposium.validators import one_line, plain_text

SHORT_MAX, LONG_MAX = 200, 2000
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]


class IsoDateInput(forms.DateInput):
    """<input type=date>: its value must be ISO (2027-03-27) for a browser to show it."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def consent_name(question: Question) -> str:
    return f"{question.field_name}_consent"


def condition_note(question: Question, labels: dict[str, str]) -> str:
    parent = question.depends_on
    answers = " or ".join(f"“{labels.get(value, value)}”" for value in question.depends_on_values)
    return f"Answer this only if you answered {answers} to “{parent.label}”."


def option_labels(questions: Sequence[Question]) -> dict[str, str]:
    """Every form value of the questions' options, with its label."""
    labels = dict(YES_NO_LABELS)
    for question in questions:
        labels |= {str(option.pk): option.label for option in question.options.all()}
    return labels


def question_field(question: Question) -> forms.Field:
    """The form field that asks `question`; never required by itself (`clean_answers`
    decides, once it knows whether the question is asked)."""
    kind = question.kind
    # The register page says: all questions must be answered unless they say they are
    # optional. (A required question asked only after an answer is required only then.)
    label = question.label if question.required else f"{question.label} (optional)"
    common = {"label": label, "required": False, "help_text": question.help_text}
    if kind == QuestionKind.SHORT_TEXT:
        return forms.CharField(
            max_length=SHORT_MAX,
            validators=[one_line("Your answer")],
            error_messages={"max_length": f"Your answer must be {SHORT_MAX} characters or fewer"},
            **common,
        )
    if kind == QuestionKind.LONG_TEXT:
        return forms.CharField(
            max_length=LONG_MAX,
            widget=forms.Textarea(attrs={"rows": 3}),
            validators=[plain_text("Your answer")],
            error_messages={"max_length": f"Your answer must be {LONG_MAX:,} characters or fewer"},
            **common,
        )
    if kind == QuestionKind.YES_NO:
        return forms.ChoiceField(
            choices=[(YES, "Yes"), (NO, "No")],
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": "Choose yes or no"},
            **common,
        )
    options = [(str(option.pk), option.label) for option in question.options.all()]
    if kind == QuestionKind.ONE_CHOICE:
        return forms.ChoiceField(
            choices=options,
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": "Choose one of the answers listed"},
            **common,
        )
    if kind == QuestionKind.SEVERAL_CHOICES:
        return forms.MultipleChoiceField(
            choices=options,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": "Choose from the answers listed"},
            **common,
        )
    if kind == QuestionKind.NUMBER:
        low, high = question.min_value, question.max_value
        between = _range_text(low, high)
        return forms.DecimalField(
            max_digits=12,
            decimal_places=2,
            min_value=low,
            max_value=high,
            widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
            error_messages={
                "invalid": f"Enter a number, like 12 or 3.5{between}",
                "min_value": f"Enter a number{between}",
                "max_value": f"Enter a number{between}",
                "max_digits": "Enter a smaller number",
                "max_decimal_places": "Enter a number with at most 2 decimal places",
                "max_whole_digits": "Enter a smaller number",
            },
            **common,
        )
    if kind == QuestionKind.DATE:
        return forms.DateField(
            input_formats=DATE_INPUT_FORMATS,
            widget=IsoDateInput,
            error_messages={"invalid": "Enter a real date, like 27/03/2027"},
            **common,
        )
    raise ValueError(f"{kind}: no field for this kind of question")


def _range_text(low, high) -> str:
    if low is not None and high is not None:
        return f" from {number_text(low)} to {number_text(high)}"
    if low is not None:
        return f" of {number_text(low)} or more"
    if high is not None:
        return f" of {number_text(high)} or less"
    return ""


def consent_field(question: Question, *, retention_days: int) -> forms.BooleanField:
    return forms.BooleanField(
        required=False,
        label=f"I agree to you storing my answer to “{question.label}”",
        help_text="Optional: this is sensitive information. We use it only to run the event "
        f"and delete it {retention_days} days after the event, or when you cancel. Leave "
        "the box unticked and we store nothing.",
    )


def add_fields(form: forms.Form, questions: Sequence[Question]) -> list:
    """Adds each question's field (and a sensitive one's consent box before it) to
    `form`; returns the layout items asking them, one Div each, carrying its
    condition for static/js/questions.js."""
    labels = option_labels(questions)
    items = []
    for question in questions:
        field = question_field(question)
        attrs = {}
        if question.depends_on_id:
            note = condition_note(question, labels)
            field.help_text = f"{field.help_text} {note}".strip()
            attrs = {
                "data_depends_on": question.depends_on.field_name,
                "data_depends_values": " ".join(question.depends_on_values),
            }
        names = [question.field_name]
        form.fields[question.field_name] = field
        if question.sensitive:
            form.fields[consent_name(question)] = consent_field(
                question, retention_days=form.event.retention_days
            )
            names.insert(0, consent_name(question))
        items.append(Div(*names, css_class="question", **attrs))
    return items


def form_value(given) -> list[str]:
    """The form values (as text) of a cleaned answer, for conditions."""
    if given in (None, ""):
        return []
    if isinstance(given, list | tuple):
        return [str(value) for value in given]
    return [str(given)]


def is_asked(question: Question, values: dict[int, list[str]], asked: dict[int, bool]) -> bool:
    """Asked if it has no condition, or its question is asked and was given one of the
    values. Questions depend only on earlier ones, so `asked` already knows them."""
    if not question.depends_on_id:
        return True
    if not asked.get(question.depends_on_id, False):
        return False
    return bool(set(values.get(question.depends_on_id, ())) & set(question.depends_on_values))


def required_message(question: Question) -> str:
    if question.kind == QuestionKind.YES_NO:
        return f"Choose yes or no for “{question.label}”"
    if question.kind in (QuestionKind.ONE_CHOICE, QuestionKind.SEVERAL_CHOICES):
        return f"Choose an answer to “{question.label}”"
    return f"Answer “{question.label}”"


def clean_answers(
    form: forms.Form, questions: Sequence[Question], *, stored_consents=frozenset()
) -> dict[int, Given]:
    """The answers to save, by question pk: those asked and answered (a sensitive one
    only with its consent). Adds errors to `form`: a required question asked and not
    answered; a sensitive answer without its consent, unless consent was given before
    (`stored_consents`, question pks): then unticking withdraws it, not an error."""
    data = form.cleaned_data
    values, asked, answers = {}, {}, {}
    for question in questions:
        name = question.field_name
        if name not in data:  # Refused by its field: the error is there already.
            asked[question.pk] = is_asked(question, values, asked)
            continue
        given = data[name]
        values[question.pk] = form_value(given)
        asked[question.pk] = is_asked(question, values, asked)
        if not asked[question.pk]:
            continue
        answered = bool(values[question.pk])
        if not answered:
            if question.required:
                form.add_error(name, required_message(question))
            continue
        consented = False
        if question.sensitive:
            consented = bool(data.get(consent_name(question)))
            if not consented:
                if question.pk not in stored_consents:
                    form.add_error(
                        consent_name(question),
                        f"Tick this box if you want us to store your answer to "
                        f"“{question.label}”, or clear your answer",
                    )
                continue
        answers[question.pk] = _given(question, given, consented)
    return answers


def _given(question: Question, value, consented: bool) -> Given:
    if question.kind in (QuestionKind.ONE_CHOICE, QuestionKind.SEVERAL_CHOICES):
        return Given(
            question=question,
            option_ids=tuple(sorted(int(pk) for pk in form_value(value))),
            consented=consented,
        )
    if isinstance(value, Decimal):
        text = number_text(value)
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = value
    return Given(question=question, value=text, consented=consented)


def initial_values(questions: Sequence[Question], answers: dict) -> dict:
    """The form's initial values from stored answers ({question pk: Given})."""
    initial = {}
    for question in questions:
        given = answers.get(question.pk)
        if given is None:
            continue
        name, kind = question.field_name, question.kind
        if kind == QuestionKind.SEVERAL_CHOICES:
            initial[name] = [str(pk) for pk in given.option_ids]
        elif kind == QuestionKind.ONE_CHOICE:
            initial[name] = str(given.option_ids[0]) if given.option_ids else ""
        elif kind == QuestionKind.NUMBER:
            initial[name] = Decimal(given.value)
        elif kind == QuestionKind.DATE:
            initial[name] = dt.date.fromisoformat(given.value)
        else:
            initial[name] = given.value
        if question.sensitive:
            initial[consent_name(question)] = True
    return initial
