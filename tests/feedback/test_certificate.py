"""The certificate of attendance: a PDF from the manage page, once the event is over,
for a delegate the desk checked in; what the manage page tells everyone else."""

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from feedback import selectors
from tests.feedback.factories import build_symposium
from tests.helpers import manage_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def certificate_link(html):
    found = re.findall(
        r'<a href="([^"]+)">Download your certificate of attendance \(PDF\)</a>', html
    )
    return found[0] if found else None


def test_an_attendee_downloads_it_from_the_manage_page(client, world):
    page = client.get(manage_url(world["sam"]))
    href = certificate_link(page.text)
    assert href == manage_url(world["sam"]) + "certificate.pdf"

    response = client.get(href)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="certificate-of-attendance-kent-medway.pdf"'
    )
    text = pdf_text(response.content)
    day = world["event"].starts_on
    assert "Certificate of attendance" in text
    assert "Sam Okafor" in text
    assert "Kent and Medway ICS symposium" in text
    assert f"{day:%A} {day.day} {day:%B %Y}, Canterbury Cathedral Lodge" in text
    assert "09:30 to 10:30 Opening plenary" in text
    assert "10:30 to 11:00 Film: voices from the community" in text
    assert "14:00 to 15:00 Breakout round 1: Prevention and early help" in text
    assert "Coffee break" not in text
    assert "Mental health crisis care" not in text
    # 60 + 30 minutes of plenary programme, 60 of breakout: 2.5 hours.
    assert "Continuing professional development: 2.5 hours" in text


def test_without_a_breakout_place_the_breakout_round_is_not_counted(client, world):
    text = pdf_text(client.get(manage_url(world["ana"]) + "certificate.pdf").content)

    assert "Ana Able" in text
    assert "Breakout round" not in text
    assert "Continuing professional development: 1.5 hours" in text


def test_cpd_time_counts_overlaps_once_to_the_quarter_hour_below():
    at = dt.datetime(2027, 6, 10, 9, 0, tzinfo=dt.UTC)
    minutes = selectors.cpd_minutes(
        [
            (at, at + dt.timedelta(minutes=60)),
            (at + dt.timedelta(minutes=30), at + dt.timedelta(minutes=100)),
            (at + dt.timedelta(hours=5), at + dt.timedelta(hours=5, minutes=10)),
        ]
    )

    assert minutes == 110
    assert selectors.Attendance(sessions=[], minutes=minutes).hours == "1.75"


@pytest.mark.parametrize("name", ["cat", "ben"])
def test_someone_not_checked_in_is_told_why_there_is_none(client, world, name):
    """Cat never came; Ben's check-in was undone."""
    delegate = world[name]
    page = client.get(manage_url(delegate))

    assert certificate_link(page.text) is None
    assert "<h2>Certificate of attendance</h2>" in page.text
    assert (
        "The registration desk has no record of checking you in, so we cannot give you a "
        "certificate of attendance." in page.text
    )
    assert 'If you were there, write to <a href="mailto:events@example.org">' in page.text
    refused = client.get(manage_url(delegate) + "certificate.pdf")
    assert refused.status_code == 404
    assert "<h1>No certificate of attendance</h1>" in refused.text
    assert refused["Content-Type"].startswith("text/html")


def test_before_the_event_is_over_the_page_says_when_and_the_pdf_waits(client):
    today = timezone.localdate()
    world = build_symposium(day=today)  # Today: checked in, but not over until midnight.

    page = client.get(manage_url(world["sam"]))

    assert certificate_link(page.text) is None
    tomorrow = today + dt.timedelta(days=1)
    assert (
        f"After the event, from {tomorrow.day} {tomorrow:%B %Y}, you can download a "
        "certificate of attendance here if the registration desk checked you in." in page.text
    )
    refused = client.get(manage_url(world["sam"]) + "certificate.pdf")
    assert refused.status_code == 404
    assert "<h1>No certificate of attendance yet</h1>" in refused.text


def test_a_bad_token_gets_the_plain_not_found_page(client, world):
    response = client.get(f"/events/{world['event'].slug}/manage/not-a-token/certificate.pdf")

    assert response.status_code == 404
    assert "<h1>This link does not work</h1>" in response.text


def test_the_manage_page_after_the_event_makes_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    url = manage_url(world["sam"])
    client.get(url)

    with django_assert_max_num_queries(4):
        client.get(url)


def test_the_date_it_gives_follows_the_manage_links_extra_days(client, settings):
    settings.MANAGE_LINK_DAYS_AFTER_EVENT = 2
    today = timezone.localdate()
    world = build_symposium(day=today - dt.timedelta(days=1))  # Over in two days' time.

    page = client.get(manage_url(world["sam"]))

    available = today + dt.timedelta(days=2)
    assert f"After the event, from {available.day} {available:%B %Y}, you can" in page.text
    assert client.get(manage_url(world["sam"]) + "certificate.pdf").status_code == 404


def test_a_two_day_events_certificate_says_which_day_each_session_was(client):
    from tests.factories import AgendaItemFactory, event_day_at

    world = build_symposium(day=timezone.localdate() - dt.timedelta(days=3))
    event = world["event"]
    event.ends_on = event.starts_on + dt.timedelta(days=1)
    event.save()
    second_day = event_day_at(event, 9) + dt.timedelta(days=1)
    AgendaItemFactory(
        event=event,
        title="Day two plenary",
        starts_at=second_day,
        ends_at=second_day + dt.timedelta(hours=2),
    )

    text = pdf_text(client.get(manage_url(world["sam"]) + "certificate.pdf").content)

    first, second = event.starts_on, event.ends_on
    assert f"{first:%a} {first.day} {first:%b}, 09:30 to 10:30 Opening plenary" in text
    assert f"{second:%a} {second.day} {second:%b}, 09:00 to 11:00 Day two plenary" in text
    assert f"{first.day} {first:%B %Y} to {second.day} {second:%B %Y}" in text
    assert "Continuing professional development: 4.5 hours" in text
