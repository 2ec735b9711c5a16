"""One registration is emailed its manage link at most MANAGE_LINK_EMAILS_PER_HOUR (3)
times an hour, however often its address is registered again or the link asked for,
and whatever Redis does: the rate limits in front (Redis) let everything through while
it is away; this cap is counted in PostgreSQL, one request after another.
"""

import datetime as dt
import re
from email import message_from_bytes
from email.policy import default as email_policy

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from mailer.models import Message

from registration import services
from symposium.models import Delegate, OutboxEmail
from tests.breakouts.test_concurrency import all_at_once
from tests.factories import EventFactory
from tests.redis_server import own_redis  # noqa: F401 - a fixture
from tests.registration.test_registration import form_data
from tests.symposium.test_redis_outage import csrf_token, redis_cache  # noqa: F401

pytestmark = [pytest.mark.postgres]

ADDRESS = "priya.oneill@nhs.net"
CAP = 3
MANAGE_LINK = re.compile(r"https?://\S+/manage/\S+/")


@pytest.fixture
def event(db):
    return EventFactory(name="Kent and Medway ICS symposium", contact_email="events@kent.nhs.uk")


def inbox(mailoutbox, address=ADDRESS):
    """The emails that reached the address, parsed back from what was sent."""
    parsed = [message_from_bytes(m.message().as_bytes(), policy=email_policy) for m in mailoutbox]
    return [m for m in parsed if m["To"] == address]


def plain_text(message):
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.mark.django_db
def test_registering_seven_times_with_redis_gone_sends_the_link_three_times(
    settings,
    event,
    redis_cache,  # noqa: F811 - the fixture imported above
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    assert settings.MANAGE_LINK_EMAILS_PER_HOUR == CAP
    redis_cache.kill()  # the rate limits (5 an hour for one address) now let all through
    register = reverse("registration:register", kwargs={"event_slug": event.slug})
    browser = Client(enforce_csrf_checks=True)
    pages = []

    for _ in range(7):
        data = form_data(email=ADDRESS) | {"csrfmiddlewaretoken": csrf_token(browser.get(register))}
        with django_capture_on_commit_callbacks(execute=True):
            response = browser.post(register, data, follow=True)
        assert response.redirect_chain[0][1] == 302
        pages.append(response.content.decode())

    assert Delegate.objects.filter(email=ADDRESS).count() == 1
    received = inbox(mailoutbox)
    subjects = [message["Subject"] for message in received]
    assert (
        subjects
        == [f"Your place at {event.name} is confirmed"]
        + [f"Your link to manage your registration for {event.name}"] * CAP
    )
    # Each link in them opens the registration.
    for message in received[1:]:
        [link] = MANAGE_LINK.findall(plain_text(message))
        assert browser.get(link.removeprefix(settings.SITE_URL)).status_code == 200
    # Told the truth each time: sent, then not sent again and why.
    assert all("We have sent an email about your registration" in page for page in pages[1:4])
    for page in pages[4:]:
        assert "Check your email" in page
        assert "This address is already registered for Kent and Medway ICS symposium" in page
        assert "3 times in the last hour, so we have not sent another now" in page

    # Asking for the link on its own form adds nothing either, and says so.
    resend = reverse("registration:resend-link", kwargs={"event_slug": event.slug})
    data = {"email": ADDRESS, "csrfmiddlewaretoken": csrf_token(browser.get(resend))}
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(resend, data, follow=True)
    assert "We send it at most 3 times an hour" in response.content.decode()
    assert len(inbox(mailoutbox)) == 1 + CAP

    # An hour after the first, one more may go.
    delegate = Delegate.objects.get(email=ADDRESS)
    later = timezone.now() + dt.timedelta(minutes=61)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.email_manage_link(delegate=delegate, now=later) is True
    assert len(inbox(mailoutbox)) == 2 + CAP


def owed_links(address):
    """Manage-link emails owed or queued for the address."""
    owed = OutboxEmail.objects.filter(delegate__email=address, kind="manage_link").count()
    queued = [m.email for m in Message.objects.all()]
    return owed + sum(1 for m in queued if m.to == [address] and "link to manage" in m.subject)


@pytest.mark.django_db(transaction=True)
def test_asking_ten_times_at_once_owes_the_link_three_times(settings, event):
    settings.SEND_MAIL_ON_COMMIT = False  # queued for the worker: counted in the queue
    with_registration = services.register_delegate(
        event=event,
        first_name="Priya",
        last_name="O'Neill",
        email=ADDRESS,
        organisation="Kent and Medway ICB",
        sector="nhs",
    ).delegate
    Message.objects.all().delete()
    OutboxEmail.objects.all().delete()

    statuses, errors = all_at_once(
        [lambda: services.send_manage_link(event=event, email=ADDRESS)] * 10
    )

    assert errors == []
    assert statuses == [True] * 10  # every caller learns only that the address is registered
    assert owed_links(ADDRESS) == CAP
    assert with_registration.pk == Delegate.objects.get(email=ADDRESS).pk


@pytest.mark.django_db
def test_the_cap_is_per_inbox_across_events(event, mailoutbox, django_capture_on_commit_callbacks):
    other = EventFactory(name="Medway partners day")
    here, there = (
        services.register_delegate(
            event=place,
            first_name="Priya",
            last_name="O'Neill",
            email=email,
            organisation="Kent and Medway ICB",
            sector="nhs",
        ).delegate
        for place, email in ((event, ADDRESS), (other, ADDRESS.upper()))
    )
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        sent = [services.email_manage_link(delegate=d) for d in (here, there, here, there)]

    assert sent == [True, True, True, False]
    assert len(mailoutbox) == CAP


@pytest.mark.django_db(transaction=True)
def test_one_address_registering_again_at_two_events_at_once_never_deadlocks(settings, event):
    # Each registration holds its own event's row and its own registration; the cap's
    # lock is the inbox's, so neither waits for the other's registration row.
    settings.SEND_MAIL_ON_COMMIT = False
    other = EventFactory(name="Medway partners day")

    def register_at(place):
        return lambda: services.register_delegate(
            event=place,
            first_name="Priya",
            last_name="O'Neill",
            email=ADDRESS,
            organisation="Kent and Medway ICB",
            sector="nhs",
        )

    for place in (event, other):
        register_at(place)()

    _, errors = all_at_once([register_at(event), register_at(other)] * 6)

    assert errors == []
    assert owed_links(ADDRESS) == CAP  # per inbox, across both events
