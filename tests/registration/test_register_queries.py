"""A lean register POST: at most 12 queries (counted on PostgreSQL, with the session in
the database's cache table as in production), and no email work in the request: the
email is owed (an OutboxEmail row) with its task queued in the same transaction."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from mailer.models import Message

from partners.models import Affiliation
from symposium.models import Delegate, OutboxEmail
from tests.factories import (
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    EventFactory,
    OrganisationFactory,
    ThemeFactory,
    event_day_at,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# Whether or not the partner directory knows the typed organisation (its lookup before
# the transaction and the delegate's affiliation, one insert, are counted).
MAX_QUERIES = 12


@pytest.fixture
def _mail_worker_on_commit():
    """Replaces the conftest fixture: as in production, the request builds nothing."""


@pytest.mark.parametrize("in_directory", [False, True])
def test_a_registration_takes_at_most_12_queries_and_builds_no_email(
    client, django_capture_on_commit_callbacks, in_directory
):
    if in_directory:
        OrganisationFactory(name="Kent and Medway ICB", sector="nhs")
    event = EventFactory(name="Kent and Medway ICS symposium", slug="kent-medway")
    rounds = []
    for hour in (11, 14):
        round_ = BreakoutRoundFactory(event=event, starts_at=event_day_at(event, hour))
        rounds.append(
            [
                BreakoutSessionFactory(
                    theme=ThemeFactory(event=event, title=f"Theme {hour}-{index}"),
                    agenda_item=round_,
                    capacity=30,
                )
                for index in range(3)
            ]
        )
    url = reverse("registration:register", kwargs={"event_slug": event.slug})
    client.get(url)  # The blank page, its CSRF cookie; a browser's first visit.
    data = {
        "first_name": "Priya",
        "last_name": "O'Neill",
        "email": "priya.oneill@nhs.net",
        "organisation": "Kent and Medway ICB",
        "sector": "nhs",
        "job_title": "Head of Partnerships",
        "privacy_consent": "on",
        "dietary_requirement": "vegetarian",
        "needs_consent": "on",
        **{f"round_{r[0].agenda_item_id}": str(r[1].pk) for r in rounds},
    }

    with (
        django_capture_on_commit_callbacks(execute=True),
        CaptureQueriesContext(connection) as queries,
    ):
        response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    listed = "\n".join(f"{n}. {q['sql'][:200]}" for n, q in enumerate(queries.captured_queries, 1))
    print(f"register POST (organisation in the directory: {in_directory}): {len(queries)} queries")
    assert len(queries) <= MAX_QUERIES, listed
    assert Delegate.objects.get().organisation == "Kent and Medway ICB"
    assert Affiliation.objects.exists() == in_directory
    [owed] = OutboxEmail.objects.all()
    assert owed.kind == "registered"
    assert not Message.objects.exists()  # Nothing built: the task will.
    from procrastinate.contrib.django.models import ProcrastinateJob

    [job] = ProcrastinateJob.objects.filter(task_name="symposium.tasks.deliver_email")
    assert job.args == {"owed_pk": owed.pk}
