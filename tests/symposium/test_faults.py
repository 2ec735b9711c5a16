"""When the database goes away: a friendly 503 page, /healthz says 503, and nothing
half-written is left behind. The faults are real: the server ends our connection
(pg_terminate_backend) and refuses new ones, or a trigger fails the transaction."""

import socket

import pytest
from django.db import connection
from django.urls import reverse
from mailer.models import Message

from breakouts.models import BreakoutChoice
from symposium.models import Delegate, DelegateNeeds, OutboxEmail
from tests.factories import BreakoutRoundFactory, BreakoutSessionFactory, EventFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Outage:
    """Ends this process's database connection from another connection, and points
    reconnections at a port where nothing listens, until `end()`."""

    def __init__(self):
        self.settings = connection.settings_dict
        self.real_port = self.settings["PORT"]

    def start(self):
        connection.ensure_connection()
        backend_pid = connection.connection.info.backend_pid
        admin = connection.Database.connect(**connection.get_connection_params())
        try:
            with admin.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [backend_pid])
                assert cursor.fetchone() == (True,)
        finally:
            admin.close()
        self.settings["PORT"] = closed_port()

    def end(self):
        self.settings["PORT"] = self.real_port
        connection.close()


@pytest.fixture
def outage():
    outage = Outage()
    yield outage
    outage.end()


def assert_unavailable_page(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert [template.name for template in response.templates][-2:] == ["503.html", "base.html"]
    assert b"<h1>Sorry, the service is unavailable</h1>" in response.content
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_database_gone_gives_the_503_page_and_healthz_503_until_it_is_back(client, outage):
    event = EventFactory(name="Kent and Medway ICS symposium")
    home = reverse("symposium:event-detail", kwargs={"slug": event.slug})
    register = reverse("registration:register", kwargs={"event_slug": event.slug})
    assert client.get(home).status_code == 200
    assert client.get(register).status_code == 200

    outage.start()

    # What needs the database says so plainly; the cached public pages (and the blank
    # registration form) stay up.
    assert client.get(register).status_code == 200
    assert_unavailable_page(client.post(register, {"first_name": "Amara"}))
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json() == {"status": "unavailable", "database": "down", "cache": "ok"}
    cached = client.get(home)
    assert cached.status_code == 200
    assert b"Kent and Medway ICS symposium" in cached.content

    outage.end()

    assert client.get(register).status_code == 200
    assert client.get("/healthz").json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "worker": "stopped",
    }


@pytest.fixture
def registration(client):
    """POST a full registration: details, needs (with consent) and a breakout."""
    event = EventFactory(slug="kent-medway")
    session = BreakoutSessionFactory(
        theme__event=event, agenda_item=BreakoutRoundFactory(event=event), capacity=10
    )
    data = {
        "first_name": "Priya",
        "last_name": "O'Neill",
        "email": "priya.oneill@nhs.net",
        "organisation": "Kent and Medway ICB",
        "sector": "nhs",
        "privacy_consent": "on",
        "needs_consent": "on",
        "dietary_requirement": "vegan",
        "access_needs": "A hearing loop",
        f"round_{session.agenda_item_id}": str(session.pk),
    }
    url = reverse("registration:register", kwargs={"event_slug": event.slug})
    client.raise_request_exception = False
    return lambda: client.post(url, data)


def assert_nothing_written():
    assert Delegate.objects.count() == 0
    assert DelegateNeeds.objects.count() == 0
    assert BreakoutChoice.objects.count() == 0
    assert OutboxEmail.objects.count() == 0
    assert Message.objects.count() == 0


def test_registration_failing_at_its_breakout_choice_leaves_nothing(registration, sql):
    sql(
        """CREATE FUNCTION test_refuse_choice() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION 'no breakout choices today'; END $$""",
        "DROP FUNCTION test_refuse_choice()",
    )
    sql(
        """CREATE TRIGGER test_refuse_choice BEFORE INSERT ON breakouts_breakoutchoice
           FOR EACH ROW EXECUTE FUNCTION test_refuse_choice()""",
        "DROP TRIGGER test_refuse_choice ON breakouts_breakoutchoice",
    )

    response = registration()

    assert response.status_code == 500
    assert_nothing_written()


def test_registration_losing_the_database_at_commit_gives_503_and_leaves_nothing(registration, sql):
    # At COMMIT, once every row (the email owed included) is written, check they are
    # there, then end the connection: the database goes away mid-request.
    sql(
        """CREATE FUNCTION test_die_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             IF NOT (EXISTS (SELECT FROM symposium_delegateneeds)
                     AND EXISTS (SELECT FROM breakouts_breakoutchoice)
                     AND EXISTS (SELECT FROM symposium_outboxemail)) THEN
               RAISE EXCEPTION 'expected every row written before the commit';
             END IF;
             PERFORM pg_terminate_backend(pg_backend_pid());
             RETURN NULL;
           END $$""",
        "DROP FUNCTION test_die_at_commit()",
    )
    sql(
        """CREATE CONSTRAINT TRIGGER test_die_at_commit AFTER INSERT ON symposium_delegate
           DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_die_at_commit()""",
        "DROP TRIGGER test_die_at_commit ON symposium_delegate",
    )

    response = registration()

    assert_unavailable_page(response)
    assert_nothing_written()
