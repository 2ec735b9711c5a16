"""The register POST with questions stays within the register POST's limit (12
queries, tests/registration/test_register_queries.py), however many questions; the
register page, on a miss, reads the questions in two queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from questions.models import Answer
from symposium.models import Delegate
from tests.questions.factories import choice_question

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def _mail_worker_on_commit():
    """Replaces the conftest fixture: as in production, the request builds nothing."""


@pytest.mark.parametrize("extra", [0, 10])
def test_a_registration_with_answers_takes_at_most_12_queries(
    client, django_capture_on_commit_callbacks, asked, extra
):
    for order in range(20, 20 + extra):
        choice_question(asked.event, f"More {order}", "A", "B", order=order)
    url = reverse("registration:register", kwargs={"event_slug": asked.event.slug})
    client.get(url)
    data = {
        "first_name": "Priya",
        "last_name": "O'Neill",
        "email": "priya.oneill@nhs.net",
        "organisation": "Kent and Medway ICB",
        "sector": "nhs",
        "privacy_consent": "on",
        "dietary_requirement": "vegetarian",
        "needs_consent": "on",
        asked.badge.field_name: "Priya O",
        asked.driving.field_name: "yes",
        asked.car.field_name: "AB12 CDE",
        asked.topics.field_name: [asked.option(asked.topics, "Housing")],
        asked.joined.field_name: "2019-04-01",
        asked.health.field_name: "Asthma",
        f"{asked.health.field_name}_consent": "on",
    }
    with (
        django_capture_on_commit_callbacks(execute=True),
        CaptureQueriesContext(connection) as queries,
    ):
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    listed = "\n".join(f"{n}. {q['sql'][:200]}" for n, q in enumerate(queries.captured_queries, 1))
    print(f"register POST with {9 + extra} questions: {len(queries)} queries")
    assert len(queries) <= 12, listed
    delegate = Delegate.objects.get()
    assert Answer.objects.filter(delegate=delegate).count() == 6


def test_the_register_page_reads_the_questions_in_two_queries(
    client, asked, django_assert_num_queries
):
    url = reverse("registration:register", kwargs={"event_slug": asked.event.slug})
    # The event, the sessions, the questions and their options, whether it is full.
    with django_assert_num_queries(5):
        client.get(url)
    with django_assert_num_queries(0):
        page = client.get(url).content.decode()
    assert "Name for your badge" in page
