"""The task queue's worker killed (SIGKILL) ten times during a send of 2,000 emails: no
email is lost, and each kill repeats at most one email, the one in flight, with the
same Message-ID. A real SMTP server (aiosmtpd) and the worker as deployed, a process of
its own (`manage.py procrastinate worker`) on the test database; the emails owed as
registrations owe them, each with its `deliver_email` task."""

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
from django.db import transaction
from mailer.models import Message

from symposium import outbox
from symposium.enums import RegistrationStatus
from symposium.models import Delegate, OutboxEmail
from tests.factories import EventFactory
from tests.servers import ROOT, free_port, production_env

pytestmark = [pytest.mark.postgres]

EMAILS = 2000
KILLS = 10
WORKER = [sys.executable, "manage.py", "procrastinate", "worker"]


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
    delegates = Delegate.objects.bulk_create(
        Delegate(
            event=event,
            first_name="Delegate",
            last_name=f"Number {number}",
            email=f"delegate-{number:04d}@example.org",
            organisation="Kent and Medway ICB",
            sector="nhs",
            status=RegistrationStatus.CONFIRMED,
        )
        for number in range(EMAILS)
    )
    settings.SEND_MAIL_ON_COMMIT = False
    with transaction.atomic():  # As the registrations do: owed, with a task each.
        for delegate in delegates:
            outbox.notify_registered(delegate=delegate)
    assert OutboxEmail.objects.count() == EMAILS
    assert not Message.objects.exists()

    port = free_port()
    sink = Sink()
    server = Controller(sink, hostname="127.0.0.1", port=port)
    server.start()
    env = production_env(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        WORKER_HEARTBEAT_SECONDS="1",  # A killed worker's job is retried within a minute.
    )
    chance = random.Random(22)
    in_flight_at_kill = []  # How many had arrived when each kill landed.
    everyone = {f"delegate-{number:04d}@example.org" for number in range(EMAILS)}
    started = time.monotonic()
    worker = None
    try:
        for kill in range(KILLS):
            worker = subprocess.Popen(WORKER, cwd=ROOT, env=env)
            target = len(sink.received) + chance.randint(20, 150)
            wait_until(lambda target=target: len(sink.received) >= target, within=120)
            if kill % 2 == 0:  # Worst case: delivered, and "accepted" not yet read.
                sink.holding.clear()
                sink.hold_next.set()
                assert sink.holding.wait(timeout=30)
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()
            time.sleep(0.3)  # What the server was reading when the worker died lands.
            in_flight_at_kill.append(len(sink.received))
        # A worker left alone finishes: the killed workers' jobs are retried once
        # their heartbeat is stale, what they left queued is sent by the sweep.
        worker = subprocess.Popen(WORKER, cwd=ROOT, env=env)
        wait_until(lambda: {to for to, _ in sink.received} >= everyone, within=240)
        wait_until(lambda: not Message.objects.exists(), within=60)
    finally:
        if worker is not None and worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)
        server.stop()
    print(f"{EMAILS} emails, {KILLS} kills: {time.monotonic() - started:.0f} s")

    deliveries = Counter(to for to, _message_id in sink.received)
    assert set(deliveries) == everyone  # Nothing lost,
    assert not OutboxEmail.objects.exists()
    twice = {to for to, count in deliveries.items() if count > 1}
    assert max(deliveries.values()) <= 2
    assert KILLS // 2 <= len(twice) <= KILLS  # at most one per kill (and each held one),
    last_before_kill = {sink.received[count - 1][0] for count in in_flight_at_kill}
    assert twice <= last_before_kill  # only the one in flight when a kill landed,
    for to in twice:  # and with the same Message-ID, so mail programs show it once.
        assert len({mid for address, mid in sink.received if address == to}) == 1
