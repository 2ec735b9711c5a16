"""Erasure and purge leave no email behind: queued, deferred or logged.

The mail server is down (nothing listens on its port; then it refuses the recipient),
so django-mailer defers the delegate's confirmation and manage link and logs each try,
with a copy of the message (MAILER_EMAIL_LOG_MESSAGE_DATA, which a site may turn on)
and the server's error; an organiser's mailing to the event and a test of it, made as
the delegate, wait in the queue. After "delete my data", or the purge, the delegate's
address and name are in no row of any table of the database, django-mailer's emails
read back as MIME; someone else's emails are still there.
"""

import datetime as dt
import email
import email.policy
import html
import re
import smtplib
import threading
import time

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from mailer import engine
from mailer.models import PRIORITY_DEFERRED, Message, MessageLog, db_to_email

from mailings import services as mailings
from registration import emails, privacy, services
from symposium import outbox
from symposium.enums import RegistrationStatus
from symposium.models import Delegate, OutboxEmail
from tests.factories import (
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    EventFactory,
    ThemeFactory,
    UserFactory,
)
from tests.helpers import manage_url
from tests.mailings.conftest import make_mailing
from tests.servers import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SIOBHAN = {"first_name": "Siobhán", "last_name": "O'Neill-Achebe", "email": "s.oneill@kent.nhs.uk"}
KIM = {"first_name": "Kim", "last_name": "Kept", "email": "kim.kept@medway.gov.uk"}


class RefusesRecipients(BaseEmailBackend):
    """A mail server that answers, and refuses every recipient (its error names them)."""

    def send_messages(self, messages):
        for message in messages:
            refused = dict.fromkeys(message.to, (550, b"5.1.1 Mailbox unavailable"))
            raise smtplib.SMTPRecipientsRefused(refused)


@pytest.fixture
def smtp_down(settings):
    """SMTP unreachable: nothing listens on the mail server's port."""
    settings.MAILER_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.MAILER_EMAIL_LOG_MESSAGE_DATA = True
    return settings


def mime_text(message) -> str:
    """What a mail client shows of an email django-mailer holds: its MIME parsed back,
    every text part decoded, HTML entities and iCalendar folding undone."""
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    parts = [f"{name}: {value}" for name, value in parsed.items()]
    for part in parsed.walk():
        if part.get_content_maintype() == "multipart":
            continue
        content = part.get_content()
        parts.append(content if isinstance(content, str) else content.decode("utf-8", "replace"))
    return re.sub(r"\r?\n[ \t]", "", html.unescape("\n".join(parts)))


def database_text() -> dict[str, list[str]]:
    """Every row of every table, as text, by table; django-mailer's emails also decoded."""
    rows = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f"SELECT t::text FROM {connection.ops.quote_name(table)} AS t")
            rows[table] = [row for (row,) in cursor.fetchall()]
    for model in (Message, MessageLog):
        stored = model.objects.values_list("message_data", flat=True)
        decoded = [db_to_email(data) for data in stored if data]
        rows[f"{model._meta.db_table} (decoded)"] = [mime_text(m) for m in decoded if m]
    return rows


def tables_naming(*words) -> dict[str, list[str]]:
    """Tables with a row that holds any of these words (any case, any spacing)."""
    found = {}
    for table, rows in database_text().items():
        for row in rows:
            flat = " ".join(row.replace("\\\\", "\\").split()).casefold()
            hits = [word for word in words if word.casefold() in flat]
            if hits:
                found.setdefault(table, []).extend(hits)
    return found


def deliver_what_is_due():
    """One run of the mail worker (`runmailer`), and of cron's `retry_deferred` before it."""
    Message.objects.retry_deferred()
    engine.send_all()


@pytest.fixture
def event():
    event = EventFactory(name="Kent and Medway ICS symposium", contact_email="events@kent.nhs.uk")
    theme = ThemeFactory(event=event, title="Prevention and early help")
    BreakoutSessionFactory(theme=theme, agenda_item=BreakoutRoundFactory(event=event))
    return event


def register(event, person, *, now=None):
    return services.register_delegate(
        event=event,
        organisation="Kent Community Health NHS Foundation Trust",
        sector="nhs",
        job_title="Community nurse",
        enforce_window=now is None,
        now=now,
        **person,
    ).delegate


def fill_the_mail_tables(event, settings, capture, organiser_email, *, now=None):
    """Siobhán's emails queued, deferred and logged, and an organiser's mailing naming
    her; Kim's too. Returns (Siobhán, Kim)."""
    with capture(execute=True):
        siobhan = register(event, SIOBHAN, now=now)  # confirmation: tried, deferred
    with capture(execute=True):
        register(event, SIOBHAN, now=now)  # registered again: the manage link, deferred
    settings.MAILER_EMAIL_BACKEND = f"{__name__}.RefusesRecipients"
    deliver_what_is_due()  # the mail server answers, and refuses her
    settings.SEND_MAIL_ON_COMMIT = False
    with capture(execute=True):
        kim = register(event, KIM, now=now)
    outbox.send_outbox()  # A worker builds her confirmation; it is not sent yet.
    mailing = make_mailing(
        event,
        subject="See you soon, {first_name}",
        body="Dear {first_name} {last_name},\n\nYour link: {manage_link}",
    )
    mailings.send_test(mailing=mailing, delegate=siobhan, to=organiser_email)
    mailings.schedule(mailing=mailing, send_at=timezone.now())
    mailings.start(mailing_pk=mailing.pk)
    mailings.queue_batch(mailing_pk=mailing.pk)
    assert Message.objects.filter(priority=PRIORITY_DEFERRED).count() == 2
    assert MessageLog.objects.filter(log_message__contains=SIOBHAN["email"]).exists()
    # Before: the test sees her in the queue (pickled: only once decoded) and the log.
    assert set(tables_naming(SIOBHAN["email"], "Siobhán O'Neill-Achebe")) >= {
        "mailer_messagelog",
        "mailer_message (decoded)",
        "mailer_messagelog (decoded)",
    }
    return siobhan, kim


