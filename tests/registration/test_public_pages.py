import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.views.defaults import server_error

from speakers.enums import PresentationKind
from symposium.enums import AgendaKind
from tests.factories import (
    AgendaItemFactory,
    BreakoutChoiceFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
    PresentationFactory,
    PresentationSpeakerFactory,
    RoomFactory,
    SpeakerFactory,
    ThemeFactory,
    event_day_at,
)

pytestmark = pytest.mark.django_db

# A Thursday far enough ahead to stay upcoming, in British Summer Time.
SUMMER_DAY = dt.date(2040, 6, 14)


def url(name, event, **kwargs):
    return reverse(name, kwargs={"slug": event.slug, **kwargs})


def page(client, name, event):
    response = client.get(url(name, event))
    assert response.status_code == 200
    return response.content.decode()


def build_agenda(size):
    """An event whose agenda grows with `size`: items, presentations, speakers, breakout
    sessions and delegates in them."""
    event = EventFactory()
    hall = RoomFactory(event=event, name="Great Hall")
    speakers = [SpeakerFactory() for _ in range(size)]
    for index, speaker in enumerate(speakers):
        item = AgendaItemFactory(
            event=event,
            room=hall,
            kind=AgendaKind.PRESENTATION,
            starts_at=event_day_at(event, 9) + dt.timedelta(minutes=40 * index),
            ends_at=event_day_at(event, 9, 30) + dt.timedelta(minutes=40 * index),
        )
        PresentationSpeakerFactory(
            presentation=PresentationFactory(agenda_item=item), speaker=speaker
        )
    panel = AgendaItemFactory(event=event, kind=AgendaKind.PANEL, starts_at=event_day_at(event, 15))
    for order in range(size):
        presentation = PresentationFactory(agenda_item=panel, order=order)
        for speaker in speakers:
            PresentationSpeakerFactory(presentation=presentation, speaker=speaker)
    round_ = BreakoutRoundFactory(event=event, starts_at=event_day_at(event, 16))
    for _ in range(size):
        session = BreakoutSessionFactory(
            theme=ThemeFactory(event=event), agenda_item=round_, room=RoomFactory(event=event)
        )
        BreakoutChoiceFactory(session=session)
    return event


# The list of upcoming events --------------------------------------------------------------


def test_home_redirects_to_the_only_upcoming_event(client):
    event = EventFactory()
    EventFactory(is_published=False)
    EventFactory(starts_on=timezone.localdate() - dt.timedelta(days=3))

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == f"/events/{event.slug}/"


def test_home_lists_upcoming_events_when_there_are_two(client):
    today = timezone.localdate()
    later = EventFactory(name="Medway partnership day", starts_on=today + dt.timedelta(days=60))
    sooner = EventFactory(
        name="Kent and Medway ICS symposium", starts_on=today + dt.timedelta(days=10)
    )
    EventFactory(name="Draft event", is_published=False)
    EventFactory(name="Last year's event", starts_on=today - dt.timedelta(days=300))

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(sooner.name) < html.index(later.name)
    assert f'<a href="/events/{sooner.slug}/">{sooner.name}</a>' in html
    assert "Draft event" not in html
    assert "Last year&#x27;s event" not in html
    assert html.count("<h1>") == 1


def test_home_lists_an_event_that_ends_today(client):
    today = timezone.localdate()
    EventFactory(name="Two-day event", starts_on=today - dt.timedelta(days=1), ends_on=today)
    EventFactory(name="Next event")

    response = client.get("/")

    assert response.status_code == 200
    assert "Two-day event" in response.content.decode()


def test_home_without_upcoming_events_says_so(client):
    EventFactory(is_published=False)

    response = client.get("/")

    assert response.status_code == 200
    assert "There are no upcoming events at the moment." in response.content.decode()


@pytest.mark.parametrize("count", [2, 6])
def test_home_runs_one_query_however_many_events(client, django_assert_num_queries, count):
    EventFactory.create_batch(count)

    with django_assert_num_queries(1):
        response = client.get("/")

    assert response.status_code == 200


# The event's home page --------------------------------------------------------------------


