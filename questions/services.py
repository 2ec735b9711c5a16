"""Questions' rules: which an event asks, saving a delegate's answers, deleting the
sensitive ones, copying questions to another event.

Lock order as in registration.services: callers hold the delegate's row (or wrote it
in their transaction) before answers are written.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q

from questions.enums import CHOICE_KINDS, YES_NO_LABELS, QuestionKind
from questions.models import Answer, Question, QuestionOption
from symposium import page_cache
from symposium.enums import RegistrationStatus
from symposium.models import Delegate, Event


@dataclass(frozen=True)
class Given:
    """One answer as given: `value` (text, "yes"/"no", a number as text, an ISO date)
    or `option_ids` (choice questions); `consented` to storing a sensitive one."""

    question: Question
    value: str = ""
    option_ids: tuple[int, ...] = ()
    consented: bool = False

    def same_as(self, other: "Given") -> bool:
        return (self.value, self.option_ids) == (other.value, other.option_ids)


@dataclass(frozen=True)
class Answers:
    """What a form gives the registration services: the questions it asked (answers to
    any of them not in `given` are deleted) and the answers given, by question pk."""

    questions: Sequence[Question]
    given: Mapping[int, Given]


def number_text(number: Decimal) -> str:
    """12, 3.5, -0.25: no exponent, no trailing zeros."""
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


# Reads -------------------------------------------------------------------------------


def _questions(event_id: int) -> list[Question]:
    options = QuestionOption.objects.order_by("order", "pk")
    return list(
        Question.objects.filter(event_id=event_id)
        .select_related("depends_on")
        .prefetch_related(Prefetch("options", queryset=options))
        .order_by("order", "pk")
    )


def event_questions(*, event: Event, cached: bool = True) -> list[Question]:
    """The event's questions in order, with their options: kept in the page cache under
    the content version (any change to a question or option starts it anew), so a page
    of an event without questions asks the database nothing for them; `cached=False`:
    read now (two queries, or one when there are none)."""
    if not cached:
        return _questions(event.pk)
    key = f"event-questions:{event.pk}"
    questions, versions = page_cache.lookup(key)
    if questions is None:
        questions = _questions(event.pk)
        page_cache.store(key, questions, versions=versions, shows_places=False)
    return questions


def stored_answers(*, delegate: Delegate, questions: Sequence[Question]) -> dict[int, Given]:
    """The delegate's answers by question pk, in one query (none without questions)."""
    if not questions:
        return {}
    by_pk = {question.pk: question for question in questions}
    rows = (
        Answer.objects.filter(delegate=delegate)
        .values_list("question_id", "value", "consented_at", "options__pk")
        .order_by("question_id", "options__pk")
    )
    found = {}
    for question_id, value, consented_at, option_id in rows:
        question = by_pk.get(question_id)
        if question is None:
            continue
        before = found.get(question_id)
        options = before.option_ids if before else ()
        if option_id is not None:
            options = (*options, option_id)
        found[question_id] = Given(
            question=question,
            value=value,
            option_ids=options,
            consented=consented_at is not None,
        )
    return found


def answer_text(question: Question, value: str, option_labels: Sequence[str] = ()) -> str:
    """An answer as people read it: "Yes", "Vegan, Halal", "2027-03-27", "12"."""
    return kind_text(question.kind, value, option_labels)


def kind_text(kind: str, value: str, option_labels: Sequence[str] = ()) -> str:
    if kind == QuestionKind.YES_NO:
        return YES_NO_LABELS.get(value, value)
    if kind in CHOICE_KINDS:
        return ", ".join(option_labels)
    return value


def desk_answers(*, event: Event, with_sensitive: bool) -> dict[int, list[dict]]:
    """The answers to the questions shown at the check-in desk, by confirmed delegate,
    in the questions' order: [{"question": label, "answer": text}]. The sensitive ones
    only `with_sensitive` (staff who may see needs). The questions from the page cache;
    then one query, none when no question is shown at the desk."""
    shown = [
        question.pk
        for question in event_questions(event=event)
        if question.show_at_desk and (with_sensitive or not question.sensitive)
    ]
    if not shown:
        return {}
    rows = (
        Answer.objects.filter(question_id__in=shown, delegate__status=RegistrationStatus.CONFIRMED)
        .values_list(
            "delegate_id",
            "question_id",
            "question__label",
            "question__kind",
            "value",
            "options__label",
        )
        .order_by("question__order", "question_id", "options__order", "options__pk")
    )
    grouped = {}
    for delegate_id, question_id, label, kind, value, option in rows:
        entry = grouped.setdefault((delegate_id, question_id), [label, kind, value, []])
        if option is not None:
            entry[3].append(option)
    by_delegate = {}
    for (delegate_id, _), (label, kind, value, options) in grouped.items():
        by_delegate.setdefault(delegate_id, []).append(
            {"question": label, "answer": kind_text(kind, value, options)}
        )
    return by_delegate


def given_text(given: Given) -> str:
    labels = {option.pk: option.label for option in given.question.options.all()}
    return answer_text(
        given.question, given.value, [labels[pk] for pk in given.option_ids if pk in labels]
    )


# Writes ------------------------------------------------------------------------------


