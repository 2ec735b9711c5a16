"""The mail worker (symposium/mail_worker.py, run by the task queue's sweep,
symposium.tasks.send_mail) against a real SMTP server (aiosmtpd): a message the server
puts off comes back within a minute, 5 s then doubling up to a minute, without
`retry_deferred`; one refused for good is not retried; an unreachable server leaves
every message as it was."""

import datetime as dt
import email
import subprocess
import sys
import time
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import EmailMessage
from django.utils import timezone
from mailer.models import RESULT_FAILURE, RESULT_SUCCESS, Message, MessageLog

from symposium import mail_worker
from symposium.mail_worker import DEFERRED, SENT, MailWorker, ServerUnreachable
from tests.servers import ROOT, free_port, production_env

pytestmark = [pytest.mark.postgres]


@pytest.fixture
def _mail_worker_on_commit():
    """Replaces the conftest fixture: here only the worker sends."""


class FussyServer:
    """Says "try later" (451), or "no such user" (550), to the first `refusals` tries."""

    def __init__(self, refusals=0, code=451):
        self.refusals, self.code = refusals, code
        self.tries = 0
        self.received = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.tries += 1
        if self.tries <= self.refusals:
            return (
                f"{self.code} {self.code // 100}.2.0 Not now"
                if self.code < 500
                else ("550 5.1.1 No such user")
            )
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings):
    port = free_port()
    settings.MAILER_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 5
    servers = []

    def start(handler):
        server = Controller(handler, hostname="127.0.0.1", port=port)
        server.start()
        servers.append(server)
        return handler

    yield start
    for server in servers:
        server.stop()


def queue(to="sam@example.org"):
    message = Message()
    message.email = EmailMessage("Your day", "See you there.", to=[to])
    message.save()
    return message


@pytest.mark.django_db
def test_a_put_off_message_comes_back_after_5_10_20_seconds_then_every_minute(smtp):
    server = smtp(FussyServer(refusals=4))
    message = queue()
    worker = MailWorker()
    start = timezone.now()
    waits = []

    at = start
    for _ in range(4):
        assert worker.send_next(now=at) == DEFERRED
        message.refresh_from_db()
        wait = dt.timedelta(seconds=1)
        while mail_worker.retry_due(now=at + wait) == 0:
            wait += dt.timedelta(seconds=1)
        waits.append(wait.total_seconds())
        at += wait
    assert worker.send_next(now=at) == SENT
    worker.close()

    assert waits == [5, 10, 20, 40]
    assert mail_worker.retry_delay(5) == mail_worker.retry_delay(50) == dt.timedelta(minutes=1)
    [received] = server.received
    assert received["To"] == "sam@example.org"
    assert not Message.objects.exists()
    assert (
        sorted(MessageLog.objects.values_list("result", flat=True))
        == [RESULT_SUCCESS] + [RESULT_FAILURE] * 4
    )


@pytest.mark.django_db
def test_a_message_refused_for_good_is_not_retried(smtp):
    smtp(FussyServer(refusals=1, code=550))
    queue()

    assert MailWorker().send_next() == DEFERRED

    assert mail_worker.retry_due(now=timezone.now() + dt.timedelta(days=2)) == 0
    assert Message.objects.deferred().count() == 1


@pytest.mark.django_db
def test_an_unreachable_server_leaves_the_message_as_it_was(smtp):
    message = queue()  # Nothing listens on the port.

    with pytest.raises(ServerUnreachable):
        MailWorker().send_next()

    assert list(Message.objects.non_deferred().values_list("pk", "retry_count")) == [
        (message.pk, 0)
    ]
    assert not MessageLog.objects.exists()


def wait_until(check, *, within):
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.mark.django_db(transaction=True)
def test_the_worker_process_delivers_put_off_and_unreachable_mail_within_a_minute(smtp, settings):
    """The worker as deployed (`manage.py procrastinate worker`, its sweep every 15 s):
    the server is down, then says "try later", then takes it. No cron job runs
    `retry_deferred`."""
    queue("first@example.org")
    env = production_env(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(settings.EMAIL_PORT),
        MAILER_EMPTY_QUEUE_SLEEP="1",
    )
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "procrastinate", "worker"], cwd=ROOT, env=env
    )
    try:
        time.sleep(3)  # Down: the message waits, untouched.
        assert Message.objects.non_deferred().count() == 1
        server = smtp(FussyServer(refusals=1))
        started = time.monotonic()
        assert wait_until(lambda: len(server.received) == 1, within=60)
        took = time.monotonic() - started
    finally:
        worker.kill()
        worker.wait()

    assert server.tries == 2  # Put off once, then delivered.
    # The next sweep (15 s at most), then the one after "try later" and its 5 s.
    assert took < 45
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_an_email_queued_without_a_message_id_gets_one_in_the_sites_domain(smtp, settings):
    """Django's own emails (a password reset) reach the queue with no Message-ID."""
    settings.SITE_URL = "https://events.kentmedway.nhs.uk"
    server = smtp(FussyServer())
    queue()

    assert MailWorker().send_next() == SENT

    [received] = server.received
    assert received["Message-ID"].endswith("@events.kentmedway.nhs.uk>")
    assert MessageLog.objects.get().message_id == received["Message-ID"]
