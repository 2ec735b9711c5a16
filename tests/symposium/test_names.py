"""First and last names, asked apart and sorted as a registration desk needs: by last
name, then first name, in a locale-aware order (PostgreSQL ICU), so that "Łukasz"
sits with L, "O'Brien" with O and "de Souza" with D."""

import csv
import io
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from symposium.models import Delegate
from tests.factories import DelegateFactory, EventFactory
from tests.helpers import admin_url

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# (first, last) in the order the desk expects.
IN_ORDER = [
    ("Ana", "de Souza"),
    ("Zoe", "Lewis"),
    ("Adam", "Łukasiewicz"),
    ("Łukasz", "Mazur"),
    ("Bea", "Oakes"),
    ("Aoife", "O'Brien"),
    ("Siobhan", "O'Brien"),
    ("Tom", "Owen"),
    ("amy", "Zimmer"),
]


@pytest.fixture
def event():
    event = EventFactory(slug="kent-medway")
    for first, last in reversed(IN_ORDER):
        DelegateFactory(event=event, first_name=first, last_name=last)
    return event


def shown(first, last):
    return f"{first} {last}"


EXPECTED = [shown(*name) for name in IN_ORDER]


def test_the_default_order_of_delegates_is_last_then_first_name(event):
    assert [d.full_name for d in Delegate.objects.filter(event=event)] == EXPECTED


def test_sign_in_sheet_is_sorted_by_last_name(organiser_client, event):
    html = organiser_client.get(reverse("staff:sign-in-desk", args=[event.slug])).content
    rows = re.findall(r'<th scope="row">([^<]*)</th>', html.decode())
    assert [row.replace("&#x27;", "'") for row in rows] == EXPECTED


def test_export_is_sorted_by_last_name(organiser_client, event):
    url = reverse("staff:attendee-export", args=[event.slug])
    response = organiser_client.get(
        url, {"delegates": "event", "statuses": "confirmed", "file_format": "csv"}
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [row[0] for row in rows[1:]] == EXPECTED


def test_admin_lists_delegates_by_last_name(organiser_client, event):
    response = organiser_client.get(admin_url(Delegate, "changelist"))
    assert [d.full_name for d in response.context["cl"].result_list] == EXPECTED


@pytest.mark.django_db(transaction=True)
def test_migration_splits_full_names_at_the_last_space():
    executor = MigrationExecutor(connection)
    before = [("symposium", "0004_delegate_anonymised_at")]
    after = [("symposium", "0005_delegate_first_and_last_name")]
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Event = apps.get_model("symposium", "Event")
    OldDelegate = apps.get_model("symposium", "Delegate")
    event = Event.objects.create(
        name="Old",
        slug="old",
        summary="",
        starts_on="2026-06-01",
        ends_on="2026-06-01",
        venue_name="Venue",
        venue_address="Canterbury",
        registration_opens_at="2026-01-01T09:00Z",
        registration_closes_at="2026-05-01T09:00Z",
        delegate_capacity=10,
    )
    for number, name in enumerate(["Mary Ann de Souza", "Cher", " Priya  O'Neill "]):
        OldDelegate.objects.create(
            event=event,
            full_name=name,
            email=f"d{number}@example.org",
            organisation="NHS",
            sector="nhs",
            privacy_consent_at="2026-01-02T09:00Z",
        )

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    apps = executor.loader.project_state(after).apps
    names = apps.get_model("symposium", "Delegate").objects.order_by("email")
    assert [(d.first_name, d.last_name) for d in names] == [
        ("Mary Ann de", "Souza"),
        ("", "Cher"),
        ("Priya", "O'Neill"),
    ]
    MigrationExecutor(connection).loader.build_graph()
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
