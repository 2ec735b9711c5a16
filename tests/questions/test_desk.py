"""The check-in desk shows the answers to the questions flagged for it: in the list it
keeps offline, without a query per delegate; sensitive ones only to staff who may see
needs."""

import json

import pytest
from django.utils import timezone

from symposium.enums import RegistrationStatus
from tests.checkin.helpers import desk_url
from tests.factories import DelegateFactory
from tests.helpers import staff_user
from tests.questions.factories import AnswerFactory

pytestmark = pytest.mark.django_db


def desk_list(client, event):
    response = client.get(desk_url(event, "list"))
    assert response.status_code == 200
    return {entry["last_name"]: entry for entry in json.loads(response.content)["delegates"]}


@pytest.fixture
def answered(asked):
    ana = DelegateFactory(event=asked.event, full_name="Ana Able")
    AnswerFactory(delegate=ana, question=asked.driving, value="yes")
    AnswerFactory(delegate=ana, question=asked.car, value="KE70 ABC")
    AnswerFactory(delegate=ana, question=asked.badge, value="Not at the desk")
    asked.health.show_at_desk = True
    asked.health.save()
    AnswerFactory(delegate=ana, question=asked.health, value="Asthma", consented_at=timezone.now())
    DelegateFactory(event=asked.event, full_name="Bo Brown")
    waiting = DelegateFactory(
        event=asked.event, full_name="Cy Cole", status=RegistrationStatus.WAITLISTED
    )
    AnswerFactory(delegate=waiting, question=asked.driving, value="no")
    return ana


def test_the_desk_shows_the_answers_flagged_for_it(client, asked, answered):
    client.force_login(staff_user("check_in"))
    entries = desk_list(client, asked.event)
    assert entries["Able"]["answers"] == [
        {"question": "Will you drive to the venue?", "answer": "Yes"},
        {"question": "Your car's registration number", "answer": "KE70 ABC"},
    ]
    assert "answers" not in entries["Brown"]
    assert set(entries) == {"Able", "Brown"}


def test_sensitive_answers_only_for_staff_who_may_see_needs(client, asked, answered):
    client.force_login(staff_user("check_in", "view_delegateneeds"))
    entries = desk_list(client, asked.event)
    assert entries["Able"]["answers"][-1] == {
        "question": "A health condition we should know about",
        "answer": "Asthma",
    }


def test_the_desk_page_has_a_place_for_the_answers(client, asked):
    client.force_login(staff_user("check_in"))
    page = client.get(desk_url(asked.event)).content.decode()
    assert 'id="checkin-result-answers"' in page


def test_the_list_takes_a_fixed_number_of_queries_with_answers(
    client, asked, answered, django_assert_max_num_queries
):
    client.force_login(staff_user("check_in"))
    desk_list(client, asked.event)
    for index in range(30):
        delegate = DelegateFactory(event=asked.event)
        AnswerFactory(delegate=delegate, question=asked.driving, value="yes")
        AnswerFactory(delegate=delegate, question=asked.car, value=f"KE70 AB{index}")
    # As without questions (tests/checkin/test_desk_list.py: 9), one more for the answers.
    with django_assert_max_num_queries(10):
        entries = desk_list(client, asked.event)
    assert sum("answers" in entry for entry in entries.values()) == 31
