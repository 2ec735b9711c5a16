"""A mail worker killed (SIGKILL) again and again in the middle of a send: no email is
lost, and each kill repeats at most one email, the one in flight, with the same
Message-ID. A real SMTP server (aiosmtpd) and the worker as deployed, a process of its
own (`manage.py run_mail_worker`) on the test database."""

import asyncio
import email
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone
from mailer.models import Message

from mailings import services
from symposium import mail_worker
from tests.factories import DelegateFactory, EventFactory
from tests.mailings.conftest import make_mailing
from tests.servers import ROOT, free_port, production_env

pytestmark = [pytest.mark.postgres]

EMAILS = 120
KILLS = 8
WORKER = [sys.executable, "manage.py", "run_mail_worker"]


@pytest.fixture
def _mail_worker_on_commit():
    """Replaces the conftest fixture: here only the worker sends."""


class Sink:
    """Records each email as it arrives. Asked to, it holds its "250 accepted" for the
    next one: the email is delivered, the worker does not know it yet."""

    def __init__(self):
        self.received = []  # (To, Message-ID), in order of arrival.
        self.hold_next = threading.Event()
        self.holding = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((message["To"], message["Message-ID"]))
        if self.hold_next.is_set():
            self.hold_next.clear()
            self.holding.set()
            await asyncio.sleep(5)
        return "250 Message accepted for delivery"


def wait_until(check, *, within):
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_loses_nothing_and_repeats_only_the_email_in_flight(settings):
    event = EventFactory(name="Kent and Medway ICS symposium")
    for number in range(EMAILS):
        DelegateFactory(event=event, email=f"delegate-{number:03d}@example.org")
    settings.SEND_MAIL_ON_COMMIT = False
    mailing = make_mailing(event, subject="Room change for {first_name}")
    services.schedule(mailing=mailing, send_at=timezone.now())
    services.run_scheduler()
    assert Message.objects.count() == EMAILS

    port = free_port()
    sink = Sink()
    server = Controller(sink, hostname="127.0.0.1", port=port)
    server.start()
    env = production_env(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        MAILER_EMPTY_QUEUE_SLEEP="1",
    )
    chance = random.Random(20)
    in_flight_at_kill = []  # How many had arrived when each kill landed.
    try:
        for kill in range(KILLS):
            worker = subprocess.Popen(WORKER, cwd=ROOT, env=env)
            target = len(sink.received) + chance.randint(3, 10)
            wait_until(lambda target=target: len(sink.received) >= target, within=60)
            if kill % 2 == 0:  # Worst case: delivered, and "accepted" not yet read.
                sink.holding.clear()
                sink.hold_next.set()
                assert sink.holding.wait(timeout=30)
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()
            time.sleep(0.3)  # What the server was reading when the worker died lands.
            in_flight_at_kill.append(len(sink.received))
        settings.MAILER_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        mail_worker.run(once=True)  # A worker that is left alone finishes the queue.
    finally:
        server.stop()

    deliveries = Counter(to for to, _message_id in sink.received)
    everyone = {f"delegate-{number:03d}@example.org" for number in range(EMAILS)}
    assert set(deliveries) == everyone  # Nothing lost,
    assert not Message.objects.exists()
    twice = {to for to, count in deliveries.items() if count > 1}
    assert max(deliveries.values()) <= 2
    assert KILLS // 2 <= len(twice) <= KILLS  # at most one per kill (and each held one),
    last_before_kill = {sink.received[count - 1][0] for count in in_flight_at_kill}
    assert twice <= last_before_kill  # only the one in flight when a kill landed,
    for to in twice:  # and with the same Message-ID, so mail programs show it once.
        assert len({mid for address, mid in sink.received if address == to}) == 1