def save_answers(
    *, delegate: Delegate, answers: Answers | None, now: dt.datetime, new: bool = False
) -> bool:
    """Make the delegate's answers to `answers.questions` those `answers.given`: any
    other answer to them (cleared, or to a question not asked) is deleted. True if
    anything changed. `new`: the delegate row was written in this transaction, so it
    has none. None: nothing asked, nothing changed.

    The caller holds the delegate's row (or wrote it). Side effects: deletes changed
    and removed Answer rows, creates the new ones with their options (a sensitive one
    with its consent time), one query each at most."""
    if answers is None or not answers.questions:
        return False
    questions = answers.questions
    asked = {question.pk for question in questions}
    answers = {pk: given for pk, given in answers.given.items() if pk in asked}
    before = {} if new else stored_answers(delegate=delegate, questions=questions)
    gone = [
        pk for pk, given in before.items() if pk not in answers or not given.same_as(answers[pk])
    ]
    fresh = [given for pk, given in answers.items() if pk not in before or pk in gone]
    if gone:
        Answer.objects.filter(delegate=delegate, question_id__in=gone).delete()
    if fresh:
        rows = Answer.objects.bulk_create(
            [
                Answer(
                    delegate=delegate,
                    question_id=given.question.pk,
                    value=given.value,
                    consented_at=now if given.question.sensitive else None,
                    created_at=now,
                    updated_at=now,
                )
                for given in fresh
            ]
        )
        through = [
            Answer.options.through(answer_id=row.pk, questionoption_id=option_id)
            for row, given in zip(rows, fresh, strict=True)
            for option_id in given.option_ids
        ]
        if through:
            Answer.options.through.objects.bulk_create(through)
    return bool(gone or fresh)


def delete_sensitive_answers(*, delegates) -> int:
    """Deletes the answers to sensitive questions of `delegates` (a queryset or list of
    delegates or pks), as their needs are deleted. Returns how many went."""
    deleted, _ = Answer.objects.filter(delegate__in=delegates, question__sensitive=True).delete()
    return deleted


def copy_questions(*, source: Event, target: Event) -> dict[int, Question]:
    """The source event's questions and options, created again for `target`, with
    their conditions pointing at the copies. No answers. Returns the copies by the
    source question's pk.

    Side effects: creates Question and QuestionOption rows, in one transaction."""
    with transaction.atomic():
        questions = _questions(source.pk)
        copies, option_pks = {}, {}
        for question in questions:
            copy = Question.objects.create(
                event=target,
                order=question.order,
                label=question.label,
                help_text=question.help_text,
                kind=question.kind,
                required=question.required,
                sensitive=question.sensitive,
                show_at_desk=question.show_at_desk,
                min_value=question.min_value,
                max_value=question.max_value,
            )
            copies[question.pk] = copy
            for option in question.options.all():
                option_pks[str(option.pk)] = str(
                    QuestionOption.objects.create(
                        question=copy, label=option.label, order=option.order
                    ).pk
                )
        for question in questions:
            if question.depends_on_id in copies:
                copy = copies[question.pk]
                copy.depends_on = copies[question.depends_on_id]
                copy.depends_on_values = [
                    option_pks.get(value, value) for value in question.depends_on_values
                ]
                copy.save(update_fields=["depends_on", "depends_on_values", "updated_at"])
    return copies


# Audiences (mailings) ----------------------------------------------------------------

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def _as_date(word: str) -> str:
    for date_format in DATE_FORMATS:
        try:
            return dt.datetime.strptime(word, date_format).date().isoformat()
        except ValueError:
            continue
    raise ValidationError(f"“{word}” is not a date: write it like 27/03/2027.")


def _as_number(word: str) -> str:
    try:
        return number_text(Decimal(word))
    except (InvalidOperation, ValueError):
        raise ValidationError(f"“{word}” is not a number: write it like 12 or 3.5.") from None


def answer_words(question: Question, words: Sequence[str]) -> tuple[list[str], list[int]]:
    """What `words` (answers as people write them, any case) mean as answers to the
    question: (stored values, option pks). Raises ValidationError naming a word that
    is no answer to it."""
    words = [word.strip() for word in words if word.strip()]
    if question.kind == QuestionKind.YES_NO:
        values = [word.casefold() for word in words]
        wrong = [word for word in words if word.casefold() not in YES_NO_LABELS]
        if wrong:
            raise ValidationError(
                f"“{wrong[0]}” is not an answer to “{question}”: write Yes or No."
            )
        return values, []
    if question.has_options:
        options = {option.label.casefold(): option.pk for option in question.options.all()}
        wrong = [word for word in words if word.casefold() not in options]
        if wrong:
            listed = ", ".join(option.label for option in question.options.all())
            raise ValidationError(
                f"“{wrong[0]}” is not an answer to “{question}”: its answers are {listed}."
            )
        return [], [options[word.casefold()] for word in words]
    if question.kind == QuestionKind.NUMBER:
        return [_as_number(word) for word in words], []
    if question.kind == QuestionKind.DATE:
        return [_as_date(word) for word in words], []
    return words, []


def delegates_who_answered(question: Question, words: Sequence[str]):
    """The pks (a subquery) of delegates who gave any of these answers to the question:
    a text answer in any case, a choice among those named."""
    values, option_pks = answer_words(question, words)
    answers = Answer.objects.filter(question=question)
    if option_pks:
        answers = answers.filter(options__in=option_pks)
    elif question.kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
        any_of = Q(pk__in=[])
        for value in values:
            any_of |= Q(value__iexact=value)
        answers = answers.filter(any_of)
    else:
        answers = answers.filter(value__in=values)
    return answers.values("delegate_id")
