"""Sending: personalised copies queued in batches into django-mailer's queue, each
delegate once, whether the send is interrupted, crashes half-way, or two schedulers
run at once."""

import datetime as dt
import subprocess
import sys
import threading
from collections import Counter

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from mailer.models import PRIORITY_LOW, Message

from mailings import services
from mailings.enums import MailingStatus, RecipientStatus
from mailings.models import Mailing, Recipient
from symposium.enums import RegistrationStatus
from tests.factories import DelegateFactory, EventFactory
from tests.mailings.conftest import make_mailing
from tests.servers import ROOT, production_env

pytestmark = [pytest.mark.postgres]


@pytest.fixture
def queue_only(settings):
    """Only the queue: no sending straight after the commit."""
    settings.SEND_MAIL_ON_COMMIT = False


def scheduled(event, **fields):
    mailing = make_mailing(event, subject="Hello {first_name}", **fields)
    return services.schedule(mailing=mailing, send_at=timezone.now())


def queued_addresses():
    return Counter(address for message in Message.objects.all() for address in message.to_addresses)


@pytest.mark.django_db
def test_the_scheduler_queues_one_personalised_copy_per_delegate(world, queue_only):
    mailing = scheduled(world["event"])

    call_command("send_mailings")

    mailing.refresh_from_db()
    assert (mailing.status, mailing.queued, mailing.total) == (MailingStatus.SENT, 3, 3)
    assert mailing.started_at is not None
    assert mailing.finished_at is not None
    by_address = {message.to_addresses[0]: message for message in Message.objects.all()}
    people = world["people"]
    assert set(by_address) == {people[name].email for name in ("ana", "ben", "eve")}
    assert by_address[people["ben"].email].subject == "Hello Ben"
    assert {message.priority for message in by_address.values()} == {PRIORITY_LOW}
    recipients = Recipient.objects.filter(mailing=mailing)
    assert {r.status for r in recipients} == {RecipientStatus.QUEUED}
    assert all(r.queued_at for r in recipients)


@pytest.mark.django_db
def test_the_worker_sends_what_was_queued(world):
    scheduled(world["event"])

    services.run_scheduler()  # The test settings send each batch after its commit.

    assert sorted(message.subject for message in mail.outbox) == [
        "Hello Ana",
        "Hello Ben",
        "Hello Eve",
    ]
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_a_mailing_not_due_yet_waits(world, queue_only):
    mailing = make_mailing(world["event"])
    services.schedule(mailing=mailing, send_at=timezone.now() + dt.timedelta(minutes=5))

    services.run_scheduler()
    assert not Message.objects.exists()
    services.run_scheduler(now=timezone.now() + dt.timedelta(minutes=6))

    assert Message.objects.count() == 3


@pytest.mark.django_db
def test_a_draft_is_never_sent(world, queue_only):
    make_mailing(world["event"])

    services.run_scheduler()

    assert not Message.objects.exists()


@pytest.mark.django_db
def test_an_interrupted_send_resumes_and_sends_each_message_once(world, queue_only):
    for number in range(7):
        DelegateFactory(event=world["event"], email=f"more{number}@example.org")
    mailing = scheduled(world["event"])

    services.send(mailing_pk=mailing.pk, batch_size=4, max_batches=1)  # Stopped here.

    mailing.refresh_from_db()
    assert (mailing.status, mailing.queued, mailing.total) == (MailingStatus.SENDING, 4, 10)
    assert Message.objects.count() == 4

    services.run_scheduler(batch_size=4)  # Cron's next run carries on.

    mailing.refresh_from_db()
    assert (mailing.status, mailing.queued, mailing.total) == (MailingStatus.SENT, 10, 10)
    assert set(queued_addresses().values()) == {1}
    assert len(queued_addresses()) == 10
    services.run_scheduler(batch_size=4)
    assert Message.objects.count() == 10


