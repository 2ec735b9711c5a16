import datetime as dt

import pytest
from django.urls import reverse

from breakouts.enums import ChoiceStatus
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    EventFactory,
    RoomFactory,
    ThemeFactory,
    event_day_at,
)

pytestmark = pytest.mark.django_db


def list_url(event):
    return reverse("breakouts:breakout-list", kwargs={"event_slug": event.slug})


def test_breakouts_list_themes_in_number_order_with_their_sessions(client):
    event = EventFactory()
    morning = BreakoutRoundFactory(
        event=event,
        title="Morning round",
        starts_at=event_day_at(event, 11, 45),
        ends_at=event_day_at(event, 12, 45),
    )
    afternoon = BreakoutRoundFactory(
        event=event,
        title="Afternoon round",
        starts_at=event_day_at(event, 14),
        ends_at=event_day_at(event, 15),
    )
    violence = ThemeFactory(event=event, number=2, title="Tackling serious violence")
    health = ThemeFactory(event=event, number=1, title="Mental health and wellbeing")
    BreakoutSessionFactory(theme=health, agenda_item=afternoon, room=None, facilitator="")
    BreakoutSessionFactory(
        theme=health,
        agenda_item=morning,
        room=RoomFactory(event=event, name="Becket Room"),
        facilitator="Sam Patel",
    )
    BreakoutSessionFactory(theme=violence, agenda_item=morning)
    ThemeFactory(event=EventFactory(), title="Another event's theme")

    response = client.get(list_url(event))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("1. Mental health and wellbeing</h2>") < html.index(
        "2. Tackling serious violence</h2>"
    )
    assert html.index("(Morning round)") < html.index("(Afternoon round)")
    assert '>11:45</time> to <time datetime="' in html
    assert "<dd>Becket Room</dd>" in html
    assert "<dt>Facilitator</dt>\n        <dd>Sam Patel</dd>" in html
    assert "<dd>To be confirmed</dd>" in html
    assert "Another event" not in html
    assert f'<a href="/events/{event.slug}/breakouts/" aria-current="page">Breakouts</a>' in html
    assert html.count("<h1>") == 1


@pytest.mark.parametrize(
    ("capacity", "confirmed", "places"),
    [
        (
            20,
            3,
            '<span class="places places--available">Places available</span> '
            '<span class="text-muted">(17 of 20 left)</span>',
        ),
        (
            8,
            3,
            '<span class="places places--few">Few places left</span> '
            '<span class="text-muted">(5 of 8 left)</span>',
        ),
        (3, 3, '<span class="places places--full">Full — join the waitlist</span></dd>'),
    ],
)
def test_breakouts_show_places_left_in_plain_words(client, capacity, confirmed, places):
    session = BreakoutSessionFactory(capacity=capacity)
    BreakoutChoiceFactory.create_batch(confirmed, session=session)
    BreakoutChoiceFactory(session=session, status=ChoiceStatus.WAITLISTED)

    html = client.get(list_url(session.theme.event)).content.decode()

    assert places in html


def test_breakouts_without_themes_say_so(client):
    event = EventFactory()

    html = client.get(list_url(event)).content.decode()

    assert "The breakout themes have not been announced yet." in html


def test_breakouts_theme_without_sessions_says_so(client):
    theme = ThemeFactory()

    html = client.get(list_url(theme.event)).content.decode()

    assert "Sessions for this theme have not been arranged yet." in html


@pytest.mark.parametrize("size", [1, 6])
def test_breakouts_query_count_does_not_grow(client, django_assert_num_queries, size):
    event = EventFactory()
    for index in range(size):
        round_ = BreakoutRoundFactory(
            event=event, starts_at=event_day_at(event, 9) + dt.timedelta(hours=index)
        )
        theme = ThemeFactory(event=event)
        for _ in range(size):
            session = BreakoutSessionFactory(
                theme=theme, agenda_item=round_, room=RoomFactory(event=event)
            )
            BreakoutChoiceFactory(session=session)

    # The event, its themes, and their sessions with rounds, rooms and places taken;
    # then the page comes from the cache, with no query at all.
    with django_assert_num_queries(3):
        response = client.get(list_url(event))
    with django_assert_num_queries(0):
        cached = client.get(list_url(event))

    assert response.status_code == 200
    assert response.content.decode().count('class="session-card"') == size * size
    assert cached.content == response.content
