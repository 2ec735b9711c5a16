"""An organiser emails the delegates from the admin in Chromium: composes, previews,
sends a test to themselves, schedules, and the message reaches a real SMTP server
(aiosmtpd) when the scheduler and the mail worker run."""

import datetime as dt
import email
import importlib
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import expect

from mailings import services
from mailings.models import Mailing
from tests.factories import DelegateFactory, EventFactory, UserFactory
from tests.servers import free_port
from tests.symposium.test_email_queue import Inbox

LONDON = ZoneInfo("Europe/London")
grant_migration = importlib.import_module("mailings.migrations.0002_organisers_can_email_delegates")


@pytest.fixture
def organiser():
    """In the Organisers group as the migration leaves it: a live-server test empties
    the database after it, groups included, so the grant is run again here."""
    grant_migration.grant(apps, SimpleNamespace(connection=connection))
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Organisers"))
    return user


@pytest.fixture
def smtp_sink(settings):
    settings.MAILER_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 5
    settings.SEND_MAIL_ON_COMMIT = False  # The worker sends, as in production.
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=settings.EMAIL_PORT)
    server.start()
    yield inbox
    server.stop()


def received(inbox):
    messages = [email.message_from_bytes(envelope.content) for envelope in inbox.envelopes]
    return sorted((message["To"], message["Subject"]) for message in messages)


def test_organiser_composes_previews_tests_schedules_and_it_arrives(page, organiser, smtp_sink):
    event = EventFactory(name="Kent and Medway ICS symposium", slug="kent-medway")
    DelegateFactory(event=event, first_name="Sam", last_name="Okafor", email="sam@example.org")
    DelegateFactory(event=event, first_name="Priya", last_name="Shah", email="priya@example.org")
    DelegateFactory(event=event, first_name="Wyn", email="wyn@example.org", status="waitlisted")

    page.goto("/admin/login/?next=/admin/mailings/mailing/add/")
    page.get_by_label("Username").fill(organiser.username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()

    page.get_by_label("Event").select_option(label="Kent and Medway ICS symposium")
    page.get_by_label("Subject").fill("Room change at {event}")
    page.get_by_label("Body").fill("Dear {first_name},\n\nThe plenary is now in the Great Hall.")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator("#audience-count")).to_contain_text("This message is for 2 delegates")
    page.get_by_label("Preview for").select_option(label="Sam Okafor (Kent County Council)")
    page.get_by_role("button", name="Show preview").click()
    expect(page.locator("#preview-subject")).to_have_text(
        "Subject: Room change at Kent and Medway ICS symposium"
    )
    expect(page.locator("#preview-html")).to_contain_text("Dear Sam,")

    page.get_by_role("button", name="Send a test to me").click()
    expect(page.locator(".messagelist")).to_contain_text("as Sam Okafor would get it")
    call_command("send_mail")
    assert received(smtp_sink) == [
        (organiser.email, "[Test] Room change at Kent and Medway ICS symposium")
    ]

    send_at = dt.datetime.combine(event.starts_on - dt.timedelta(days=7), dt.time(9, 30))
    page.get_by_label("Send at (UK time)").fill(f"{send_at:%Y-%m-%dT%H:%M}")
    page.get_by_role("button", name="Schedule").click()
    expect(page.locator(".messagelist")).to_contain_text("(UK time)")
    mailing = Mailing.objects.get(kind="message")
    assert mailing.send_at == send_at.replace(tzinfo=LONDON)

    services.run_scheduler(now=mailing.send_at - dt.timedelta(minutes=1))
    call_command("send_mail")
    assert len(smtp_sink.envelopes) == 1  # Not before its time.
    services.run_scheduler(now=mailing.send_at)  # send_mailings' run at that minute,
    call_command("send_mail")  # then the mail worker's.

    assert received(smtp_sink) == [
        ("priya@example.org", "Room change at Kent and Medway ICS symposium"),
        ("sam@example.org", "Room change at Kent and Medway ICS symposium"),
        (organiser.email, "[Test] Room change at Kent and Medway ICS symposium"),
    ]
    page.goto(f"/admin/mailings/mailing/{mailing.pk}/change/")
    expect(page.get_by_text("2 / 2")).to_be_visible()
    assert page.script_errors == []
