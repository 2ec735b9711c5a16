"""Emails are owed in the database with the change that causes them, queued once it has
committed, and sent by the worker, which puts a message aside when the mail server is
down and sends it, once, when it is back. A real SMTP server (aiosmtpd) on a local
port; no mocks."""

import email
import socket

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from django.urls import reverse
from mailer.models import RESULT_SUCCESS, Message, MessageLog
from procrastinate.contrib.django.models import ProcrastinateJob

from registration import services
from symposium import tasks
from symposium.models import Delegate, OutboxEmail
from tests.factories import BreakoutRoundFactory, BreakoutSessionFactory, EventFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ADDRESS = "priya.oneill@nhs.net"


@pytest.fixture
def _mail_worker_on_commit():
    """Replaces the conftest fixture: here only the worker sends."""


@pytest.fixture
def smtp_port():
    """A local port where, for now, nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def real_smtp(settings, smtp_port):
    settings.MAILER_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_port
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 5
    return smtp_port


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def event():
    return EventFactory(name="Kent and Medway ICS symposium", slug="kent-medway")


def registration_data(event):
    session = BreakoutSessionFactory(
        theme__event=event, agenda_item=BreakoutRoundFactory(event=event), capacity=10
    )
    return {
        "first_name": "Priya",
        "last_name": "O'Neill",
        "email": ADDRESS,
        "organisation": "Kent and Medway ICB",
        "sector": "nhs",
        "privacy_consent": "on",
        f"round_{session.agenda_item_id}": str(session.pk),
    }


def test_registration_succeeds_while_the_mail_server_is_down_and_is_sent_once_it_is_back(
    post, event, real_smtp
):
    url = reverse("registration:register", kwargs={"event_slug": event.slug})

    response = post(url, registration_data(event))  # Runs what follows the commit.

    assert response.status_code == 302
    assert response.url == reverse(
        "registration:register-done", kwargs={"event_slug": "kent-medway"}
    )
    assert Delegate.objects.filter(email=ADDRESS).count() == 1
    # The request built nothing: the email is owed, with its task queued beside it.
    [owed] = OutboxEmail.objects.all()
    assert not Message.objects.exists()
    [job] = ProcrastinateJob.objects.filter(task_name="symposium.tasks.deliver_email")
    assert job.args == {"owed_pk": owed.pk}

    tasks.deliver_email(**job.args)  # Nothing listens on the port: queued, not lost.

    assert not OutboxEmail.objects.exists()
    [queued] = Message.objects.all()
    assert queued.to_addresses == [ADDRESS]
    assert queued.subject == "Your place at Kent and Medway ICS symposium is confirmed"
    tasks.deliver_email(**job.args)  # Run again (a retry): built once, nothing more.
    assert Message.objects.count() == 1
    with pytest.raises(tasks.MailServerUnreachable):
        tasks.send_mail()  # The sweep: still unreachable (the job fails, for the admin).
    assert Message.objects.count() == 1
    assert not MessageLog.objects.exists()

    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=real_smtp)
    server.start()
    try:
        tasks.sweep()
        tasks.sweep()
    finally:
        server.stop()

    [envelope] = inbox.envelopes
    assert envelope.rcpt_tos == [ADDRESS]
    sent = email.message_from_bytes(envelope.content)
    assert sent["Subject"] == "Your place at Kent and Medway ICS symposium is confirmed"
    assert [part.get_content_type() for part in sent.walk() if part.get_filename()] == [
        "text/calendar"
    ]
    assert not Message.objects.exists()
    assert list(MessageLog.objects.values_list("result", flat=True)) == [RESULT_SUCCESS]


def test_registration_that_rolls_back_leaves_no_email_owed_or_queued(
    event, django_capture_on_commit_callbacks
):
    owed_inside = []

    def register_then_fail():
        with transaction.atomic():
            services.register_delegate(
                event=event,
                first_name="Sam",
                last_name="Okafor",
                email="sam.okafor@medway.gov.uk",
                organisation="Medway Council",
                sector="council",
            )
            owed_inside.extend(
                OutboxEmail.objects.values_list("kind", "delegate__email", "attempts")
            )
            raise RuntimeError("a later step failed")

    with (
        django_capture_on_commit_callbacks(execute=True) as after_commit,
        pytest.raises(RuntimeError, match="later step failed"),
    ):
        register_then_fail()

    # Owed in the same transaction...
    assert owed_inside == [("registered", "sam.okafor@medway.gov.uk", 0)]
    assert not OutboxEmail.objects.exists()  # ...so rolled back with it,
    assert after_commit == []  # and nothing is built after it.
    assert not Message.objects.exists()
    assert not Delegate.objects.exists()
