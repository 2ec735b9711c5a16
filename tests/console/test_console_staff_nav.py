"""The staff pages have their own navigation: an event switcher, back to the admin, and
sign out (a POST form: Django 5 signs out only on POST); not the public menu."""

import pytest
from django.urls import reverse

from tests.factories import EventFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def staff_client(organiser_client):
    return organiser_client


def test_staff_pages_have_the_staff_navigation(staff_client):
    event = EventFactory(name="Spring symposium")
    EventFactory(name="Autumn symposium")

    for url in (
        reverse("staff:event-list"),
        reverse("staff:event", args=[event.slug]),
        reverse("staff:overview", args=[event.slug]),
        reverse("staff:sign-in-desk", args=[event.slug]),
        reverse("staff:catering", args=[event.slug]),
    ):
        page = staff_client.get(url).content.decode()
        assert 'aria-label="Staff"' in page, url
        assert "Autumn symposium</option>" in page, url
        assert f'href="{reverse("admin:index")}"' in page, url
        assert f'<form method="post" action="{reverse("admin:logout")}"' in page, url
        assert ">Register</a>" not in page, url


def test_the_event_switcher_opens_the_chosen_event(staff_client):
    event = EventFactory()

    response = staff_client.get(reverse("staff:event-list"), {"event": event.slug})

    assert response.url == reverse("staff:event", args=[event.slug])


def test_sign_out_signs_out(staff_client):
    response = staff_client.post(reverse("admin:logout"))

    assert response.status_code == 200
    assert staff_client.get(reverse("staff:event-list")).status_code == 302


def test_the_admin_links_to_the_staff_pages(staff_client):
    event = EventFactory()

    page = staff_client.get(reverse("admin:index")).content.decode()

    assert reverse("staff:event", args=[event.slug]) in page
