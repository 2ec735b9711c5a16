"""Emails are owed in the change's transaction and built after its commit: text that
cannot go into a calendar or a mail header as it is never breaks a registration, and a
delegate whose email cannot be built never stops someone else's cancellation or erasure.
What is left owed (a process that died after the commit, a failure) the sweep queues.

The forms and the model refuse control characters in names, but rows written before
they did, the admin's bulk tools and imports can still hold them: such rows are made
here as an import would, without validation."""

import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from icalendar import Calendar
from mailer.models import Message

from registration import privacy, services
from symposium.enums import RegistrationStatus
from symposium.models import Delegate, OutboxEmail
from tests.factories import AgendaItemFactory, DelegateFactory, EventFactory
from tests.servers import production_env

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
# Eve's surname as an old row holds it.
EVE_ADAMS = "Adams\r\nBcc: x@example.com"


def unsendable(address):
    """What an import or an old row can hold: no mail header can carry it as it is."""
    return f"{address}\r\nBcc: x@example.com"


@pytest.fixture
def event(db):
    event = EventFactory(name="Kent and Medway ICS symposium", slug="kent-medway")
    AgendaItemFactory(event=event, title="Welcome")
    return event


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """Runs a service as a request would: its on-commit work included."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


def register(event, name, email):
    first_name, last_name = name.split(" ")
    return services.register_delegate(
        event=event,
        first_name=first_name,
        last_name=last_name,
        email=email,
        organisation="Medway Council",
        sector="council",
    ).delegate


def imported_waitlisted(event, *, first_name, last_name, email):
    """A delegate on the waitlist as an import wrote them: not validated."""
    return DelegateFactory(
        event=event,
        first_name=first_name,
        last_name=last_name,
        email=email,
        status=RegistrationStatus.WAITLISTED,
    )


def calendar_text(message):
    [(_, content, _)] = message.attachments
    return content.decode() if isinstance(content, bytes) else content


def calendar_name(message):
    return str(Calendar.from_ical(calendar_text(message))["X-WR-CALNAME"])


def injected_lines(message):
    """Lines that are neither a property, as icalendar writes one (upper case), nor the
    continuation of a folded line."""
    lines = calendar_text(message).split("\r\n")[:-1]
    return [line for line in lines if not re.match(r"[A-Z][A-Z0-9-]*[;:]| ", line)]


@pytest.mark.django_db
def test_line_break_in_name_gives_a_calendar_without_injected_lines(
    event, after_commit, mailoutbox
):
    event.delegate_capacity = 1
    event.save()
    ada = register(event, "Ada Lovelace", "ada@example.org")
    eve = imported_waitlisted(event, first_name="Eve", last_name=EVE_ADAMS, email="eve@example.org")

    after_commit(services.cancel_registration, delegate=ada)  # Eve gets the place.

    eve.refresh_from_db()
    assert eve.status == RegistrationStatus.CONFIRMED
    [message] = [message for message in mailoutbox if message.to == ["eve@example.org"]]
    assert calendar_name(message) == "Kent and Medway ICS symposium – Eve Adams Bcc: x@example.com"
    assert injected_lines(message) == []
    assert message.message()["Bcc"] is None
    assert owed(eve) == []


@pytest.mark.django_db
def test_line_break_in_event_name_gives_a_one_line_subject(event, after_commit, mailoutbox):
    event.name = "Kent and Medway\r\nBcc: x@example.com"
    event.save()

    after_commit(register, event=event, name="Sam Okafor", email="sam@example.org")

    [message] = mailoutbox
    assert message.subject == "Your place at Kent and Medway Bcc: x@example.com is confirmed"
    assert message.message()["Bcc"] is None
    assert calendar_name(message) == "Kent and Medway Bcc: x@example.com – Sam Okafor"
    assert injected_lines(message) == []


@pytest.mark.django_db
def test_unusable_contact_email_is_left_out_of_reply_to(event, after_commit, mailoutbox):
    event.contact_email = "events@example.org\nBcc: x@example.com"
    event.save()

    after_commit(register, event=event, name="Sam Okafor", email="sam@example.org")

    [message] = mailoutbox
    assert message.reply_to == []
    assert message.message()["Bcc"] is None


@pytest.fixture
def full_event(event):
    """Two places, both taken; Eve (a line break in her name) and Finn on the waitlist,
    imported with addresses no mail header can carry."""
    event.delegate_capacity = 2
    event.save()
    ada = register(event, "Ada Lovelace", "ada@example.org")
    ben = register(event, "Ben Okri", "ben@example.org")
    eve = imported_waitlisted(
        event, first_name="Eve", last_name=EVE_ADAMS, email=unsendable("eve@example.org")
    )
    finn = imported_waitlisted(
        event, first_name="Finn", last_name="Doyle", email=unsendable("finn@example.org")
    )
    OutboxEmail.objects.all().delete()  # Their confirmations are not what is tested.
    return ada, ben, eve, finn


def owed(delegate):
    return list(OutboxEmail.objects.filter(delegate=delegate).values_list("kind", "attempts"))


@pytest.mark.django_db
def test_cancel_and_erase_go_through_when_the_promoted_delegates_email_cannot_be_built(
    full_event, after_commit, mailoutbox
):
    ada, ben, eve, finn = full_event

    cancelled = after_commit(services.cancel_registration, delegate=ada)
    erased = after_commit(privacy.erase_registration, delegate=ben)

    assert cancelled.status == RegistrationStatus.CANCELLED
    assert erased is True
    assert not Delegate.objects.filter(pk=ben.pk).exists()
    assert set(Delegate.objects.values_list("last_name", "status")) == {
        ("Lovelace", RegistrationStatus.CANCELLED),
        (EVE_ADAMS, RegistrationStatus.CONFIRMED),
        ("Doyle", RegistrationStatus.CONFIRMED),
    }
    # The cancelled delegate has her email (the erased one none); Eve and Finn's are owed.
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == [
        ("ada@example.org", "Your registration for Kent and Medway ICS symposium is cancelled"),
    ]
    assert owed(eve) == [("event_place", 1)]
    assert owed(finn) == [("event_place", 1)]
    assert OutboxEmail.objects.get(delegate=eve).last_error == (
        "Unsendable: the email address cannot go into a mail header"
    )


@pytest.mark.django_db
def test_sweep_queues_what_failed_once_the_data_is_corrected(full_event, after_commit):
    ada, ben, eve, finn = full_event
    after_commit(services.cancel_registration, delegate=ada)
    after_commit(services.cancel_registration, delegate=ben)
    Message.objects.all().delete()
    Delegate.objects.filter(pk=eve.pk).update(email="eve@example.org")  # An organiser's fix.

    call_command("send_outbox", "--build-only")

    [queued] = Message.objects.all()
    assert queued.to_addresses == ["eve@example.org"]
    assert (
        queued.subject
        == "A place has come up: you are now confirmed for Kent and Medway ICS symposium"
    )
    assert owed(eve) == []
    assert owed(finn) == [("event_place", 2)]


DIE_AFTER_COMMIT = """
import os
from django.db import transaction
from registration import services
from symposium.models import Event

