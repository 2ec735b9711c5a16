import datetime as dt
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from tests.factories import (
    AgendaItemFactory,
    EventFactory,
    PresentationFactory,
    PresentationSpeakerFactory,
    RoomFactory,
    SpeakerFactory,
    event_day_at,
)

pytestmark = pytest.mark.django_db

SUMMER_DAY = dt.date(2040, 6, 14)


def list_url(event):
    return reverse("speakers:speaker-list", kwargs={"event_slug": event.slug})


def detail_url(event, speaker):
    return reverse(
        "speakers:speaker-detail", kwargs={"event_slug": event.slug, "slug": speaker.slug}
    )


def photo():
    buffer = BytesIO()
    Image.new("RGB", (600, 400), "steelblue").save(buffer, "JPEG")
    return ContentFile(buffer.getvalue(), "portrait.jpg")


def speak(event, speaker, *, hour=9, title="A presentation", room=None):
    item = AgendaItemFactory(
        event=event,
        title=f"Item at {hour}",
        room=room,
        starts_at=event_day_at(event, hour),
        ends_at=event_day_at(event, hour, 45),
    )
    presentation = PresentationFactory(agenda_item=item, title=title)
    return PresentationSpeakerFactory(presentation=presentation, speaker=speaker)


# The list ----------------------------------------------------------------------------------


def test_speaker_list_shows_each_speaker_at_the_event_once(client):
    event = EventFactory()
    amara = SpeakerFactory(
        name="Dr Amara Okafor",
        slug="amara-okafor",
        role="Director of Public Health",
        organisation="Kent County Council",
    )
    speak(event, amara, hour=9)
    speak(event, amara, hour=11)
    speak(event, SpeakerFactory(name="James Whitfield"), hour=10)
    speak(EventFactory(), SpeakerFactory(name="Elsewhere Only"))
    SpeakerFactory(name="Not Booked")

    response = client.get(list_url(event))

    assert response.status_code == 200
    html = response.content.decode()
    assert [speaker.name for speaker in response.context["speakers"]] == [
        "Dr Amara Okafor",
        "James Whitfield",
    ]
    assert f'<a href="/events/{event.slug}/speakers/amara-okafor/">Dr Amara Okafor</a>' in html
    assert '<p class="speaker-card__role">Director of Public Health</p>' in html
    assert '<p class="speaker-card__organisation">Kent County Council</p>' in html
    assert "Elsewhere Only" not in html
    assert "Not Booked" not in html
    assert f'<a href="/events/{event.slug}/speakers/" aria-current="page">Speakers</a>' in html
    assert html.count("<h1>") == 1


def test_speaker_list_shows_square_thumbnails_named_for_the_speaker(client):
    event = EventFactory()
    speaker = SpeakerFactory(name="Priya Nair", photo=photo())
    speak(event, speaker)

    html = client.get(list_url(event)).content.decode()

    assert speaker.photo_thumbnail.width == speaker.photo_thumbnail.height == 240
    assert (
        f'<img class="speaker-thumb" src="{speaker.photo_thumbnail.url}" alt="Priya Nair" '
        'width="120" height="120" loading="lazy">'
    ) in html


def test_speaker_list_without_speakers_says_so(client):
    event = EventFactory()

    html = client.get(list_url(event)).content.decode()

    assert "The speakers have not been announced yet." in html


@pytest.mark.parametrize("size", [1, 6])
def test_speaker_list_query_count_does_not_grow(client, django_assert_num_queries, size):
    event = EventFactory()
    item = AgendaItemFactory(event=event)
    for _ in range(size):
        presentation = PresentationFactory(agenda_item=item)
        for _ in range(size):
            PresentationSpeakerFactory(presentation=presentation, speaker=SpeakerFactory())

    # The event and its speakers; then nothing: the event and the page from the cache.
    with django_assert_num_queries(2):
        response = client.get(list_url(event))
    with django_assert_num_queries(0):
        cached = client.get(list_url(event))

    assert response.status_code == 200
    assert len(response.context["speakers"]) == size * size
    assert cached.content == response.content


# A speaker's page --------------------------------------------------------------------------


def test_speaker_page_shows_biography_and_presentations_at_this_event(client):
    event = EventFactory(starts_on=SUMMER_DAY)
    speaker = SpeakerFactory(
        name="Dr Amara Okafor",
        role="Director of Public Health",
        organisation="Kent County Council",
        biography="Leads public health.\n\nChairs the partnership.",
        photo=photo(),
    )
    hall = RoomFactory(event=event, name="Great Hall")
    speak(event, speaker, hour=14, title="Afternoon reflections")
    speak(event, speaker, hour=9, title="Prevention across the system", room=hall)
    speak(EventFactory(), speaker, title="At another event")

    response = client.get(detail_url(event, speaker))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Dr Amara Okafor</h1>" in html
    assert '<p class="lead">Director of Public Health, Kent County Council</p>' in html
    assert f'src="{speaker.photo_thumbnail.url}" alt="Dr Amara Okafor"' in html
    assert "<p>Leads public health.</p>\n\n<p>Chairs the partnership.</p>" in html
    assert html.index("Prevention across the system") < html.index("Afternoon reflections")
    assert (
        '<dd><time datetime="2040-06-14">Thursday 14 June 2040</time>, '
        '<time datetime="2040-06-14T09:00:00+01:00">09:00</time> to '
        '<time datetime="2040-06-14T09:45:00+01:00">09:45</time></dd>'
    ) in html
    assert f'<a href="/events/{event.slug}/agenda/">Item at 9</a>' in html
    assert "<dd>Great Hall</dd>" in html
    assert "At another event" not in html
    assert html.count("<h1>") == 1


def test_speaker_page_for_a_speaker_not_at_this_event_is_not_found(client):
    event = EventFactory()
    elsewhere = SpeakerFactory()
    speak(EventFactory(), elsewhere)

    assert client.get(detail_url(event, elsewhere)).status_code == 404


def test_speaker_page_for_an_unknown_speaker_is_not_found(client):
    event = EventFactory()

    assert client.get(detail_url(event, SpeakerFactory.build(slug="nobody"))).status_code == 404


@pytest.mark.parametrize("size", [1, 6])
def test_speaker_page_query_count_does_not_grow(client, django_assert_num_queries, size):
    event = EventFactory()
    speaker = SpeakerFactory()
    for hour in range(9, 9 + size):
        speak(event, speaker, hour=hour, room=RoomFactory(event=event))

    # The event, the speaker, and their presentations with items and rooms; then
    # nothing: the event and the page come from the cache.
    with django_assert_num_queries(3):
        response = client.get(detail_url(event, speaker))
    with django_assert_num_queries(0):
        cached = client.get(detail_url(event, speaker))

    assert response.status_code == 200
    assert len(response.context["speaker"].event_bookings) == size
    assert cached.content == response.content
