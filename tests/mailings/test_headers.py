"""Every email to a delegate, read back from the bytes that go out: marked as
auto-generated (so out-of-office replies do not flood the contact inbox), a Message-ID
in the site's own domain, a footer saying why the person gets it with the privacy
notice, and the manage link as short words in the HTML, never the long address."""

import datetime as dt
import email
import re
from email import policy
from html.parser import HTMLParser
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mailings import services
from registration.emails import manage_url
from symposium.models import Delegate
from tests.factories import DelegateFactory, EventFactory
from tests.mailings.conftest import make_mailing
from tests.symposium.test_email_queue import registration_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

LONDON = ZoneInfo("Europe/London")
SITE = "https://events.kentmedway.nhs.uk"


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def event(site):
    return EventFactory(
        name="Kent and Medway ICS symposium",
        slug="kent-medway",
        starts_on=dt.date(2027, 6, 10),
        ends_on=dt.date(2027, 6, 10),
    )


@pytest.fixture
def sam(event):
    return DelegateFactory(event=event, first_name="Sam", email="sam@example.org")


class VisibleText(HTMLParser):
    """The words a reader sees in the HTML part, and the addresses it links to."""

    def __init__(self):
        super().__init__()
        self.words, self.hrefs = [], []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs)["href"])

    def handle_data(self, data):
        self.words += data.split()


def sent_messages():
    return [
        email.message_from_bytes(sent.message().as_bytes(), policy=policy.default)
        for sent in mail.outbox
    ]


def read(message):
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    visible = VisibleText()
    visible.feed(html)
    return text, visible


@pytest.fixture
def three_emails(event, sam, post):
    data = registration_data(event) | {"email": "priya@example.org"}
    assert post(reverse("registration:register", kwargs={"event_slug": event.slug}), data)
    services.run_scheduler(now=dt.datetime(2027, 6, 7, 9, 0, tzinfo=LONDON))  # Joining
    mailing = make_mailing(event, subject="Room change at {event}", body="See {manage_link}")
    services.schedule(mailing=mailing, send_at=timezone.now())
    services.run_scheduler(now=dt.datetime(2027, 6, 7, 9, 1, tzinfo=LONDON))
    messages = {message["Subject"]: message for message in sent_messages()}
    return {
        "registered": messages["Your place at Kent and Medway ICS symposium is confirmed"],
        "joining": next(
            m
            for m in sent_messages()
            if m["Subject"] == "Joining instructions for Kent and Medway ICS symposium"
            and m["To"] == "sam@example.org"
        ),
        "mailing": next(
            m
            for m in sent_messages()
            if m["Subject"] == "Room change at Kent and Medway ICS symposium"
            and m["To"] == "sam@example.org"
        ),
    }


def test_every_email_is_marked_auto_generated(three_emails):
    for message in three_emails.values():
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["X-Auto-Response-Suppress"] == "OOF, AutoReply"
    # Organisers' and automatic mailings go to many: bulk as well.
    assert three_emails["mailing"]["Precedence"] == "bulk"
    assert three_emails["joining"]["Precedence"] == "bulk"
    assert three_emails["registered"]["Precedence"] is None


def test_the_message_id_is_in_the_sites_domain(three_emails):
    ids = [message["Message-ID"] for message in three_emails.values()]

    assert [re.fullmatch(r"<[^@<>]+@([^@<>]+)>", mid).group(1) for mid in ids] == [
        "events.kentmedway.nhs.uk"
    ] * 3
    assert len(set(ids)) == 3


def test_every_email_says_why_and_links_the_privacy_notice(three_emails, client):
    privacy = f"{SITE}/events/kent-medway/privacy/"
    for message in three_emails.values():
        text, html = read(message)
        assert (
            "You get this email because this address was registered for "
            "Kent and Medway ICS symposium.\n"
            f"How we use your information (privacy notice): {privacy}"
        ) in text
        assert privacy in html.hrefs
        assert "How we use your information (privacy notice)" in " ".join(html.words)

    response = client.get(urlsplit(privacy).path)
    assert response.status_code == 200
    assert "We use your details only to run this event." in response.text


def test_the_manage_link_is_short_words_in_the_html(three_emails):
    for name, message in three_emails.items():
        address = manage_url(Delegate.objects.get(email=message["To"]))
        text, html = read(message)
        assert address in html.hrefs, name
        assert address in text, name
        # Nothing a reader sees is an unbreakable run longer than a word or two.
        assert max(len(word) for word in html.words) < 40, name
        assert not any("://" in word for word in html.words), name