with transaction.atomic():
    # Before the email's own on-commit work: the process dies between the two.
    transaction.on_commit(lambda: os._exit(0))
    services.register_delegate(
        event=Event.objects.get(slug="kent-medway"), first_name="Priya", last_name="O'Neill",
        email="priya@example.org", organisation="Kent and Medway ICB", sector="nhs",
    )
"""


@pytest.mark.django_db(transaction=True)
def test_sweep_queues_the_email_of_a_process_that_died_after_its_commit(event):
    died = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", DIE_AFTER_COMMIT],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert died.returncode == 0, died.stderr
    assert Delegate.objects.get().email == "priya@example.org"
    assert owed(Delegate.objects.get()) == [("registered", 0)]
    assert not Message.objects.exists()

    call_command("send_outbox", "--build-only")

    [queued] = Message.objects.all()
    assert queued.to_addresses == ["priya@example.org"]
    assert not OutboxEmail.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_sweep_skips_what_another_server_is_queueing(event):
    first = DelegateFactory(event=event, email="ada@example.org")
    second = DelegateFactory(event=event, email="ben@example.org")
    for delegate in (first, second):
        OutboxEmail.objects.create(kind="registered", delegate=delegate)
    locked, release = threading.Event(), threading.Event()

    def another_server():
        try:
            with transaction.atomic():
                OutboxEmail.objects.select_for_update().filter(delegate=first).get()
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    server = threading.Thread(target=another_server)
    server.start()
    try:
        assert locked.wait(timeout=30)
        call_command("send_outbox", "--build-only")
        queued_while_locked = [m.to_addresses for m in Message.objects.all()]
    finally:
        release.set()
        server.join()
    call_command("send_outbox", "--build-only")

    assert queued_while_locked == [["ben@example.org"]]
    assert sorted(m.to_addresses for m in Message.objects.all()) == [
        ["ada@example.org"],
        ["ben@example.org"],
    ]
    assert not OutboxEmail.objects.filter(delegate__in=[first, second]).exists()


@pytest.mark.django_db
def test_a_message_queued_before_the_email_class_moved_still_sends(mailoutbox):
    """django-mailer keeps each queued email as a pickle, which names its class's module:
    one queued when the class lived in checkin.emails is still read and sent."""
    import base64
    import pickle

    from mailer.engine import send_all

    from symposium.outbox import HtmlEmail

    email = HtmlEmail(subject="Your place", body="See you there", to=["ada@example.com"])
    email.attach_alternative("<p>See you there</p>", "text/html")
    # Protocol 0 names the class as text, as an older pickle would: "module\nname".
    data = pickle.dumps(email, protocol=0)
    old = data.replace(b"symposium.outbox\nHtmlEmail", b"checkin.emails\nHtmlEmail")
    assert old != data
    Message.objects.create(message_data=base64.b64encode(old).decode("ascii"))

    send_all()

    [sent] = mailoutbox
    assert sent.subject == "Your place"
    assert sent.alternatives[0][0] == "<p>See you there</p>"
