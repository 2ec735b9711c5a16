"""Registering with the event's own questions: every kind, conditions, sensitive answers
with their own consent, a clear message by each field, and nothing typed lost."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from questions.models import Answer
from symposium.models import Delegate

pytestmark = pytest.mark.django_db


def register_url(event):
    return reverse("registration:register", kwargs={"event_slug": event.slug})


def details(**overrides):
    data = {
        "first_name": "Priya",
        "last_name": "O'Neill",
        "email": "priya.oneill@nhs.net",
        "organisation": "Kent and Medway ICB",
        "sector": "nhs",
        "privacy_consent": "on",
    }
    return {key: value for key, value in (data | overrides).items() if value is not None}


def answers(asked, **overrides):
    data = {
        asked.badge.field_name: "Priya O",
        asked.hopes.field_name: "Meet the housing team.\nAnd the police.",
        asked.driving.field_name: "yes",
        asked.car.field_name: "AB12 CDE",
        asked.role.field_name: asked.option(asked.role, "Clinical"),
        asked.topics.field_name: [
            asked.option(asked.topics, "Prevention"),
            asked.option(asked.topics, "Workforce"),
        ],
        asked.colleagues.field_name: "3",
        asked.joined.field_name: "2019-04-01",
    }
    return data | overrides


def stored(delegate):
    return {
        answer.question.label: (answer.value, sorted(o.label for o in answer.options.all()))
        for answer in Answer.objects.filter(delegate=delegate).select_related("question")
    }


def test_the_register_page_asks_every_question_in_order(client, asked):
    page = client.get(register_url(asked.event)).content.decode()
    positions = [
        page.index(label)
        for label in [
            "Name for your badge",
            "What do you hope to get from the day?",
            "Will you drive to the venue?",
            "Your car&#x27;s registration number",
            "Your role",
            "Topics you work on",
            "How many colleagues will you bring?",
            "When did you join your organisation?",
            "I agree to you storing my answer to “A health condition we should know about”",
        ]
    ]
    assert positions == sorted(positions)
    assert "Questions from the organisers" in page
    # "All questions must be answered unless they say they are optional."
    assert "All questions must be answered unless they say they are optional." in page
    assert "What do you hope to get from the day? (optional)" in page
    assert "Name for your badge (optional)" not in page
    assert "Will you drive to the venue? (optional)" not in page
    assert 'type="date"' in page
    assert f'data-depends-on="{asked.driving.field_name}"' in page
    assert "Answer this only if you answered “Yes” to “Will you drive to the venue?”." in page
    assert "js/questions.js" in page
    assert page.count("{% block") == 0
    assert page.count("organisation-picker.js") == 1


def test_every_kind_of_answer_is_saved(client, asked):
    response = client.post(register_url(asked.event), details() | answers(asked))
    assert response.status_code == 302, response.content.decode()[:3000]
    delegate = Delegate.objects.get()
    assert stored(delegate) == {
        "Name for your badge": ("Priya O", []),
        "What do you hope to get from the day?": ("Meet the housing team.\nAnd the police.", []),
        "Will you drive to the venue?": ("yes", []),
        "Your car's registration number": ("AB12 CDE", []),
        "Your role": ("", ["Clinical"]),
        "Topics you work on": ("", ["Prevention", "Workforce"]),
        "How many colleagues will you bring?": ("3", []),
        "When did you join your organisation?": ("2019-04-01", []),
    }
    assert not Answer.objects.filter(consented_at__isnull=False).exists()


def test_a_question_hidden_by_its_condition_is_not_required_and_not_saved(client, asked):
    data = details() | answers(asked, **{asked.driving.field_name: "no"})
    data[asked.car.field_name] = "typed, then hidden"
    response = client.post(register_url(asked.event), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = stored(Delegate.objects.get())
    assert saved["Will you drive to the venue?"] == ("no", [])
    assert "Your car's registration number" not in saved

    # Shown by its condition, it is required.
    data = details(email="sam@kent.police.uk") | answers(asked, **{asked.car.field_name: ""})
    page = client.post(register_url(asked.event), data).content.decode()
    assert "Answer “Your car&#x27;s registration number”" in page
    assert Delegate.objects.count() == 1


def test_a_question_depending_on_a_hidden_one_is_not_asked_either(client, asked):
    from tests.questions.factories import QuestionFactory

    parking = QuestionFactory(
        event=asked.event,
        order=4,
        label="Do you need a parking space?",
        kind="yes_no",
        depends_on=asked.driving,
        depends_on_values=["yes"],
    )
    badge = QuestionFactory(
        event=asked.event,
        order=4,
        label="Do you hold a Blue Badge?",
        kind="yes_no",
        required=True,
        depends_on=parking,
        depends_on_values=["yes"],
    )
    data = details() | answers(asked, **{asked.driving.field_name: "no"})
    data[parking.field_name] = "yes"  # Typed before "no" hid it.
    response = client.post(register_url(asked.event), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = stored(Delegate.objects.get())
    assert "Do you need a parking space?" not in saved
    assert "Do you hold a Blue Badge?" not in saved

    data = details(email="sam@kent.police.uk") | answers(asked, **{parking.field_name: "yes"})
    page = client.post(register_url(asked.event), data).content.decode()
    assert f"Choose yes or no for “{badge.label}”" in page


def test_each_bad_answer_gets_its_own_message_and_nothing_typed_is_lost(client, asked):
    data = details() | answers(
        asked,
        **{
            asked.badge.field_name: "",
            asked.driving.field_name: "",
            asked.colleagues.field_name: "21",
            asked.joined.field_name: "31/02/2019",
        },
    )
    response = client.post(register_url(asked.event), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert not Delegate.objects.exists()
    assert "Answer “Name for your badge”" in page
    assert "Choose yes or no for “Will you drive to the venue?”" in page
    assert "Enter a number from 0 to 20" in page
    assert "Enter a real date, like 27/03/2027" in page
    # The car's registration is not required while "Will you drive" has no answer.
    assert "Answer “Your car" not in page
    form = response.context["form"]
    assert form[asked.hopes.field_name].value() == "Meet the housing team.\nAnd the police."
    assert form[asked.colleagues.field_name].value() == "21"
    assert form[asked.joined.field_name].value() == "31/02/2019"
    assert form[asked.topics.field_name].value() == [
        asked.option(asked.topics, "Prevention"),
        asked.option(asked.topics, "Workforce"),
    ]
    assert 'value="AB12 CDE"' in page
    # The error summary links each message to its field.
    assert f'href="#id_{asked.driving.field_name}_0"' in page
    assert f'href="#id_{asked.colleagues.field_name}"' in page


def test_a_number_is_checked_against_its_range_and_kept_exactly(client, asked):
    low = client.post(
        register_url(asked.event),
        details() | answers(asked, **{asked.colleagues.field_name: "-1"}),
    )
    assert "Enter a number from 0 to 20" in low.content.decode()
    words = client.post(
        register_url(asked.event),
        details() | answers(asked, **{asked.colleagues.field_name: "three"}),
    )
    assert "Enter a number, like 12 or 3.5 from 0 to 20" in words.content.decode()
    client.post(
        register_url(asked.event),
        details() | answers(asked, **{asked.colleagues.field_name: "2.50"}),
    )
    answer = Answer.objects.get(question=asked.colleagues)
    assert answer.value == "2.5"
    assert Decimal(answer.value) == Decimal("2.5")


def test_a_date_typed_the_british_way_is_understood(client, asked):
    client.post(
        register_url(asked.event),
        details() | answers(asked, **{asked.joined.field_name: "01/04/2019"}),
    )
    answer = Answer.objects.get(question=asked.joined)
    assert dt.date.fromisoformat(answer.value) == dt.date(2019, 4, 1)


def test_a_choice_not_offered_is_refused_by_its_field(client, asked):
    page = client.post(
        register_url(asked.event),
        details() | answers(asked, **{asked.role.field_name: "999999"}),
    ).content.decode()
    assert "Choose one of the answers listed" in page
    assert not Delegate.objects.exists()


def test_a_sensitive_answer_needs_its_own_consent(client, asked):
    health = {asked.health.field_name: "Type 1 diabetes"}
    page = client.post(
        register_url(asked.event), details() | answers(asked) | health
    ).content.decode()
    assert (
        "Tick this box if you want us to store your answer to “A health condition we "
        "should know about”, or clear your answer" in page
    )
    assert not Delegate.objects.exists()
    assert "Type 1 diabetes" in page  # Nothing typed is lost.

    consent = {f"{asked.health.field_name}_consent": "on"}
    response = client.post(register_url(asked.event), details() | answers(asked) | health | consent)
    assert response.status_code == 302
    answer = Answer.objects.get(question=asked.health)
    assert answer.value == "Type 1 diabetes"
    assert answer.consented_at is not None


def test_consent_alone_stores_nothing(client, asked):
    consent = {f"{asked.health.field_name}_consent": "on"}
    client.post(register_url(asked.event), details() | answers(asked) | consent)
    assert Delegate.objects.exists()
    assert not Answer.objects.filter(question=asked.health).exists()


def test_an_event_without_questions_asks_none(client):
    from tests.factories import EventFactory

    event = EventFactory()
    page = client.get(register_url(event)).content.decode()
    assert "Questions from the organisers" not in page
    assert client.post(register_url(event), details()).status_code == 302
