"""Mailings to those who answered X to question Q: exactly those, and a filter that
cannot mean anything is refused by its field when composed."""

import pytest

from mailings.models import Mailing
from mailings.selectors import audience
from symposium.enums import RegistrationStatus
from tests.factories import DelegateFactory
from tests.helpers import admin_url
from tests.mailings.conftest import make_mailing
from tests.questions.factories import AnswerFactory, QuestionFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def people(asked):
    def person(name, **answers):
        delegate = DelegateFactory(event=asked.event, full_name=name)
        for question, value in answers.items():
            question = getattr(asked, question)
            if question.has_options:
                AnswerFactory(
                    delegate=delegate,
                    question=question,
                    value="",
                    options=list(question.options.filter(label__in=value)),
                )
            else:
                AnswerFactory(delegate=delegate, question=question, value=value)
        return delegate

    return {
        "ana": person(
            "Ana Able",
            driving="yes",
            car="KE70 ABC",
            topics=["Housing", "Workforce"],
            colleagues="2",
            joined="2019-04-01",
        ),
        "ben": person("Ben Bell", driving="no", topics=["Prevention"], colleagues="2.5"),
        "cat": person("Cat Cole", topics=["Housing"], role=["Other"]),
        "dan": person("Dan Dee"),
    }


def names(mailing):
    return [delegate.first_name for delegate in audience(mailing)]


@pytest.mark.parametrize(
    ("question", "answers", "expected"),
    [
        ("driving", "Yes", ["Ana"]),
        ("driving", "NO", ["Ben"]),
        ("driving", "yes\nno", ["Ana", "Ben"]),
        ("topics", "housing", ["Ana", "Cat"]),
        ("topics", "Prevention\nWorkforce", ["Ana", "Ben"]),
        ("role", "Other", ["Cat"]),
        ("car", "ke70 abc", ["Ana"]),
        ("colleagues", "2.50", ["Ben"]),
        ("colleagues", "2", ["Ana"]),
        ("joined", "01/04/2019", ["Ana"]),
        ("joined", "2019-04-01", ["Ana"]),
    ],
)
def test_an_answer_filter_selects_exactly_those_who_gave_one_of_the_answers(
    asked, people, question, answers, expected
):
    mailing = make_mailing(asked.event, answer_question=getattr(asked, question), answers=answers)
    assert names(mailing) == expected


def test_the_answer_filter_narrows_the_other_filters(asked, people):
    people["ben"].status = RegistrationStatus.WAITLISTED
    people["ben"].save()
    mailing = make_mailing(asked.event, answer_question=asked.topics, answers="Prevention")
    assert names(mailing) == []


def test_a_filter_whose_question_was_deleted_matches_nobody(asked, people):
    mailing = make_mailing(asked.event, answer_question=asked.driving, answers="Yes")
    asked.driving.delete()
    mailing.refresh_from_db()
    assert mailing.answer_question is None
    assert names(mailing) == []


def compose(event, **overrides):
    return {
        "event": event.pk,
        "subject": "Parking at {event}",
        "body": "Dear {first_name},\n\nParking is behind the lodge.",
        "statuses": [RegistrationStatus.CONFIRMED],
        "organisations": "",
        "attendance": "any",
        **overrides,
    }


def test_an_organiser_composes_a_mailing_to_those_who_answered(organiser_client, asked, people):
    page = organiser_client.get(admin_url(Mailing, "add")).content.decode()
    assert f"{asked.event.name}: Will you drive to the venue?" in page
    response = organiser_client.post(
        admin_url(Mailing, "add"),
        compose(asked.event, answer_question=asked.driving.pk, answers="Yes"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    mailing = Mailing.objects.get(kind="message")
    assert names(mailing) == ["Ana"]
    send = organiser_client.get(admin_url(Mailing, "send", mailing.pk)).content.decode()
    assert "Ana" in send


@pytest.mark.parametrize(
    ("question", "answers", "field", "message"),
    [
        (
            "driving",
            "Maybe",
            "answers",
            "“Maybe” is not an answer to “Will you drive to the venue?”: write Yes or No.",
        ),
        (
            "role",
            "Nurse",
            "answers",
            "“Nurse” is not an answer to “Your role”: its answers are Clinical, Managerial, Other.",
        ),
        ("colleagues", "two", "answers", "“two” is not a number: write it like 12 or 3.5."),
        (
            "joined",
            "April 2019",
            "answers",
            "“April 2019” is not a date: write it like 27/03/2027.",
        ),
        (
            "driving",
            "",
            "answers",
            "Write the answers to “Will you drive to the venue?” to send to.",
        ),
        (None, "Yes", "answer_question", "Choose the question these answers are to."),
    ],
)
def test_an_answer_filter_that_means_nothing_is_refused_by_its_field(
    organiser_client, asked, question, answers, field, message
):
    data = compose(
        asked.event,
        answer_question=getattr(asked, question).pk if question else "",
        answers=answers,
    )
    response = organiser_client.post(admin_url(Mailing, "add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [message]
    assert not Mailing.objects.filter(kind="message").exists()


def test_a_question_of_another_event_is_refused(organiser_client, asked):
    elsewhere = QuestionFactory(kind="yes_no")
    response = organiser_client.post(
        admin_url(Mailing, "add"),
        compose(asked.event, answer_question=elsewhere.pk, answers="Yes"),
    )
    assert response.context["adminform"].form.errors["answer_question"] == [
        "Choose a question of this event."
    ]
