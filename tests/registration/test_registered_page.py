"""The "You are registered" page and the confirmation say when and where, and put the
day into a calendar without handing anyone's personal data to Google or Microsoft."""

import datetime as dt
import email
import email.policy
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from symposium.models import Delegate
from symposium.tokens import make_manage_token
from tests.factories import AgendaItemFactory, EventFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# Inside the registration window; the times are London times, whatever the season.
DAY = dt.date.today() + dt.timedelta(days=40)


@pytest.fixture
def event():
    event = EventFactory(
        name="Kent and Medway ICS symposium",
        slug="kent-medway",
        starts_on=DAY,
        ends_on=DAY,
        venue_name="Canterbury Cathedral Lodge",
        venue_address="The Precincts, Canterbury CT1 2EH",
    )
    at = lambda hour, minute: dt.datetime.combine(DAY, dt.time(hour, minute), tzinfo=LONDON)  # noqa: E731
    AgendaItemFactory(event=event, title="Welcome", starts_at=at(9, 30), ends_at=at(10, 0))
    AgendaItemFactory(event=event, title="Close", starts_at=at(16, 0), ends_at=at(16, 30))
    return event


@pytest.fixture
def registered(post, client, event, mailoutbox):
    """Priya registers; the page she is sent to, and her confirmation."""
    post(
        reverse("registration:register", kwargs={"event_slug": event.slug}),
        {
            "first_name": "Priya",
            "last_name": "O'Neill",
            "email": "priya.oneill@nhs.net",
            "organisation": "Kent and Medway ICB",
            "sector": "nhs",
            "privacy_consent": "on",
        },
    )
    page = client.get(reverse("registration:register-done", kwargs={"event_slug": event.slug}))
    [message] = mailoutbox
    return page, message


def links(page):
    return [unescape(href) for href in re.findall(r'href="([^"]+)"', page.content.decode())]


def link_to(page, host):
    [url] = [url for url in links(page) if urlsplit(url).netloc == host]
    return urlsplit(url), {key: value for key, [value] in parse_qs(urlsplit(url).query).items()}


def personal_data(delegate):
    return ["Priya", "O'Neill", "O%27Neill", "priya", "nhs.net", make_manage_token(delegate)]


def test_registered_page_gives_date_time_and_venue_with_a_map_link(registered, event):
    page, _ = registered

    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", page.content.decode())).split())
    assert "<h1>You are registered</h1>" in page.content.decode()
    assert f"Date {DAY:%A} {DAY.day} {DAY:%B %Y}" in text
    assert "Time 09:30 to 16:30" in text
    assert "Venue Canterbury Cathedral Lodge The Precincts, Canterbury CT1 2EH" in text
    url, query = link_to(page, "www.openstreetmap.org")
    assert (url.scheme, url.path) == ("https", "/search")
    assert query == {"query": "Canterbury Cathedral Lodge, The Precincts, Canterbury CT1 2EH"}


def test_calendar_links_give_the_event_and_nothing_about_the_delegate(registered, event):
    page, _ = registered
    delegate = Delegate.objects.get()

    google_url, google = link_to(page, "calendar.google.com")
    assert google_url.path == "/calendar/render"
    starts = dt.datetime.combine(DAY, dt.time(9, 30), tzinfo=LONDON).astimezone(dt.UTC)
    ends = dt.datetime.combine(DAY, dt.time(16, 30), tzinfo=LONDON).astimezone(dt.UTC)
    assert google == {
        "action": "TEMPLATE",
        "text": "Kent and Medway ICS symposium",
        "dates": f"{starts:%Y%m%dT%H%M%SZ}/{ends:%Y%m%dT%H%M%SZ}",
        "location": "Canterbury Cathedral Lodge, The Precincts, Canterbury CT1 2EH",
        "details": google["details"],
    }
    assert google["details"].endswith("/events/kent-medway/")

    outlook_url, outlook = link_to(page, "outlook.live.com")
    assert outlook_url.path == "/calendar/0/action/compose"
    assert dt.datetime.fromisoformat(outlook["startdt"]) == starts
    assert dt.datetime.fromisoformat(outlook["enddt"]) == ends
    assert outlook["subject"] == "Kent and Medway ICS symposium"
    assert outlook["location"] == google["location"]
    assert outlook["body"] == google["details"]

    for url in (google_url.geturl(), outlook_url.geturl()):
        assert [data for data in personal_data(delegate) if data in url] == []
    # The event's public page, not the manage link.
    assert "/manage/" not in google["details"]


def test_calendar_file_on_the_registered_page_is_the_event_without_personal_data(
    registered, client, event
):
    page, _ = registered
    delegate = Delegate.objects.get()
    [ics_url] = [url for url in links(page) if url.endswith(".ics")]

    response = client.get(ics_url)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Kent and Medway ICS symposium"
    entries = [
        (str(entry["SUMMARY"]), entry.decoded("DTSTART"), str(entry["LOCATION"]))
        for entry in calendar.walk("VEVENT")
    ]
    assert entries == [
        ("Welcome", dt.datetime.combine(DAY, dt.time(9, 30), tzinfo=LONDON), event.venue_name),
        ("Close", dt.datetime.combine(DAY, dt.time(16, 0), tzinfo=LONDON), event.venue_name),
    ]
    text = response.content.decode()
    assert [data for data in personal_data(delegate) if data in text] == []


def test_confirmation_email_gives_the_date_start_time_and_venue(registered):
    _, message = registered

    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    plain = parsed.get_body(preferencelist=("plain",)).get_content()
    html = parsed.get_body(preferencelist=("html",)).get_content()
    assert (
        f"Kent and Medway ICS symposium\n{DAY:%A} {DAY.day} {DAY:%B %Y}, starting at 09:30\n"
        "Canterbury Cathedral Lodge, The Precincts, Canterbury CT1 2EH\n"
    ) in plain
    assert (
        f"<p>The day starts at <strong>09:30</strong> on {DAY:%A} {DAY.day} {DAY:%B %Y}.</p>"
        in html
    )