def test_event_page_says_what_when_where_and_who_for(client):
    event = EventFactory(
        name="Kent and Medway ICS Symposium",
        starts_on=SUMMER_DAY,
        venue_name="Canterbury Cathedral Lodge",
        venue_address="The Precincts\nCanterbury CT1 2EH",
        audience="Partners across Kent and Medway.",
    )
    AgendaItemFactory(event=event, starts_at=event_day_at(event, 9, 30))
    AgendaItemFactory(
        event=event,
        starts_at=event_day_at(event, 15),
        ends_at=event_day_at(event, 16, 30),
    )

    html = page(client, "symposium:event-detail", event)

    assert "<h1>Kent and Medway ICS Symposium</h1>" in html
    assert "Partners meet to hear speakers and work in breakout groups." in html
    assert ">Thursday 14 June 2040</time>" in html
    assert ">09:30</time> to <time" in html
    assert ">16:30</time>" in html
    assert "<strong>Canterbury Cathedral Lodge</strong><br>" in html
    assert "The Precincts<br>Canterbury CT1 2EH" in html
    assert "<p>Partners across Kent and Medway.</p>" in html
    assert f'href="/events/{event.slug}/agenda/">See the agenda</a>' in html
    assert f'href="/events/{event.slug}/speakers/">Meet the speakers</a>' in html
    assert f'href="/events/{event.slug}/breakouts/">Read about the breakout themes</a>' in html
    assert html.count("<h1>") == 1


def test_event_page_shows_a_multi_day_event_as_a_date_range(client):
    event = EventFactory(starts_on=SUMMER_DAY, ends_on=SUMMER_DAY + dt.timedelta(days=1))

    html = page(client, "symposium:event-detail", event)

    assert '>Thursday 14 June 2040</time> to <time datetime="2040-06-15">Friday 15 June 2040<' in (
        html
    )


def test_event_page_invites_to_register_while_registration_is_open(client):
    closes = timezone.make_aware(dt.datetime(2040, 5, 31, 17, 0))
    event = EventFactory(starts_on=SUMMER_DAY, registration_closes_at=closes)

    html = page(client, "symposium:event-detail", event)

    assert "Registration is open until Thursday 31 May 2040 at 17:00." in html
    assert f'href="/events/{event.slug}/register/">Register</a>' in html
    assert (
        f'Already registered and lost your link? <a href="/events/{event.slug}/manage-link/">'
        in html
    )


def test_event_page_offers_the_waitlist_when_the_event_is_full(client):
    event = EventFactory(delegate_capacity=1)
    DelegateFactory(event=event)

    html = page(client, "symposium:event-detail", event)

    assert "All places have been taken." in html
    assert f'href="/events/{event.slug}/register/">Register for the waitlist</a>' in html


def test_event_page_says_when_registration_will_open(client):
    opens = timezone.make_aware(dt.datetime(2040, 3, 1, 9, 0))
    event = EventFactory(
        starts_on=SUMMER_DAY,
        registration_opens_at=opens,
        registration_closes_at=opens + dt.timedelta(days=30),
    )

    html = page(client, "symposium:event-detail", event)

    assert "Registration opens on Thursday 1 March 2040 at 09:00." in html
    assert "btn btn-primary" not in html


def test_event_page_says_when_registration_has_closed(client):
    now = timezone.now()
    event = EventFactory(
        registration_opens_at=now - dt.timedelta(days=10),
        registration_closes_at=now - dt.timedelta(days=1),
    )

    html = page(client, "symposium:event-detail", event)

    assert "Registration has closed." in html
    assert "btn btn-primary" not in html


def test_event_page_marks_about_as_the_current_page(client):
    event = EventFactory()

    html = page(client, "symposium:event-detail", event)

    assert f'<a href="/events/{event.slug}/" aria-current="page">About</a>' in html


@pytest.mark.parametrize("size", [1, 6])
def test_event_page_query_count_does_not_grow(client, django_assert_num_queries, size):
    event = build_agenda(size)
    DelegateFactory.create_batch(size, event=event)

    # The event, the agenda's first and last times, the count of confirmed delegates, and
    # whether it has published outcomes to link to (outcomes.receivers.outcomes_link).
    with django_assert_num_queries(4):
        response = client.get(url("symposium:event-detail", event))
    # Then the page comes from the cache (until a registration or the event changes):
    # no query at all.
    with django_assert_num_queries(0):
        cached = client.get(url("symposium:event-detail", event))

    assert response.status_code == 200
    assert cached.content == response.content


# Not found ---------------------------------------------------------------------------------

EVENT_PAGES = [
    ("symposium:event-detail", {}),
    ("symposium:agenda", {}),
    ("symposium:agenda-ics", {}),
    ("symposium:privacy", {}),
    ("symposium:accessibility", {}),
]


