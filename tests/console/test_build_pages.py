"""The pages that build an event: the sessions grid (a whole round in one submission,
theme numbers proposed, a room refused twice in a round, the event's choices only) and
the speakers page (the event's speakers only; no breaks offered for presentations)."""

import pytest
from django.urls import reverse

from breakouts.models import BreakoutSession, Theme
from symposium.enums import AgendaKind
from tests.factories import (
    AgendaItemFactory,
    BreakoutRoundFactory,
    EventFactory,
    RoomFactory,
    SpeakerFactory,
    ThemeFactory,
    event_day_at,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    event = EventFactory(is_published=False)
    RoomFactory(event=event, name="Room A", capacity=20)
    RoomFactory(event=event, name="Room B", capacity=20)
    BreakoutRoundFactory(event=event, title="Round 1")
    BreakoutRoundFactory(
        event=event,
        title="Round 2",
        starts_at=event_day_at(event, 15, 30),
        ends_at=event_day_at(event, 16, 30),
    )
    return event


def grid_url(event):
    return reverse("admin:console-event-sessions", args=[event.pk])


def test_theme_numbers_default_to_the_next_free_ones(organiser_client, event):
    ThemeFactory(event=event, number=1)
    ThemeFactory(event=event, number=3)
    form = organiser_client.get(grid_url(event)).context["form"]
    assert [form[f"t{i}-number"].initial for i in (2, 3)] == [2, 4]


def test_choices_are_the_events_own(organiser_client, event):
    other = EventFactory()
    RoomFactory(event=other, name="Elsewhere")
    BreakoutRoundFactory(event=other, title="Their round")
    response = organiser_client.get(grid_url(event))
    page = response.content.decode()
    assert "Elsewhere" not in page
    assert "Their round" not in page
    assert len(response.context["rounds"]) == 2


def test_a_whole_round_in_one_submission(organiser_client, event):
    rounds = list(event.agenda_items.filter(kind=AgendaKind.BREAKOUT_ROUND).order_by("starts_at"))
    rooms = list(event.rooms.order_by("name"))
    data = {}
    for index, title in enumerate(["Housing", "Health"]):
        data[f"t{index}-number"] = index + 1
        data[f"t{index}-title"] = title
        for item in rounds:
            data[f"t{index}-r{item.pk}-capacity"] = 10
            data[f"t{index}-r{item.pk}-room"] = rooms[index].pk
            data[f"t{index}-r{item.pk}-facilitator"] = f"Host {index}"

    response = organiser_client.post(grid_url(event), data)

    assert response.status_code == 302
    assert list(Theme.objects.filter(event=event).values_list("number", "title")) == [
        (1, "Housing"),
        (2, "Health"),
    ]
    assert BreakoutSession.objects.filter(theme__event=event).count() == 4
    assert set(BreakoutSession.objects.values_list("facilitator", flat=True)) == {
        "Host 0",
        "Host 1",
    }


def test_a_room_given_twice_in_a_round_is_refused_and_nothing_saved(organiser_client, event):
    item = event.agenda_items.filter(kind=AgendaKind.BREAKOUT_ROUND).first()
    room = event.rooms.first()
    data = {}
    for index, title in enumerate(["Housing", "Health"]):
        data.update(
            {
                f"t{index}-number": index + 1,
                f"t{index}-title": title,
                f"t{index}-r{item.pk}-capacity": 10,
                f"t{index}-r{item.pk}-room": room.pk,
            }
        )

    response = organiser_client.post(grid_url(event), data)

    assert response.status_code == 200
    assert "is already given to “Housing”" in response.content.decode()
    assert response.context["form"]["t1-title"].value() == "Health"  # nothing typed lost
    assert not Theme.objects.filter(event=event).exists()


def test_speakers_page_offers_the_events_speakers_and_no_breaks(organiser_client, event):
    mine = SpeakerFactory(name="Dr Mine")
    mine.events.add(event)
    SpeakerFactory(name="Someone Elsewhere")
    AgendaItemFactory(event=event, kind=AgendaKind.BREAK, title="Coffee")
    AgendaItemFactory(event=event, kind=AgendaKind.PLENARY, title="Welcome")

    response = organiser_client.get(reverse("admin:console-event-speakers", args=[event.pk]))

    form = response.context["presentations"][0]
    assert list(form.fields["speakers"].queryset) == [mine]
    assert [item.title for item in form.fields["agenda_item"].queryset] == ["Welcome"]
    page = response.content.decode()
    assert "Someone Elsewhere" not in page


def test_the_grid_runs_a_fixed_number_of_queries(organiser_client, event):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for number in (1, 2, 3, 4, 5):
        ThemeFactory(event=event, number=number)
        with CaptureQueriesContext(connection) as queries:
            assert organiser_client.get(grid_url(event)).status_code == 200
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts
