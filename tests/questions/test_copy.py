"""Copying an event copies its questions, options and conditions, not the answers."""

import datetime as dt

import pytest
from django.urls import reverse

from questions.models import Answer, Question
from tests.factories import DelegateFactory
from tests.questions.factories import AnswerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_copying_an_event_copies_its_questions_but_no_answer(organiser_client, asked):
    event = asked.event
    AnswerFactory(delegate=DelegateFactory(event=event), question=asked.badge, value="Ana")
    sub_role = Question.objects.create(
        event=event,
        order=5,
        label="Which clinical area?",
        depends_on=asked.role,
        depends_on_values=[asked.option(asked.role, "Clinical")],
    )
    response = organiser_client.post(
        reverse("admin:console-copy-event", args=[event.pk]),
        {
            "name": "Next year",
            "slug": "next-year",
            "starts_on": (event.starts_on + dt.timedelta(days=364)).isoformat(),
        },
    )
    assert response.status_code == 302
    copied = list(Question.objects.filter(event__slug="next-year").order_by("order", "pk"))
    originals = list(Question.objects.filter(event=event).order_by("order", "pk"))
    fields = ["order", "label", "help_text", "kind", "required", "sensitive", "show_at_desk"]
    assert [[getattr(q, f) for f in fields] for q in copied] == [
        [getattr(q, f) for f in fields] for q in originals
    ]
    by_label = {question.label: question for question in copied}
    role = by_label["Your role"]
    assert [o.label for o in role.options.all()] == ["Clinical", "Managerial", "Other"]
    car = by_label["Your car's registration number"]
    assert (car.depends_on, car.depends_on_values) == (
        by_label["Will you drive to the venue?"],
        ["yes"],
    )
    clinical = by_label[sub_role.label]
    assert clinical.depends_on == role
    assert clinical.depends_on_values == [str(role.options.get(label="Clinical").pk)]
    assert by_label["How many colleagues will you bring?"].max_value == 20
    assert not Answer.objects.filter(question__event__slug="next-year").exists()
    assert Answer.objects.filter(question__event=event).count() == 1
