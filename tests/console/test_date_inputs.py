"""Every date, time and date-and-time input of the admin, the console and the mailing
pages gives its value in the ISO form HTML requires: a browser shows
`<input type="date" value="10/06/2027">` blank and posts it back empty.

The pages are walked as a superuser (every add page, the change page of one object of
every model), their inputs parsed from the HTML as a browser reads them."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from checkin.models import CheckIn
from mailings.models import Mailing
from symposium.models import AgendaItem
from tests.factories import (
    LONDON,
    AgendaItemFactory,
    BreakoutChoiceFactory,
    BreakoutSessionFactory,
    DelegateNeedsFactory,
    EventFactory,
    PresentationSpeakerFactory,
    RoomFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

ISO = {
    "date": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "time": re.compile(r"\d{2}:\d{2}(:\d{2})?"),
    "datetime-local": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?"),
}
# A date or a time written for people, in a text box: the admin's old widgets.
WRITTEN_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{2,4}$|^\d{1,2}:\d{2}(:\d{2})?$")


class Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            self.found.append(dict(attrs))


def inputs(html: str) -> list[dict]:
    parser = Inputs()
    parser.feed(html)
    return parser.found


@pytest.fixture
def two_day_event():
    """A two-day event with something in every table the admin shows."""
    starts_on = timezone.localdate() + dt.timedelta(days=40)
    event = EventFactory(starts_on=starts_on, ends_on=starts_on + dt.timedelta(days=1))
    room = RoomFactory(event=event)
    day_two = dt.datetime.combine(event.ends_on, dt.time(10, 15), tzinfo=LONDON)
    AgendaItemFactory(event=event, room=room, starts_at=day_two, title="Day two opening")
    PresentationSpeakerFactory(presentation__agenda_item__event=event)
    session = BreakoutSessionFactory(theme__event=event)
    choice = BreakoutChoiceFactory(session=session)
    DelegateNeedsFactory(delegate=choice.delegate)
    Mailing.objects.create(event=event, subject="Joining instructions", body="See you soon.")
    CheckIn.objects.create(delegate=choice.delegate, at=timezone.now(), desk="Desk 1")
    return event


def admin_pages(client):
    """Every add page and one change page per model: (url, html)."""
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        urls = []
        if model_admin.has_add_permission(_request(client)):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            yield url, response.content.decode()


def _request(client):
    class Request:
        user = client.user

    return Request()


@pytest.fixture
def superuser_client(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


def check_page(url, html, seen):
    for attrs in inputs(html):
        kind, value = attrs.get("type", "text"), attrs.get("value") or ""
        name = attrs.get("name", "")
        if kind in ISO:
            seen[kind] += 1
            if value:
                assert ISO[kind].fullmatch(value), (url, name, value)
                seen["with a value"] += 1
        elif kind in ("text", "search", None):
            assert not WRITTEN_DATE.match(value), (url, name, value)
            assert "vDateField" not in attrs.get("class", ""), (url, name)


def test_every_date_and_time_input_of_the_staff_pages_is_iso(superuser_client, two_day_event):
    event = two_day_event
    mailing = Mailing.objects.get(subject="Joining instructions")
    pages = [
        *admin_pages(superuser_client),
        *(
            (url, superuser_client.get(url).content.decode())
            for url in [
                reverse("admin:console-copy-event", args=[event.pk]),
                reverse("admin:mailings_mailing_send", args=[mailing.pk]),
            ]
        ),
    ]
    seen = dict.fromkeys(ISO, 0) | {"with a value": 0}

    for url, html in pages:
        check_page(url, html, seen)

    # Not vacuous: the event's dates, its agenda's days and times, the registration
    # window, the copy's first day, the mailing's send time.
    assert all(seen[kind] for kind in ISO), seen
    assert seen["with a value"] > 20, seen


def test_the_agenda_day_of_a_two_day_event_shows_its_own_day(superuser_client, two_day_event):
    event = two_day_event
    html = superuser_client.get(
        reverse("admin:symposium_event_change", args=[event.pk])
    ).content.decode()
    item = AgendaItem.objects.get(title="Day two opening")
    index = list(event.agenda_items.order_by("starts_at", "pk")).index(item)

    fields = {attrs.get("name"): attrs for attrs in inputs(html)}

    day = fields[f"agenda_items-{index}-day"]
    assert (day["type"], day["value"]) == ("date", event.ends_on.isoformat())
    assert fields[f"agenda_items-{index}-start"]["value"] == "10:15"
    assert fields["starts_on"]["value"] == event.starts_on.isoformat()
    opens = timezone.localtime(event.registration_opens_at)
    assert fields["registration_opens_at_0"]["value"] == f"{opens:%Y-%m-%d}"
    assert fields["registration_opens_at_1"]["value"] == f"{opens:%H:%M}"


def test_the_copy_page_shows_its_default_date(superuser_client, two_day_event):
    html = superuser_client.get(
        reverse("admin:console-copy-event", args=[two_day_event.pk])
    ).content.decode()

    starts_on = next(attrs for attrs in inputs(html) if attrs.get("name") == "starts_on")

    assert starts_on["type"] == "date"
    assert ISO["date"].fullmatch(starts_on["value"])
