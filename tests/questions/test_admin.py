"""Organisers write an event's questions in the admin: options inline, a condition on an
earlier answer, and the rules a question must keep, each said by its field."""

import pytest
from django.contrib.auth.models import Group

from questions.models import Question
from tests.factories import EventFactory, UserFactory
from tests.helpers import admin_url
from tests.questions.factories import QuestionFactory, choice_question

pytestmark = pytest.mark.django_db


def question_data(event, **overrides):
    data = {
        "event": event.pk,
        "order": "5",
        "label": "Your role",
        "help_text": "",
        "kind": "one_choice",
        "min_value": "",
        "max_value": "",
        "options-TOTAL_FORMS": "3",
        "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "1000",
        "options-0-label": "Clinical",
        "options-0-order": "1",
        "options-1-label": "Managerial",
        "options-1-order": "2",
        "options-2-label": "",
        "options-2-order": "0",
    }
    return data | overrides


def test_an_organiser_adds_a_question_with_options_and_a_condition(organiser_client):
    event = EventFactory()
    driving = QuestionFactory(event=event, order=1, label="Will you drive?", kind="yes_no")
    page = organiser_client.get(admin_url(Question, "add")).content.decode()
    assert f"{event.name}: Will you drive?" in page
    response = organiser_client.post(
        admin_url(Question, "add"),
        question_data(event, ask_only_if=[f"{driving.pk}:yes"], required="on"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    question = Question.objects.get(label="Your role")
    assert [option.label for option in question.options.all()] == ["Clinical", "Managerial"]
    assert (question.depends_on, question.depends_on_values) == (driving, ["yes"])
    # Shown again as ticked, among this event's earlier questions only.
    change = organiser_client.get(admin_url(Question, "change", question.pk)).content.decode()
    assert f'value="{driving.pk}:yes"' in change
    assert "checked" in change.split(f'value="{driving.pk}:yes"')[1].split(">")[0]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"sensitive": "on", "required": "on"},
            "required",
            "A sensitive question cannot be required",
        ),
        (
            {"kind": "short_text", "min_value": "3"},
            "min_value",
            "Only number questions have a smallest or largest number.",
        ),
        (
            {"kind": "number", "min_value": "10", "max_value": "3"},
            "max_value",
            "The largest number must not be smaller than the smallest.",
        ),
    ],
)
def test_a_question_breaking_a_rule_is_refused_by_its_field(
    organiser_client, overrides, field, message
):
    event = EventFactory()
    response = organiser_client.post(admin_url(Question, "add"), question_data(event, **overrides))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field])
    assert not Question.objects.exists()


def test_a_condition_must_be_on_an_earlier_question_of_the_same_event(organiser_client):
    event, other = EventFactory(), EventFactory()
    later = QuestionFactory(event=event, order=9, label="Later", kind="yes_no")
    elsewhere = choice_question(other, "Elsewhere", "A", order=1)
    for picked, message in [
        ([f"{later.pk}:yes"], "A question can depend only on a question asked before it."),
        (
            [f"{elsewhere.pk}:{elsewhere.options.get().pk}"],
            "Choose a question of the same event.",
        ),
        (
            [f"{later.pk}:yes", f"{elsewhere.pk}:{elsewhere.options.get().pk}"],
            "Tick answers to one question only.",
        ),
    ]:
        response = organiser_client.post(
            admin_url(Question, "add"), question_data(event, ask_only_if=picked)
        )
        assert response.status_code == 200
        assert message in " ".join(response.context["adminform"].form.errors["ask_only_if"])


def test_event_staff_see_the_questions_but_cannot_change_them(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Event staff"))
    client.force_login(user)
    question = QuestionFactory()
    assert client.get(admin_url(Question, "changelist")).status_code == 200
    assert client.get(admin_url(Question, "add")).status_code == 403
    page = client.get(admin_url(Question, "change", question.pk)).content.decode()
    assert 'name="label"' not in page


def test_the_changelist_runs_the_same_queries_for_one_and_five_questions(organiser_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for how_many in (1, 5):
        event = EventFactory()
        for order in range(how_many):
            choice_question(event, f"Q{order}", "A", "B", order=order)
        with CaptureQueriesContext(connection) as queries:
            response = organiser_client.get(
                admin_url(Question, "changelist"), {"event__id__exact": event.pk}
            )
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) == how_many
        counts.append(len(queries))
    assert counts[0] == counts[1]
