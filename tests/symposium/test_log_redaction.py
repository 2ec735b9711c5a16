"""Manage-link tokens never reach the logs: the records real requests produce (a 404,
a CSRF failure, a 500, runserver's request line) are written by the handlers that
settings.LOGGING configures, and none holds the token."""

import io
import logging
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.test import Client

from symposium.enums import RegistrationStatus
from symposium.tokens import make_manage_token
from tests.factories import DelegateFactory, EventFactory
from tests.helpers import manage_url

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@contextmanager
def written_by(logger_name, handler_name):
    """What the configured handler writes while the block runs."""
    handler = next(h for h in logging.getLogger(logger_name).handlers if h.name == handler_name)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


@pytest.fixture
def delegate():
    return DelegateFactory(event=EventFactory(slug="kent-medway"))


def test_a_404_on_a_manage_link_is_logged_without_the_token(client, delegate):
    delegate.status = RegistrationStatus.CANCELLED
    delegate.save()
    with written_by("", "console") as log:
        response = client.get(manage_url(delegate, "registration:cancel"))
    assert response.status_code == 404
    assert log.getvalue() == "Not Found: /events/kent-medway/manage/[redacted]/cancel/\n"


def test_a_csrf_failure_on_a_manage_link_is_logged_without_the_token(delegate):
    token = make_manage_token(delegate)
    with written_by("", "console") as log:
        response = Client(enforce_csrf_checks=True).post(manage_url(delegate, token=token))
    assert response.status_code == 403
    assert token not in log.getvalue()
    assert "Forbidden (CSRF cookie not set.): /events/kent-medway/manage/[redacted]/" in (
        log.getvalue()
    )


def test_a_500_on_a_manage_link_is_logged_without_the_token(delegate, monkeypatch):
    token = make_manage_token(delegate)
    url = manage_url(delegate, token=token)

    def fails(**kwargs):
        raise RuntimeError(f"could not read the choices for {url}")

    monkeypatch.setattr("registration.views.delegate_choices", fails)
    with written_by("", "console") as log:
        response = Client(raise_request_exception=False).get(url)
    assert response.status_code == 500
    written = log.getvalue()
    assert token not in written
    assert written.startswith("Internal Server Error: /events/kent-medway/manage/[redacted]/\n")
    assert "Traceback" in written
    assert written.rstrip().endswith(
        "RuntimeError: could not read the choices for /events/kent-medway/manage/[redacted]/"
    )


def test_runservers_request_line_is_logged_without_the_token(delegate):
    url = manage_url(delegate)
    with written_by("django.server", "django.server") as log:
        # As django.core.servers.basehttp.WSGIRequestHandler.log_message writes it.
        logging.getLogger("django.server").info('"%s" %s %s', f"GET {url} HTTP/1.1", "200", "9")
    assert log.getvalue().endswith('"GET /events/kent-medway/manage/[redacted]/ HTTP/1.1" 200 9\n')


def test_other_urls_are_logged_as_they_are(client):
    with written_by("", "console") as log:
        client.get("/events/no-such-event/manage-link/")
    assert log.getvalue() == "Not Found: /events/no-such-event/manage-link/\n"


def test_every_configured_handler_redacts_manage_tokens():
    handlers = settings.LOGGING["handlers"]
    assert set(handlers) == {"console", "django.server", "mail_admins"}
    for handler in handlers.values():
        assert "redact_manage_tokens" in handler["filters"]


def test_the_error_email_to_admins_holds_no_token(delegate, monkeypatch, settings, mailoutbox):
    settings.ADMINS = [("Site admin", "admin@example.org")]
    token = make_manage_token(delegate)
    url = manage_url(delegate, token=token)

    def fails(**kwargs):
        raise RuntimeError(f"could not read the choices for {url}")

    monkeypatch.setattr("registration.views.delegate_choices", fails)
    response = Client(raise_request_exception=False).get(url, HTTP_REFERER=f"https://x{url}")
    assert response.status_code == 500
    [email] = mailoutbox
    assert email.to == ["admin@example.org"]
    assert email.subject.endswith("Internal Server Error: /events/kent-medway/manage/[redacted]/")
    assert token not in email.subject
    assert token not in email.body
