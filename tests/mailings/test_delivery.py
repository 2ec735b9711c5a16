"""A mailing queued while the mail server is down is delivered, each copy once, when it
is back. A real SMTP server (aiosmtpd) on a local port."""

import email

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.utils import timezone
from mailer.models import Message

from mailings import services
from tests.mailings.conftest import make_mailing
from tests.symposium.test_email_queue import Inbox

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def _mail_worker_on_commit():
    """Replaces the conftest fixture: here only the worker sends."""


@pytest.fixture
def real_smtp(settings, unused_port):
    settings.MAILER_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", unused_port
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 5
    settings.SEND_MAIL_ON_COMMIT = False
    return unused_port


@pytest.fixture
def unused_port():
    from tests.servers import free_port

    return free_port()


def test_smtp_down_then_up_delivers_every_copy_once(world, real_smtp):
    mailing = make_mailing(world["event"], subject="Room change for {first_name}")
    services.schedule(mailing=mailing, send_at=timezone.now())
    call_command("send_mailings")
    assert Message.objects.count() == 3

    call_command("send_mail")  # Nothing listens: every copy put aside, none lost.

    assert Message.objects.deferred().count() == 3
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=real_smtp)
    server.start()
    try:
        call_command("send_mailings")  # Cron again: nothing is queued twice.
        call_command("retry_deferred")
        call_command("send_mail")
        call_command("retry_deferred")
        call_command("send_mail")
    finally:
        server.stop()

    received = sorted(
        (envelope.rcpt_tos[0], email.message_from_bytes(envelope.content)["Subject"])
        for envelope in inbox.envelopes
    )
    people = world["people"]
    assert received == [
        (people["ana"].email, "Room change for Ana"),
        (people["ben"].email, "Room change for Ben"),
        (people["eve"].email, "Room change for Eve"),
    ]
    assert not Message.objects.exists()
    sent = email.message_from_bytes(inbox.envelopes[0].content)
    assert [part.get_content_type() for part in sent.walk()] == [
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]