@pytest.mark.django_db
def test_a_send_that_crashes_half_way_resumes_without_sending_twice(world, queue_only, monkeypatch):
    for number in range(5):
        DelegateFactory(event=world["event"], email=f"more{number}@example.org")
    scheduled(world["event"])
    build = services.build
    built = []

    def crash_on_the_sixth(*args, **kwargs):
        built.append(1)
        if len(built) == 6:
            raise RuntimeError("the server went away")
        return build(*args, **kwargs)

    monkeypatch.setattr(services, "build", crash_on_the_sixth)
    with pytest.raises(RuntimeError, match="went away"):
        services.run_scheduler(batch_size=3)

    # The first batch committed; the second, which crashed, left nothing behind.
    assert Message.objects.count() == 3
    assert Recipient.objects.filter(status=RecipientStatus.QUEUED).count() == 3
    monkeypatch.setattr(services, "build", build)

    services.run_scheduler(batch_size=3)

    addresses = queued_addresses()
    assert len(addresses) == 8
    assert set(addresses.values()) == {1}


@pytest.mark.django_db
def test_an_address_no_header_can_carry_is_set_aside_and_the_rest_sent(world, queue_only):
    ben = world["people"]["ben"]
    ben.email = "ben@example.org\nBcc: everyone@example.org"
    ben.save()
    mailing = scheduled(world["event"])

    services.run_scheduler()

    mailing.refresh_from_db()
    failed = Recipient.objects.get(delegate=ben)
    assert (mailing.status, mailing.queued, mailing.total) == (MailingStatus.SENT, 2, 3)
    assert (failed.status, failed.error) == (
        RecipientStatus.FAILED,
        "the email address cannot go into a mail header",
    )
    assert Message.objects.count() == 2


@pytest.mark.django_db
def test_a_mailing_sent_cannot_be_sent_again(world, queue_only):
    mailing = scheduled(world["event"])
    services.run_scheduler()

    with pytest.raises(Exception, match="already being sent"):
        services.schedule(mailing=mailing, send_at=timezone.now())
    services.run_scheduler()

    assert Message.objects.count() == 3


@pytest.mark.django_db
def test_someone_registering_during_a_send_is_not_added_to_it(world, queue_only):
    mailing = scheduled(world["event"])
    services.send(mailing_pk=mailing.pk, batch_size=1, max_batches=1)
    DelegateFactory(event=world["event"], email="late@example.org")

    services.run_scheduler()

    assert "late@example.org" not in queued_addresses()
    assert Message.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_send_each_message_once(queue_only):
    event = EventFactory()
    for number in range(30):
        DelegateFactory(event=event, email=f"delegate-{number}@example.org")
    for _ in range(2):
        scheduled(event)
    barrier = threading.Barrier(4)
    errors = []

    def scheduler():
        try:
            barrier.wait(timeout=30)
            services.run_scheduler(batch_size=2)
        except Exception as error:  # Reported below, not lost in the thread.
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert Message.objects.count() == 60
    assert set(queued_addresses().values()) == {2}
    assert Recipient.objects.filter(status=RecipientStatus.QUEUED).count() == 60
    assert list(Mailing.objects.filter(kind="message").values_list("status", "queued")) == [
        (MailingStatus.SENT, 30),
        (MailingStatus.SENT, 30),
    ]


@pytest.mark.django_db(transaction=True)
def test_two_servers_running_the_cron_command_at_once_send_each_message_once():
    event = EventFactory()
    for number in range(40):
        DelegateFactory(event=event, email=f"delegate-{number}@example.org")
    mailing = scheduled(event)
    command = [sys.executable, "manage.py", "send_mailings", "--batch-size", "3"]
    env = production_env()

    servers = [subprocess.Popen(command, cwd=ROOT, env=env) for _ in range(2)]
    codes = [server.wait(timeout=120) for server in servers]

    assert codes == [0, 0]
    mailing.refresh_from_db()
    assert (mailing.status, mailing.queued, mailing.total) == (MailingStatus.SENT, 40, 40)
    assert Message.objects.count() == 40
    assert set(queued_addresses().values()) == {1}


@pytest.mark.django_db
def test_the_cancelled_are_emailed_only_when_chosen(world, queue_only):
    scheduled(world["event"], statuses=[RegistrationStatus.CANCELLED])

    services.run_scheduler()

    assert list(queued_addresses()) == [world["people"]["dan"].email]
