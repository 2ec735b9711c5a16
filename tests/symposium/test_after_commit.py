"""Once a change has committed, the person is told it succeeded, whatever the work after
the commit (building and sending its email) does: that work fails here for real (the
database ends the connection, the mail server refuses) inside the request, as in
production, not in a callback the test runs afterwards."""

import http.cookiejar
import logging
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from smtplib import SMTPServerDisconnected

import pytest
from django.db import connection
from django.urls import reverse

from symposium import outbox, selectors
from symposium.enums import RegistrationStatus
from symposium.models import Delegate, OutboxEmail
from tests.factories import AgendaItemFactory, DelegateFactory, EventFactory
from tests.helpers import manage_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def event():
    event = EventFactory(name="Kent and Medway ICS symposium", slug="kent-medway")
    AgendaItemFactory(event=event, title="Welcome")
    return event


def form_data(email, first_name="Priya"):
    return {
        "first_name": first_name,
        "last_name": "O'Neill",
        "email": email,
        "organisation": "Kent and Medway ICB",
        "sector": "nhs",
        "privacy_consent": "on",
    }


def refuse_to_send(message_pks):
    raise SMTPServerDisconnected("Connection unexpectedly closed")


def assert_registered_page(response, email):
    assert response.status_code == 200
    assert response.templates[0].name == "symposium/register_done.html"
    assert "<h1>You are registered</h1>" in response.content.decode()
    assert email in response.content.decode()


def test_registration_answers_success_when_its_email_hook_loses_the_database(
    client, event, sql, caplog
):
    # Queueing the confirmation (after the registration's commit) ends the connection.
    sql(
        """CREATE FUNCTION test_die_on_queue() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$""",
        "DROP FUNCTION test_die_on_queue()",
    )
    sql(
        """CREATE TRIGGER test_die_on_queue BEFORE INSERT ON mailer_message
           FOR EACH ROW EXECUTE FUNCTION test_die_on_queue()""",
        "DROP TRIGGER test_die_on_queue ON mailer_message",
    )
    url = reverse("registration:register", kwargs={"event_slug": event.slug})

    with caplog.at_level(logging.ERROR):
        response = client.post(url, form_data("priya.oneill@nhs.net"), follow=True)

    assert_registered_page(response, "priya.oneill@nhs.net")
    delegate = Delegate.objects.get(email="priya.oneill@nhs.net")
    # The confirmation is still owed: the mail worker's sweep sends it.
    assert list(OutboxEmail.objects.values_list("delegate", "kind")) == [
        (delegate.pk, "registered")
    ]
    [failure] = [
        record
        for record in caplog.records
        if record.name == "symposium.outbox" and record.getMessage().startswith("After the commit")
    ]
    assert failure.getMessage() == (
        f"After the commit: could not queue the email owed as outbox row "
        f"{OutboxEmail.objects.get().pk}; the mail worker's sweep will"
    )
    assert failure.exc_info[0].__module__ == "django.db.utils"


def test_registration_answers_success_when_sending_its_email_fails(
    client, event, monkeypatch, caplog, mailoutbox
):
    monkeypatch.setattr(outbox, "_send_now", refuse_to_send)
    url = reverse("registration:register", kwargs={"event_slug": event.slug})

    with caplog.at_level(logging.ERROR):
        response = client.post(url, form_data("priya.oneill@nhs.net"), follow=True)

    assert_registered_page(response, "priya.oneill@nhs.net")
    assert Delegate.objects.filter(email="priya.oneill@nhs.net").exists()
    # Queued (django-mailer): the worker sends it; only the immediate send failed.
    assert OutboxEmail.objects.count() == 0
    assert mailoutbox == []
    [failure] = [record for record in caplog.records if record.name == "symposium.outbox"]
    assert failure.getMessage().startswith("After the commit: could not send")
    assert failure.exc_info[0] is SMTPServerDisconnected


def test_erasure_answers_success_when_sending_its_email_fails(
    client, event, monkeypatch, caplog, mailoutbox
):
    # The erasure itself emails nobody (it would keep the address queued); the place it
    # frees goes to the next on the waitlist, whose email is the one that fails here.
    event.delegate_capacity = 1
    event.save()
    delegate = DelegateFactory(event=event, email="priya.oneill@nhs.net")
    waiting = DelegateFactory(event=event, status=RegistrationStatus.WAITLISTED)
    monkeypatch.setattr(outbox, "_send_now", refuse_to_send)

    with caplog.at_level(logging.ERROR):
        response = client.post(manage_url(delegate, "registration:delete"), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(event.get_absolute_url(), 302)]
    assert "Your registration and the information you gave us have been deleted." in (
        response.content.decode()
    )
    assert not Delegate.objects.filter(pk=delegate.pk).exists()
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert mailoutbox == []
    [failure] = [record for record in caplog.records if record.name == "symposium.outbox"]
    assert failure.getMessage().startswith("After the commit: could not send")


