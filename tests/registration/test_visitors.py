"""Several visitors, one after another, each with their own cookies and CSRF enforced,
through the pages exactly as served: what the last release's tests never did (every
delegate after the first got a 403, because a cached fragment held the first
visitor's CSRF token)."""

import pickle
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from bench.browser_form import browser_post_data, form_controls
from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice
from registration.views import CSRF_SLOT, DONE_COOKIE
from symposium.enums import RegistrationStatus
from symposium.models import Delegate
from symposium.tokens import make_manage_token
from tests.factories import (
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    EventFactory,
    PresentationSpeakerFactory,
    ThemeFactory,
    event_day_at,
)

pytestmark = pytest.mark.django_db

VISITORS = [
    ("Łukasz", "Nowak", "lukasz.nowak@kent.police.uk", "police"),
    ("Siobhan", "O'Brien", "siobhan.obrien@nhs.net", "nhs"),
    ("Amara", "Okafor", "amara@carersfirst.org.uk", "vcse"),
]


@pytest.fixture
def event():
    event = EventFactory(slug="kent-medway", delegate_capacity=100)
    for hour in (11, 14):
        round_ = BreakoutRoundFactory(event=event, starts_at=event_day_at(event, hour))
        for number in (1, 2):
            BreakoutSessionFactory(
                theme=ThemeFactory(event=event, number=hour * 10 + number),
                agenda_item=round_,
                capacity=10,
            )
    booking = PresentationSpeakerFactory(presentation__agenda_item__event=event)
    event.speaker_slug = booking.speaker.slug
    return event


def answers(first, last, email, sector):
    return {
        "full_name": f"{first} {last}",
        "first_name": first,
        "last_name": last,
        "email": email,
        "organisation": "Kent and Medway partners",
        "sector": sector,
        "job_title": "Partnership lead",
        "privacy_consent": "on",
        "needs_consent": "on",
        "dietary_requirement": "vegetarian",
        "dietary_details": "No mushrooms",
        "access_needs": "Step-free access",
    }


def register_as_a_browser(event, visitor):
    client = Client(enforce_csrf_checks=True)
    url = reverse("registration:register", args=[event.slug])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    response = client.post(url, browser_post_data(html, answers(*visitor)))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.url == reverse("registration:register-done", args=[event.slug])
    return client, html


def test_three_visitors_register_one_after_another_through_the_form_as_served(event):
    for visitor in VISITORS:
        client, html = register_as_a_browser(event, visitor)
        # Every question the page asks was answered (radios: one breakout per round).
        names = {control.name for control in form_controls(html)}
        assert {"privacy_consent", "needs_consent", "access_needs"} <= names
        done = client.get(reverse("registration:register-done", args=[event.slug]))
        assert visitor[2] in done.content.decode()

    delegates = Delegate.objects.filter(event=event)
    assert delegates.count() == 3
    assert set(delegates.values_list("status", flat=True)) == {RegistrationStatus.CONFIRMED}
    assert BreakoutChoice.objects.filter(status=ChoiceStatus.CONFIRMED).count() == 6
    assert Delegate.objects.filter(event=event, needs__access_needs="Step-free access").count() == 3


def test_each_visitor_gets_exactly_one_csrf_token_their_own(event):
    url = reverse("registration:register", args=[event.slug])
    tokens = []
    for _ in range(2):
        html = Client().get(url).content.decode()
        fields = [c for c in form_controls(html) if c.name == "csrfmiddlewaretoken"]
        assert len(fields) == 1
        tokens.append(fields[0].value)
    assert tokens[0] != tokens[1]


def cached_values():
    """Everything in the test cache (the in-process memory cache), unpickled."""
    return [pickle.loads(value) for value in cache._cache.values()]


def public_pages(event):
    return [
        reverse("symposium:event-detail", args=[event.slug]),
        reverse("symposium:agenda", args=[event.slug]),
        reverse("speakers:speaker-list", args=[event.slug]),
        reverse("speakers:speaker-detail", args=[event.slug, event.speaker_slug]),
        reverse("breakouts:breakout-list", args=[event.slug]),
        reverse("registration:register", args=[event.slug]),
    ]


def test_nothing_cached_holds_anything_of_one_visitor(event, organiser):
    """An organiser (logged in, with a session, a CSRF cookie and a message waiting on
    one page) warms every cached page and fragment; nothing stored carries their
    token, session, name or message."""
    organiser.first_name, organiser.last_name = "Oriel", "Organiser-Unique"
    organiser.save()
    client = Client()
    client.force_login(organiser)
    for url in public_pages(event):
        assert client.get(url).status_code == 200
    visitor_client, _ = register_as_a_browser(event, VISITORS[0])
    for url in public_pages(event):
        assert visitor_client.get(url).status_code == 200

    stored = repr(cached_values())
    assert cached_values(), "the pages should have been cached"
    secrets = [
        client.cookies["csrftoken"].value,
        client.cookies["sessionid"].value,
        visitor_client.cookies["csrftoken"].value,
        visitor_client.cookies[DONE_COOKIE.format(event.pk)].value,
    ]
    for secret in secrets:
        assert secret not in stored
    for personal in ("Organiser-Unique", organiser.username, "Nowak"):
        assert personal not in stored
    # The register page is kept with a slot where each visitor's own token goes.
    stored_tokens = re.findall(r'name=\\?"csrfmiddlewaretoken\\?" value=\\?"([^"\\]*)', stored)
    assert stored_tokens == [CSRF_SLOT]


def test_a_visitor_with_a_message_waiting_is_not_served_or_stored_for_others(event):
    delegate_client, _ = register_as_a_browser(event, VISITORS[1])
    delegate = Delegate.objects.get(email=VISITORS[1][2])
    manage = reverse("registration:manage", args=[event.slug, make_manage_token(delegate)])
    page = delegate_client.get(manage)
    data = browser_post_data(page.content.decode(), answers(*VISITORS[1]) | {"job_title": "Lead"})
    response = delegate_client.post(manage, data)
    assert response.status_code == 302
    home = reverse("symposium:event-detail", args=[event.slug])
    with_message = delegate_client.get(home)
    assert "Your changes are saved" in with_message.content.decode()
    assert "Your changes are saved" not in Client().get(home).content.decode()
    assert "Your changes are saved" not in repr(cached_values())
