"""The admin is the organisers' console: branded, its index a card per event with its
numbers and links, in a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from breakouts.enums import ChoiceStatus
from symposium.enums import RegistrationStatus
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    DelegateNeedsFactory,
    EventFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def make_event(**kwargs):
    event = EventFactory(delegate_capacity=4, **kwargs)
    session = BreakoutSessionFactory(theme__event=event, capacity=1, theme__title="Housing")
    first = DelegateFactory(event=event)
    DelegateNeedsFactory(delegate=first)
    DelegateFactory.create_batch(2, event=event)
    DelegateFactory(event=event, status=RegistrationStatus.WAITLISTED)
    BreakoutChoiceFactory(session=session, delegate=first)
    return event, session


def test_admin_is_branded_from_settings(organiser_client, settings):
    settings.ADMIN_SITE_HEADER = "Kent and Medway events"
    settings.ADMIN_SITE_TITLE = "KM events"

    page = organiser_client.get(reverse("admin:index")).content.decode()

    assert "Kent and Medway events" in page
    assert "<title>Events | KM events</title>" in page
    assert "Django administration" not in page


def test_index_card_shows_the_event_numbers_and_links(organiser_client):
    event, session = make_event(starts_on=timezone.localdate() + dt.timedelta(days=12))
    waiting = DelegateFactory(event=event)
    BreakoutChoiceFactory(session=session, delegate=waiting, status=ChoiceStatus.WAITLISTED)

    response = organiser_client.get(reverse("admin:index"))

    [card] = response.context["event_cards"]
    assert (card.event.confirmed, card.event.waitlisted, card.event.with_needs) == (4, 1, 1)
    assert card.days_to_go == 12
    [shown] = card.sessions
    assert (shown.places_taken, shown.capacity, shown.waitlist_length) == (1, 1, 1)
    page = response.content.decode()
    for text in ("12 days to go", "Housing", "Registered", "Waitlist"):
        assert text in page
    for url in (
        event.get_absolute_url(),
        reverse("staff:event", args=[event.slug]),
        reverse("staff:overview", args=[event.slug]),
        reverse("staff:catering", args=[event.slug]),
        f"{reverse('admin:symposium_delegate_changelist')}?event__id__exact={event.pk}",
        f"{reverse('admin:breakouts_breakoutsession_changelist')}"
        f"?theme__event__id__exact={event.pk}",
        reverse("admin:console-copy-event", args=[event.pk]),
    ):
        assert f'href="{url}"' in page, url


def test_every_link_on_a_card_opens(organiser_client):
    import re

    _event, _ = make_event(is_published=False)
    page = organiser_client.get(reverse("admin:index")).content.decode()
    card = page.split('class="console-card"', 1)[1].split("</li>\n", 1)[0]
    links = re.findall(r'href="([^"]+)"', page.split('class="console-cards"', 1)[1])

    assert len(links) >= 10
    for link in links:
        response = organiser_client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200, link
    assert "Preview the public pages" in card


def test_unpublished_event_links_to_its_preview(organiser_client):
    _event, _ = make_event(is_published=False)

    page = organiser_client.get(reverse("admin:index")).content.decode()

    assert "Not published" in page
    assert "Preview the public pages" in page


@pytest.mark.parametrize("events", [1, 4])
def test_index_runs_a_fixed_number_of_queries(organiser_client, django_assert_num_queries, events):
    make_event()
    organiser_client.get(reverse("admin:index"))
    with CaptureQueriesContext(connection) as one_event:
        organiser_client.get(reverse("admin:index"))
    for _ in range(events - 1):
        make_event()

    with django_assert_num_queries(len(one_event)):
        response = organiser_client.get(reverse("admin:index"))

    assert len(response.context["event_cards"]) == events