def every_event_url(event_slug):
    urls = [reverse(name, kwargs={"slug": event_slug}) for name, _ in EVENT_PAGES]
    return [
        *urls,
        reverse("speakers:speaker-list", kwargs={"event_slug": event_slug}),
        reverse("speakers:speaker-detail", kwargs={"event_slug": event_slug, "slug": "anyone"}),
        reverse("breakouts:breakout-list", kwargs={"event_slug": event_slug}),
    ]


def test_every_public_page_of_an_unpublished_event_is_not_found(client):
    event = EventFactory(is_published=False)
    PresentationSpeakerFactory(
        presentation__agenda_item__event=event, speaker=SpeakerFactory(slug="anyone")
    )

    statuses = {address: client.get(address).status_code for address in every_event_url(event.slug)}

    assert set(statuses.values()) == {404}, statuses


def test_every_public_page_of_an_unknown_event_is_not_found(client):
    statuses = {address: client.get(address).status_code for address in every_event_url("nope")}

    assert set(statuses.values()) == {404}, statuses


def test_not_found_page_is_plain_and_helpful(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    assert "If you typed the web address, check it is correct." in html


def test_server_error_page_renders_without_a_request_context(rf):
    response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert "<h1>Sorry, there is a problem with the service</h1>" in response.content.decode()


# The agenda --------------------------------------------------------------------------------


def test_agenda_lists_items_in_time_order_with_rooms_kinds_and_speakers(client):
    event = EventFactory(starts_on=SUMMER_DAY)
    hall = RoomFactory(event=event, name="Great Hall")
    panel = AgendaItemFactory(
        event=event,
        kind=AgendaKind.PANEL,
        title="Partners in conversation",
        room=hall,
        starts_at=event_day_at(event, 10, 30),
        ends_at=event_day_at(event, 11, 30),
    )
    AgendaItemFactory(
        event=event,
        kind=AgendaKind.PLENARY,
        title="Welcome",
        starts_at=event_day_at(event, 9, 30),
        ends_at=event_day_at(event, 10, 0),
    )
    second = PresentationFactory(agenda_item=panel, title="What residents told us", order=2)
    first = PresentationFactory(
        agenda_item=panel, title="Safer streets", order=1, kind=PresentationKind.PANEL
    )
    PresentationSpeakerFactory(
        presentation=first,
        order=2,
        speaker=SpeakerFactory(name="Priya Nair", slug="priya-nair", organisation="MVA"),
    )
    PresentationSpeakerFactory(
        presentation=first,
        order=1,
        speaker=SpeakerFactory(name="James Whitfield", slug="james-whitfield", organisation=""),
    )
    PresentationSpeakerFactory(presentation=second, speaker=SpeakerFactory(name="Sam Patel"))

    html = page(client, "symposium:agenda", event)

    assert '<h2 id="agenda-day-1">Thursday 14 June 2040</h2>' in html
    assert html.index(">Welcome</h3>") < html.index(">Partners in conversation</h3>")
    assert ">09:30</time> to <time" in html
    assert '>10:30</time> to <time datetime="2040-06-14T11:30:00+01:00">11:30</time>' in html
    assert (
        '<p class="agenda-item__meta">Panel<span aria-hidden="true"> · </span>'
        '<span class="visually-hidden">, </span>Room: Great Hall</p>'
    ) in html
    assert '<p class="agenda-item__meta">Plenary</p>' in html
    assert html.index("Safer streets") < html.index("What residents told us")
    assert (
        f'<a href="/events/{event.slug}/speakers/james-whitfield/">James Whitfield</a> and '
        f'<a href="/events/{event.slug}/speakers/priya-nair/">Priya Nair</a> (MVA)'
    ) in html
    assert '<span class="badge text-bg-light">Panel</span>' in html
    assert html.count("<h1>") == 1


def test_agenda_shows_uk_times_in_winter_and_in_summer(client):
    winter = EventFactory(starts_on=dt.date(2040, 1, 12))
    AgendaItemFactory(
        event=winter,
        title="Winter welcome",
        starts_at=dt.datetime(2040, 1, 12, 9, 30, tzinfo=dt.UTC),
        ends_at=dt.datetime(2040, 1, 12, 10, 0, tzinfo=dt.UTC),
    )
    summer = EventFactory(starts_on=SUMMER_DAY)
    AgendaItemFactory(
        event=summer,
        title="Summer welcome",
        starts_at=dt.datetime(2040, 6, 14, 8, 30, tzinfo=dt.UTC),
        ends_at=dt.datetime(2040, 6, 14, 9, 0, tzinfo=dt.UTC),
    )

    assert ">09:30</time> to <time" in page(client, "symposium:agenda", winter)
    assert ">09:30</time> to <time" in page(client, "symposium:agenda", summer)


def test_agenda_lists_a_breakout_rounds_sessions_with_places(client):
    event = EventFactory()
    round_ = BreakoutRoundFactory(event=event, title="Breakout round 1")
    open_session = BreakoutSessionFactory(
        theme=ThemeFactory(event=event, number=1, title="Mental health"),
        agenda_item=round_,
        room=RoomFactory(event=event, name="Becket Room"),
        capacity=20,
    )
    full_session = BreakoutSessionFactory(
        theme=ThemeFactory(event=event, number=2, title="Serious violence"),
        agenda_item=round_,
        capacity=1,
    )
    BreakoutChoiceFactory(session=full_session)
    BreakoutChoiceFactory(session=open_session)

    html = page(client, "symposium:agenda", event)

    assert (
        f'<a href="/events/{event.slug}/breakouts/#theme-1">1. Mental health</a>\n'
        '            <span class="session-list__facts">Room: Becket Room'
    ) in html
    assert '<span class="places places--available">Places available</span>' in html
    assert '<span class="places places--full">Full — join the waitlist</span>' in html
    assert html.index("1. Mental health") < html.index("2. Serious violence")


def test_agenda_links_to_its_calendar_file(client):
    event = EventFactory()

    html = page(client, "symposium:agenda", event)

    assert (
        f'<a href="/events/{event.slug}/agenda.ics" download>'
        "Add the agenda to your calendar (.ics file)</a>"
    ) in html
    assert f'<a href="/events/{event.slug}/agenda/" aria-current="page">Agenda</a>' in html


def test_agenda_without_items_says_so(client):
    event = EventFactory()

    assert "The agenda has not been published yet." in page(client, "symposium:agenda", event)


def test_agenda_shows_only_its_own_events_items(client):
    event = EventFactory()
    AgendaItemFactory(event=EventFactory(), title="Another event's item")

    assert "Another event" not in page(client, "symposium:agenda", event)


@pytest.mark.parametrize("size", [1, 6])
def test_agenda_query_count_does_not_grow(client, django_assert_num_queries, size):
    event = build_agenda(size)

    # The event, the items with rooms, presentations, speakers, breakout sessions with
    # their places.
    with django_assert_num_queries(5):
        response = client.get(url("symposium:agenda", event))
    # Then the page comes from the cache (until places or the agenda change): no query.
    with django_assert_num_queries(0):
        cached = client.get(url("symposium:agenda", event))

    assert response.status_code == 200
    assert response.content.decode().count('class="presentation-list__title"') == 2 * size
    assert cached.content == response.content


# Privacy notice and accessibility statement ----------------------------------------------


def test_privacy_page_shows_the_events_notice(client):
    event = EventFactory(privacy_notice="We use your details to run the event.\n\nAsk us.")

    html = page(client, "symposium:privacy", event)

    assert "<h1>Privacy notice</h1>" in html
    assert "<p>We use your details to run the event.</p>\n\n<p>Ask us.</p>" in html


def test_accessibility_page_shows_the_events_statement(client):
    event = EventFactory(accessibility_statement="Step-free access.\nHearing loop in the hall.")

    html = page(client, "symposium:accessibility", event)

    assert "<h1>Accessibility statement</h1>" in html
    assert "<p>Step-free access.<br>Hearing loop in the hall.</p>" in html


def test_accessibility_page_without_a_statement_points_to_the_organisers(client):
    event = EventFactory(accessibility_statement="", contact_email="events@kent.example")

    html = page(client, "symposium:accessibility", event)

    assert (
        "The organisers have not published the accessibility statement for this event yet. "
        'To ask about access to the venue or this website, email <a href="mailto:'
        'events@kent.example">events@kent.example</a>.'
    ) in html


@pytest.mark.parametrize("name", ["symposium:privacy", "symposium:accessibility"])
def test_policy_pages_run_one_query(client, django_assert_num_queries, name):
    event = EventFactory()

    with django_assert_num_queries(1):
        response = client.get(url(name, event))

    assert response.status_code == 200