def test_delete_my_data_deletes_every_email_to_or_about_the_delegate(
    event, smtp_down, django_capture_on_commit_callbacks
):
    siobhan, _ = fill_the_mail_tables(
        event, smtp_down, django_capture_on_commit_callbacks, "organiser@kent.nhs.uk"
    )
    browser = Client(enforce_csrf_checks=True)
    url = manage_url(siobhan, "registration:delete")
    browser.get(url)

    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(url, {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value})

    assert response.status_code == 302
    assert not Delegate.objects.filter(pk=siobhan.pk).exists()
    assert tables_naming(SIOBHAN["email"], "Siobhán O'Neill-Achebe", "O'Neill-Achebe") == {}
    # Kim's confirmation and mailing are still to be sent.
    assert sorted(m.to for m in (row.email for row in Message.objects.all())) == [
        [KIM["email"]],
        [KIM["email"]],
    ]
    assert "mailer_message (decoded)" in tables_naming(KIM["email"])


def test_the_purge_deletes_every_email_to_or_about_the_delegates(
    event, smtp_down, django_capture_on_commit_callbacks
):
    now = timezone.now() - dt.timedelta(days=400)
    event.starts_on = event.ends_on = now.date() + dt.timedelta(days=10)
    event.retention_days = 30
    event.save()
    fill_the_mail_tables(
        event, smtp_down, django_capture_on_commit_callbacks, "organiser@kent.nhs.uk", now=now
    )
    elsewhere = EventFactory(name="Medway partners day")
    with django_capture_on_commit_callbacks(execute=True):
        register(elsewhere, {**KIM, "email": "kim.elsewhere@example.org"})
    outbox.send_outbox()

    call_command("purge_personal_data")

    assert set(event.delegates.values_list("status", "last_name")) == {
        (RegistrationStatus.CONFIRMED, "Anonymised delegate")
    }
    names = [SIOBHAN["email"], "Siobhán O'Neill-Achebe", "O'Neill-Achebe", KIM["email"]]
    assert tables_naming(*names) == {}
    # The other event's delegate, of the same name, keeps her email.
    assert [row.email.to for row in Message.objects.all()] == [["kim.elsewhere@example.org"]]


@pytest.mark.django_db(transaction=True)
def test_an_email_being_queued_while_the_delegate_erases_is_deleted_too(settings, event):
    """The mail worker's sweep is queueing an email owed to the delegate (it holds the
    outbox row) when they press "delete my data": the erasure waits for it, then finds
    it in the queue."""
    settings.SEND_MAIL_ON_COMMIT = False
    siobhan = register(event, SIOBHAN)
    Message.objects.all().delete()
    owed = OutboxEmail.objects.create(kind="changed", delegate=siobhan)
    queueing, erasing = threading.Event(), threading.Event()

    def sweep():
        try:
            with transaction.atomic():
                row = OutboxEmail.objects.select_for_update().get(pk=owed.pk)
                Message.objects.create(email=emails.build(row.kind, row.delegate_id, None))
                row.delete()
                queueing.set()
                erasing.wait(timeout=10)
                time.sleep(0.5)  # the erasure is waiting for this row by now
        finally:
            connection.close()

    worker = threading.Thread(target=sweep)
    worker.start()
    assert queueing.wait(timeout=10)
    erasing.set()
    assert privacy.erase_registration(delegate=siobhan) is True
    worker.join(timeout=30)

    assert tables_naming(SIOBHAN["email"], "Siobhán O'Neill-Achebe") == {}


def test_a_registration_deleted_in_the_admin_leaves_no_email_behind(
    event, smtp_down, django_capture_on_commit_callbacks, client
):
    """A superuser deletes it (organisers may not delete registrations). Not on a
    mailing's list: the admin refuses to delete a recipient (RecipientAdmin)."""
    with django_capture_on_commit_callbacks(execute=True):
        siobhan = register(event, SIOBHAN)  # confirmation: deferred, logged
    with django_capture_on_commit_callbacks(execute=True):
        register(event, SIOBHAN)  # the manage link: deferred, logged
    smtp_down.MAILER_EMAIL_BACKEND = f"{__name__}.RefusesRecipients"
    deliver_what_is_due()
    assert "mailer_message (decoded)" in tables_naming(SIOBHAN["email"])
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:symposium_delegate_delete", args=[siobhan.pk]), {"post": "yes"}
        )

    assert response.status_code == 302
    assert not Delegate.objects.filter(pk=siobhan.pk).exists()
    # No email names her, nor the admin's history, its record of this deletion included.
    assert tables_naming(SIOBHAN["email"], "Siobhán O'Neill-Achebe") == {}
