"""The public pages come from the shared cache, and are never out of date: organisers'
saves start a new version when they commit, and places left and "full" are cached only
until a registration or a breakout place changes."""

import gzip

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory
from django.urls import reverse

from breakouts.enums import ChoiceStatus
from breakouts.services import promote_from_session_waitlist
from registration import services
from symposium import page_cache
from tests.factories import (
    AgendaItemFactory,
    BreakoutChoiceFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
    PresentationFactory,
    PresentationSpeakerFactory,
    SpeakerFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Changes made in the block are committed as far as the page cache can tell (in a
    test everything is one transaction, so on-commit callbacks run only when asked)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def html(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_an_organisers_change_shows_once_it_is_committed(
    client, django_capture_on_commit_callbacks, committed
):
    with committed():
        item = AgendaItemFactory(title="Opening plenary")
    agenda = reverse("symposium:agenda", args=[item.event.slug])
    assert "Opening plenary" in html(client, agenda)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item.title = "Welcome and opening plenary"
        item.save()
    # Until the save commits, visitors are served the page as it was.
    assert "Welcome and opening plenary" not in html(client, agenda)

    for callback in callbacks:
        callback()
    assert "Welcome and opening plenary" in html(client, agenda)


def test_a_speakers_new_name_shows_on_the_speaker_list(client, committed):
    with committed():
        speaker = SpeakerFactory(name="Dr Amara Okafor")
        booking = PresentationSpeakerFactory(speaker=speaker)
    speakers = reverse("speakers:speaker-list", args=[booking.agenda_item.event.slug])
    assert "Dr Amara Okafor" in html(client, speakers)

    with committed():
        speaker.name = "Professor Amara Okafor"
        speaker.save()

    assert "Professor Amara Okafor" in html(client, speakers)


def test_a_removed_presentation_leaves_the_agenda(client, committed):
    with committed():
        presentation = PresentationFactory(title="Housing and health")
    agenda = reverse("symposium:agenda", args=[presentation.agenda_item.event.slug])
    assert "Housing and health" in html(client, agenda)

    with committed():
        presentation.delete()

    assert "Housing and health" not in html(client, agenda)


def test_places_left_change_with_registrations_without_any_organiser_save(client, committed):
    with committed():
        event = EventFactory()
        session = BreakoutSessionFactory(
            theme=ThemeFactory(event=event),
            agenda_item=BreakoutRoundFactory(event=event),
            capacity=6,
        )
    breakouts = reverse("breakouts:breakout-list", args=[event.slug])
    agenda = reverse("symposium:agenda", args=[event.slug])
    assert "(6 of 6 left)" in html(client, breakouts)
    assert "Places available" in html(client, agenda)

    with committed():
        BreakoutChoiceFactory(session=session, status=ChoiceStatus.CONFIRMED)
    assert "(5 of 6 left)" in html(client, breakouts)
    assert "Few places left" in html(client, agenda)
    with committed():
        BreakoutChoiceFactory.create_batch(5, session=session, status=ChoiceStatus.CONFIRMED)
    assert "Full — join the waitlist" in html(client, breakouts)
    assert "Full — join the waitlist" in html(client, agenda)


def test_unpublishing_an_event_hides_its_cached_pages(client, committed):
    with committed():
        event = EventFactory()
    home = reverse("symposium:event-detail", args=[event.slug])
    html(client, home)

    with committed():
        event.is_published = False
        event.save()

    assert client.get(home).status_code == 404


def test_a_visitors_message_is_shown_to_them_and_never_cached_for_others(client):
    event = EventFactory()
    home = reverse("symposium:event-detail", args=[event.slug])
    html(client, home)  # the page is in the cache
    storage = CookieStorage(RequestFactory().get("/"))
    cookie = storage._encode([Message(constants.SUCCESS, "Your changes are saved.")])
    client.cookies["messages"] = cookie

    assert "Your changes are saved." in html(client, home)

    del client.cookies["messages"]
    assert "Your changes are saved." not in html(client, home)


def test_places_left_change_when_a_service_promotes_by_a_bulk_update(client, committed):
    with committed():
        event = EventFactory()
        session = BreakoutSessionFactory(theme=ThemeFactory(event=event), capacity=2)
        BreakoutChoiceFactory(session=session, status=ChoiceStatus.CONFIRMED)
        BreakoutChoiceFactory(session=session, status=ChoiceStatus.WAITLISTED)
    breakouts = reverse("breakouts:breakout-list", args=[event.slug])
    assert "(1 of 2 left)" in html(client, breakouts)

    # Promotion is a QuerySet.update(), which sends no signal: the service's own bump
    # must reach the cached places.
    with committed():
        assert len(promote_from_session_waitlist(session=session)) == 1

    assert "Full — join the waitlist" in html(client, breakouts)


def test_event_full_shows_on_the_event_page_as_soon_as_a_delegate_registers(client, committed):
    with committed():
        event = EventFactory(delegate_capacity=1)
    home = reverse("symposium:event-detail", args=[event.slug])
    assert "Register for the waitlist" not in html(client, home)
    with committed():
        DelegateFactory(event=event)
    assert "Register for the waitlist" in html(client, home)


def test_a_cached_page_is_sent_compressed_to_browsers_that_accept_it(client):
    event = EventFactory()
    AgendaItemFactory(event=event, title="Welcome from Paul Bentley")
    agenda = reverse("symposium:agenda", args=[event.slug])
    plain = client.get(agenda)  # rendered, then stored

    compressed = client.get(agenda, headers={"accept-encoding": "gzip, deflate, br"})
    again_plain = client.get(agenda)

    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    assert gzip.decompress(compressed.content) == plain.content
    assert len(compressed.content) < len(plain.content)
    assert not again_plain.has_header("Content-Encoding")
    assert again_plain.content == plain.content
    assert b"Welcome from Paul Bentley" in plain.content


def test_a_registration_starts_the_places_version_anew_once_when_it_commits(
    django_capture_on_commit_callbacks,
):
    event = EventFactory()
    sessions = [
        BreakoutSessionFactory(theme=ThemeFactory(event=event), agenda_item=round_)
        for round_ in BreakoutRoundFactory.create_batch(3, event=event)
    ]
    with django_capture_on_commit_callbacks() as callbacks:
        services.register_delegate(
            event=event,
            first_name="Amara",
            last_name="Okafor",
            email="amara@example.org",
            organisation="Carers First",
            sector="vcse",
            sessions=sessions,
        )
    bumps = [callback.key for callback in callbacks if isinstance(callback, page_cache._StartAnew)]
    assert bumps == [page_cache.PLACES_KEY]


def test_the_register_form_shows_a_renamed_theme_and_the_event_full_to_the_next_visitor(
    client, committed
):
    with committed():
        event = EventFactory(delegate_capacity=1)
        session = BreakoutSessionFactory(theme=ThemeFactory(event=event, title="Housing"))
    register = reverse("registration:register", args=[event.slug])
    assert "Housing" in html(client, register)

    with committed():
        session.theme.title = "Health and housing"
        session.theme.save()
        DelegateFactory(event=event)

    page = html(client, register)
    assert "Health and housing" in page
    assert "The event is full" in page


def test_a_place_taken_does_not_render_the_register_page_again_and_what_it_says_is_true(
    client, committed, django_assert_num_queries, monkeypatch
):
    """During a rush every registration starts the places version anew: the register
    page is kept under the content version, and only what it says about places (the
    sessions' labels, the event-full notice) is read again, two queries, and spliced in."""
    from breakouts.selectors import FEW_PLACES_LEFT
    from registration import views

    with committed():
        event = EventFactory(delegate_capacity=FEW_PLACES_LEFT + 2)
        session = BreakoutSessionFactory(
            theme=ThemeFactory(event=event, title="Housing"), capacity=FEW_PLACES_LEFT + 1
        )
    register = reverse("registration:register", args=[event.slug])
    first = html(client, register)
    assert "Housing – Places available" in first
    assert "The event is full" not in first
    assert "-here" not in first  # No slot is left in what the visitor gets.
    renders = []
    original = views.RegisterView.render_to_response
    monkeypatch.setattr(
        views.RegisterView,
        "render_to_response",
        lambda self, context, **kw: renders.append(1) or original(self, context, **kw),
    )

    with committed():
        BreakoutChoiceFactory(delegate=DelegateFactory(event=event), session=session)
    with django_assert_num_queries(3):  # The event, its full count, the sessions' places.
        page = html(client, register)
    assert "Housing – Few places left" in page
    with django_assert_num_queries(0):  # Until the next place is taken.
        assert "Housing – Few places left" in html(client, register)

    with committed():
        for _ in range(FEW_PLACES_LEFT):
            BreakoutChoiceFactory(delegate=DelegateFactory(event=event), session=session)
    page = html(client, register)
    assert "Housing – Full — join the waitlist" in page
    assert "The event is full" not in page
    with committed():
        DelegateFactory(event=event)
    page = html(client, register)
    assert "The event is full" in page
    assert f"All {event.delegate_capacity} places are taken" in page
    assert renders == []  # Never rendered again: the same page, other places.
    with committed():
        session.theme.title = "Health and housing"
        session.theme.save()
    assert "Health and housing – Full — join the waitlist" in html(client, register)
    assert renders == [1]


def test_during_a_rush_places_on_the_register_form_are_at_most_seconds_old(
    client, committed, django_assert_num_queries, settings
):
    """REGISTER_PLACES_SECONDS: the count is kept that long whatever registrations do,
    then counted again: what the form says is true, as of at most that long ago."""
    import datetime as dt

    from django.utils import timezone

    settings.REGISTER_PLACES_SECONDS = 2
    with committed():
        event = EventFactory(delegate_capacity=1)
    register = reverse("registration:register", args=[event.slug])
    assert "The event is full" not in html(client, register)

    with committed():
        DelegateFactory(event=event)
    with django_assert_num_queries(0):  # Within the seconds: as counted before.
        assert "The event is full" not in html(client, register)

    later = timezone.now() + dt.timedelta(seconds=3)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        assert "The event is full" in html(client, register)