def test_page_that_only_reads_is_read_again_when_the_database_ends_its_connection(
    client, event, monkeypatch
):
    # The registered page loses its connection half-way (the database restarted, or
    # failed over): it is read again on a new one, not answered "nothing was saved".
    url = reverse("registration:register", kwargs={"event_slug": event.slug})
    client.post(url, form_data("priya.oneill@nhs.net"))
    real_event_hours = selectors.event_hours
    ended = []

    def end_connection_once(*, event):
        if not ended:
            ended.append(connection.connection.info.backend_pid)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        return real_event_hours(event=event)

    monkeypatch.setattr(selectors, "event_hours", end_connection_once)

    response = client.get(
        reverse("registration:register-done", kwargs={"event_slug": "kent-medway"})
    )

    assert ended
    assert_registered_page(response, "priya.oneill@nhs.net")
    assert connection.connection.info.backend_pid != ended[0]


def test_page_refused_twice_asks_for_a_reload_and_does_not_say_nothing_was_saved(
    client, event, monkeypatch
):
    url = reverse("registration:register", kwargs={"event_slug": event.slug})
    client.post(url, form_data("priya.oneill@nhs.net"))
    client.raise_request_exception = False

    def end_connection(*, event):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    monkeypatch.setattr(selectors, "event_hours", end_connection)

    response = client.get(
        reverse("registration:register-done", kwargs={"event_slug": "kent-medway"})
    )

    assert response.status_code == 503
    page = response.content.decode()
    assert "<h1>Sorry, the service is unavailable</h1>" in page
    assert "<p>Please reload this page in a moment.</p>" in page
    assert "nothing was saved" not in page
    connection.close()  # The test shares the connection the page lost.
    assert Delegate.objects.filter(email="priya.oneill@nhs.net").exists()


# Several delegates at once while the database keeps ending the app's connections --------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    """A browser of its own: cookies, the CSRF token from the form, no automatic redirects."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(
            self.base_url + path, data=body, headers={"Referer": self.base_url + path}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def register(self, path, data):
        """(status of the POST, status and page where it leads). A page the database's
        fault refused is asked again, as a person reloads it."""
        for _ in range(20):
            status, _, page = self.request(path)
            if status == 200:
                break
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, headers, page = self.request(path, data | {"csrfmiddlewaretoken": token})
        if status != 302:
            return status, status, page
        done = urllib.parse.urlsplit(headers["Location"]).path
        for _ in range(5):
            final, _, page = self.request(done)
            if final != 503:
                break
            # Rarely, read again and refused again: it must not say "nothing was saved"
            # (the registration was), and a reload shows it.
            if "Please reload this page in a moment." not in page or "nothing was" in page:
                return status, "503 saying nothing was saved", page
        return status, final, page


class Terminator(threading.Thread):
    """Ends every connection to the test database but the test's own, every `period`."""

    def __init__(self, keep_pids, period):
        super().__init__(daemon=True)
        self.keep_pids, self.period = list(keep_pids), period
        self.stop = threading.Event()
        self.ended = 0

    def run(self):
        admin = connection.get_new_connection(connection.get_connection_params())
        admin.autocommit = True
        try:
            with admin.cursor() as cursor:
                while not self.stop.wait(self.period):
                    cursor.execute(
                        """SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))
                           FROM pg_stat_activity
                           WHERE datname = current_database() AND pid <> pg_backend_pid()
                             AND pid <> ALL(%s)""",
                        [self.keep_pids],
                    )
                    self.ended += cursor.fetchone()[0]
        finally:
            admin.close()


def test_registrations_while_the_database_ends_connections_are_answered_truthfully(
    live_server, event, settings
):
    settings.RATELIMIT_ENABLE = False
    connection.ensure_connection()
    terminator = Terminator([connection.connection.info.backend_pid], period=0.3)
    path = reverse("registration:register", kwargs={"event_slug": event.slug})
    outcomes = {}

    refused = threading.Event()

    def delegate(thread):
        visitor = Visitor(live_server.url)
        # Eight each, and on until a fault has refused a registration: a lean POST is
        # over quickly, so on a quiet machine the faults may miss every one of the first.
        for n in range(40):
            if n >= 8 and refused.is_set():
                break
            email = f"delegate-{thread}-{n}@example.org"
            outcomes[email] = visitor.register(path, form_data(email, first_name=f"D{thread}"))
            if outcomes[email][0] == 503:
                refused.set()

    threads = [threading.Thread(target=delegate, args=(thread,)) for thread in range(4)]
    terminator.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    terminator.stop.set()
    terminator.join()
    connection.close()

    saved = set(Delegate.objects.values_list("email", flat=True))
    told_saved = {email for email, (_, final, page) in outcomes.items() if final == 200}
    told_not_saved = {email for email, (posted, _, _) in outcomes.items() if posted == 503}
    statuses = Counter(outcome[:2] for outcome in outcomes.values())
    assert set(statuses) <= {(302, 200), (503, 503)}, statuses
    assert told_saved == saved
    assert told_not_saved == set(outcomes) - saved
    assert all("You are registered" in outcomes[email][2] for email in told_saved)
    # The faults did happen, to saved and refused registrations alike.
    assert terminator.ended >= 5
    assert told_saved, statuses
    assert told_not_saved, statuses
