"""Factories for registration questions (issue 24, part 1)."""

import factory

from questions.enums import QuestionKind
from questions.models import Answer, Question, QuestionOption
from tests.factories import DelegateFactory, EventFactory


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    event = factory.SubFactory(EventFactory)
    order = factory.Sequence(lambda n: n)
    label = factory.Sequence(lambda n: f"Question {n}")
    kind = QuestionKind.SHORT_TEXT


class QuestionOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionOption

    question = factory.SubFactory(QuestionFactory, kind=QuestionKind.ONE_CHOICE)
    label = factory.Sequence(lambda n: f"Option {n}")
    order = factory.Sequence(lambda n: n)


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer
        skip_postgeneration_save = True

    delegate = factory.SubFactory(DelegateFactory)
    question = factory.SubFactory(QuestionFactory)
    value = "An answer"

    @factory.post_generation
    def options(answer, create, extracted, **kwargs):
        if create and extracted:
            answer.options.set(extracted)


def choice_question(event, label, *options, kind=QuestionKind.ONE_CHOICE, **kwargs):
    question = QuestionFactory(event=event, label=label, kind=kind, **kwargs)
    for order, option in enumerate(options):
        QuestionOptionFactory(question=question, label=option, order=order)
    return question


def option(question, label):
    return question.options.get(label=label)
