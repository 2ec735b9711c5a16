"""Walk-ins: registered at the desk whatever the registration window, checked in if the
event has a place, otherwise on the waitlist and flagged for an organiser."""

import datetime as dt

import pytest
from django.utils import timezone

from checkin.models import CheckIn, WalkIn
from symposium.enums import RegistrationStatus
from symposium.models import Delegate
from tests.checkin.helpers import desk_url
from tests.factories import DelegateFactory, EventFactory
from tests.helpers import staff_user

pytestmark = pytest.mark.django_db

WALK_IN = {
    "first_name": "Ana",
    "last_name": "Able",
    "email": "ana@example.org",
    "organisation": "Medway Council",
    "sector": "council",
    "desk": "Desk 3",
}


@pytest.fixture
def desk_client(client):
    client.force_login(staff_user(groups=["Event staff"]))
    return client


def closed_event(**kwargs):
    now = timezone.now()
    return EventFactory(
        registration_opens_at=now - dt.timedelta(days=30),
        registration_closes_at=now - dt.timedelta(days=1),
        **kwargs,
    )


def test_a_walk_in_with_a_place_is_registered_and_checked_in(desk_client, post, mailoutbox):
    event = closed_event()
    response = post(desk_url(event, "walk-in"), WALK_IN)
    assert response.status_code == 302
    delegate = Delegate.objects.get()
    assert delegate.status == RegistrationStatus.CONFIRMED
    assert (delegate.first_name, delegate.last_name) == ("Ana", "Able")
    assert CheckIn.objects.get().delegate == delegate
    assert CheckIn.objects.get().desk == "Desk 3"
    walk_in = WalkIn.objects.get()
    assert (walk_in.delegate, walk_in.needs_organiser) == (delegate, False)
    assert len(mailoutbox) == 1
    page = desk_client.get(response["Location"]).content.decode()
    assert "Ana Able is registered and checked in." in page


def test_a_walk_in_at_a_full_event_is_waitlisted_and_flagged(desk_client, post):
    event = closed_event(delegate_capacity=1)
    DelegateFactory(event=event)
    response = post(desk_url(event, "walk-in"), WALK_IN)
    delegate = Delegate.objects.get(email="ana@example.org")
    assert delegate.status == RegistrationStatus.WAITLISTED
    assert WalkIn.objects.get(delegate=delegate).needs_organiser is True
    assert not CheckIn.objects.filter(delegate=delegate).exists()
    page = desk_client.get(response["Location"]).content.decode()
    assert "an organiser is asked to decide" in page


def test_a_walk_in_already_registered_is_not_registered_twice(desk_client, post):
    event = EventFactory()
    DelegateFactory(event=event, email="ana@example.org")
    post(desk_url(event, "walk-in"), WALK_IN)
    assert Delegate.objects.count() == 1
    assert not WalkIn.objects.exists()


def test_the_walk_in_form_names_what_is_missing(desk_client):
    event = EventFactory()
    response = desk_client.post(desk_url(event, "walk-in"), {})
    assert response.status_code == 200
    body = response.content.decode()
    for message in ["Enter their first name", "Enter their email address", "Choose their sector"]:
        assert message in body
    assert not Delegate.objects.exists()


def test_organisers_find_the_flagged_walk_ins_in_the_admin(organiser_client, post):
    event = closed_event(delegate_capacity=0)
    organiser_client.post(desk_url(event, "walk-in"), WALK_IN)
    url = "/admin/checkin/walkin/?needs_organiser__exact=1"
    response = organiser_client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    assert "Ana Able" in response.content.decode()
    assert "On the waitlist" in response.content.decode()
