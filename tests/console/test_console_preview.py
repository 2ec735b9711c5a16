"""Staff preview an unpublished event's public pages, marked, never from or into the
public page cache; every "View on site" link in the admin opens a page."""

import re

import pytest
from django.urls import reverse

from breakouts.models import BreakoutSession, Theme
from speakers.models import Presentation, Speaker
from symposium import page_cache
from tests.factories import (
    BreakoutSessionFactory,
    PresentationSpeakerFactory,
    SpeakerFactory,
)
from tests.helpers import admin_url

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
PREVIEW = "Preview – not published"


@pytest.fixture
def draft():
    """An unpublished event with a speaker and a breakout session."""
    session = BreakoutSessionFactory(theme__event__is_published=False)
    event = session.theme.event
    booking = PresentationSpeakerFactory(
        presentation__agenda_item__event=event, speaker=SpeakerFactory(slug="ada")
    )
    return event, booking.speaker


def public_pages(event, speaker):
    return [
        reverse("symposium:event-detail", args=[event.slug]),
        reverse("symposium:agenda", args=[event.slug]),
        reverse("speakers:speaker-list", args=[event.slug]),
        reverse("speakers:speaker-detail", args=[event.slug, speaker.slug]),
        reverse("breakouts:breakout-list", args=[event.slug]),
    ]


def test_staff_see_an_unpublished_event_marked_as_a_preview(organiser_client, draft):
    for url in public_pages(*draft):
        response = organiser_client.get(url)
        assert response.status_code == 200, url
        assert PREVIEW in response.content.decode(), url
        assert "no-cache" in response["Cache-Control"]


def test_visitors_still_get_not_found(client, draft):
    for url in public_pages(*draft):
        assert client.get(url).status_code == 404, url


def test_a_preview_is_never_stored_in_the_page_cache(organiser_client, client, draft, monkeypatch):
    stored = []
    monkeypatch.setattr(page_cache, "store", lambda key, *args, **kwargs: stored.append(key))

    for url in public_pages(*draft):
        organiser_client.get(url)

    assert stored == []


def test_publishing_ends_the_preview_for_everyone(
    organiser_client, draft, django_capture_on_commit_callbacks
):
    event, _speaker = draft
    organiser_client.get(event.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        event.is_published = True
        event.save()

    response = organiser_client.get(event.get_absolute_url())

    assert response.status_code == 200
    assert PREVIEW not in response.content.decode()


def test_every_view_on_site_link_in_the_admin_opens(organiser_client, draft):
    event, speaker = draft
    objects = [
        event,
        speaker,
        SpeakerFactory(slug="not-speaking"),
        Presentation.objects.get(agenda_item__event=event),
        Theme.objects.get(event=event),
        BreakoutSession.objects.get(theme__event=event),
    ]
    followed = 0
    for obj in objects:
        page = organiser_client.get(admin_url(type(obj), "change", obj.pk)).content.decode()
        for link in re.findall(r'href="([^"]+)" class="viewsitelink"', page):
            response = organiser_client.get(link, follow=True)
            assert response.status_code == 200, (obj, link)
            followed += 1
    assert followed == 2  # the event and its speaker; a speaker at no event has none


def test_a_speaker_at_no_event_has_no_view_on_site_link(organiser_client):
    speaker = SpeakerFactory()

    page = organiser_client.get(admin_url(Speaker, "change", speaker.pk)).content.decode()

    assert "viewsitelink" not in page
