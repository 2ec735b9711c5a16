"""The manage page shows a delegate's answers and lets them change them, in a fixed
number of queries; cancelling deletes the sensitive ones, erasure and the purge all."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from questions.models import Answer
from registration import privacy, services
from symposium.models import Delegate
from tests.factories import DelegateFactory
from tests.helpers import delegate_details, manage_url
from tests.questions.factories import AnswerFactory, QuestionFactory, choice_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(asked):
    delegate = DelegateFactory(event=asked.event, full_name="Ana Able")
    AnswerFactory(delegate=delegate, question=asked.badge, value="Ana A")
    AnswerFactory(delegate=delegate, question=asked.driving, value="yes")
    AnswerFactory(delegate=delegate, question=asked.car, value="KE70 ABC")
    AnswerFactory(
        delegate=delegate,
        question=asked.role,
        value="",
        options=[asked.role.options.get(label="Other")],
    )
    AnswerFactory(
        delegate=delegate,
        question=asked.topics,
        value="",
        options=list(asked.topics.options.filter(label__in=["Housing", "Workforce"])),
    )
    AnswerFactory(delegate=delegate, question=asked.joined, value="2019-04-01")
    AnswerFactory(
        delegate=delegate,
        question=asked.health,
        value="Asthma",
        consented_at=timezone.now(),
    )
    return delegate


def test_the_manage_page_shows_the_answers_and_fills_them_in(client, asked, answered):
    response = client.get(manage_url(answered))
    page = response.content.decode()
    assert "<h2>Your answers</h2>" in page
    assert "untick its box “I agree to you storing my answer to …” above" in page
    for shown in [
        "<dt>Name for your badge</dt><dd>Ana A</dd>",
        "<dt>Will you drive to the venue?</dt><dd>Yes</dd>",
        "<dt>Your role</dt><dd>Other</dd>",
        "<dt>Topics you work on</dt><dd>Housing, Workforce</dd>",
        "<dt>When did you join your organisation?</dt><dd>2019-04-01</dd>",
    ]:
        assert shown in page
    form = response.context["form"]
    assert form[asked.driving.field_name].value() == "yes"
    assert form[asked.role.field_name].value() == asked.option(asked.role, "Other")
    assert sorted(form[asked.topics.field_name].value()) == sorted(
        [asked.option(asked.topics, "Housing"), asked.option(asked.topics, "Workforce")]
    )
    # Rendered by crispy, filled in: the radio and boxes ticked, the date as ISO.
    ticked = set(
        re.findall(r'name="(question_\d+(?:_consent)?)"(?: value="(\w+)")?[^>]*checked', page)
    )
    assert ticked == {
        (asked.driving.field_name, "yes"),
        (asked.role.field_name, asked.option(asked.role, "Other")),
        (asked.topics.field_name, asked.option(asked.topics, "Housing")),
        (asked.topics.field_name, asked.option(asked.topics, "Workforce")),
        (f"{asked.health.field_name}_consent", ""),
    }
    assert re.search(r'type="date" name="question_\d+" value="2019-04-01"', page)
    assert 'value="KE70 ABC"' in page
    assert "{% block" not in page
    assert page.count("js/questions.js") == 1


def test_changing_answers_on_the_manage_page(post, asked, answered):
    data = delegate_details(answered) | {
        asked.badge.field_name: "Ana Able",
        asked.driving.field_name: "no",
        asked.car.field_name: "KE70 ABC",  # Still posted, now hidden: deleted.
        asked.role.field_name: asked.option(asked.role, "Clinical"),
        asked.topics.field_name: [asked.option(asked.topics, "Prevention")],
        asked.colleagues.field_name: "4",
        asked.joined.field_name: "",
        asked.health.field_name: "Asthma",
        f"{asked.health.field_name}_consent": "on",
    }
    response = post(manage_url(answered), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    answers = {
        answer.question_id: (answer.value, [o.label for o in answer.options.all()])
        for answer in Answer.objects.filter(delegate=answered)
    }
    assert answers == {
        asked.badge.pk: ("Ana Able", []),
        asked.driving.pk: ("no", []),
        asked.role.pk: ("", ["Clinical"]),
        asked.topics.pk: ("", ["Prevention"]),
        asked.colleagues.pk: ("4", []),
        asked.health.pk: ("Asthma", []),
    }


def test_unticking_a_sensitive_answers_consent_withdraws_it(post, asked, answered):
    consented_at = Answer.objects.get(question=asked.health).consented_at
    data = delegate_details(answered) | {
        asked.badge.field_name: "Ana A",
        asked.driving.field_name: "yes",
        asked.car.field_name: "KE70 ABC",
        asked.health.field_name: "Asthma",  # Still filled in, the box unticked.
    }
    response = post(manage_url(answered), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not Answer.objects.filter(question=asked.health).exists()
    assert Answer.objects.filter(delegate=answered, question=asked.badge).exists()
    assert consented_at is not None


def test_an_unchanged_answer_keeps_its_consent_time(post, asked, answered):
    before = Answer.objects.get(question=asked.health)
    data = delegate_details(answered) | {
        asked.badge.field_name: "Ana A",
        asked.driving.field_name: "yes",
        asked.car.field_name: "KE70 ABC",
        asked.health.field_name: "Asthma",
        f"{asked.health.field_name}_consent": "on",
    }
    post(manage_url(answered), data)
    assert Answer.objects.get(question=asked.health).pk == before.pk


def test_the_manage_page_takes_a_fixed_number_of_queries_with_questions(
    asked, answered, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    from django.db import connection

    # What was saved so far counts as committed (test_registration's query count).
    connection.run_on_commit.clear()
    Client().get(manage_url(answered))  # The event's questions kept in the page cache.
    # The event, the delegate with their needs, their choices, their answers.
    with django_assert_max_num_queries(4):
        Client().get(manage_url(answered))
    with django_capture_on_commit_callbacks(execute=True):  # A new content version.
        for order in range(10, 30):
            question = choice_question(asked.event, f"More {order}", "A", "B", order=order)
            AnswerFactory(delegate=answered, question=question, options=[question.options.first()])
    Client().get(manage_url(answered))
    with django_assert_max_num_queries(4):
        response = Client().get(manage_url(answered))
    assert response.content.decode().count("<dt>More ") == 20


def test_cancelling_deletes_the_sensitive_answers_only(asked, answered):
    services.cancel_registration(delegate=answered)
    left = set(Answer.objects.filter(delegate=answered).values_list("question_id", flat=True))
    assert asked.health.pk not in left
    assert asked.badge.pk in left


def test_erasure_deletes_every_answer(asked, answered):
    other = DelegateFactory(event=asked.event)
    AnswerFactory(delegate=other, question=asked.badge, value="Bo")
    assert privacy.erase_registration(delegate=answered)
    assert list(Answer.objects.values_list("delegate_id", flat=True)) == [other.pk]


def test_the_purge_deletes_every_answer_of_the_event(asked, answered):
    elsewhere = AnswerFactory(question=QuestionFactory(), value="kept")
    event = asked.event
    event.starts_on = event.ends_on = timezone.localdate() - dt.timedelta(days=400)
    event.save()
    result = privacy.purge_event(event=event)
    assert result.answers_deleted == 7
    assert list(Answer.objects.all()) == [elsewhere]
    assert Delegate.objects.get(pk=answered.pk).anonymised_at is not None


def test_the_delegates_own_copy_holds_their_answers(asked, answered):
    data = privacy.delegate_data(delegate=answered)
    answers = {row["question"]: row["answer"] for row in data["answers"]}
    assert answers["Topics you work on"] == "Housing, Workforce"
    assert answers["Will you drive to the venue?"] == "Yes"
    [health] = [row for row in data["answers"] if row["question"] == asked.health.label]
    assert health["storage_agreed_at"] is not None
