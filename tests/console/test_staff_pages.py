import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from breakouts.enums import ChoiceStatus
from symposium.enums import RegistrationStatus, Sector
from symposium.models import Delegate
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    DelegateNeedsFactory,
    EventFactory,
    RoomFactory,
    ThemeFactory,
    event_day_at,
)
from tests.helpers import staff_user


def exporter_without_needs():
    group, _ = Group.objects.get_or_create(name="Exporters without needs")
    group.permissions.add(Permission.objects.get(codename="export_attendees"))
    user = staff_user()
    user.groups.add(group)
    return user


USERS = {
    "staff without permission": staff_user,
    "event staff": lambda: staff_user(groups=["Event staff"]),
    "organiser": lambda: staff_user(groups=["Organisers"]),
    "exporter without needs": exporter_without_needs,
}


@pytest.fixture
def login(client, db):
    def log_in(kind):
        client.force_login(USERS[kind]())
        return client

    return log_in


@pytest.fixture
def event(db):
    event = EventFactory(slug="kent-medway", name="Kent and Medway symposium")
    round1 = BreakoutRoundFactory(event=event, title="Morning breakouts")
    round2 = BreakoutRoundFactory(
        event=event,
        title="Afternoon breakouts",
        starts_at=event_day_at(event, 15),
        ends_at=event_day_at(event, 16),
    )
    housing = BreakoutSessionFactory(
        theme=ThemeFactory(event=event, number=1, title="Health and housing"),
        agenda_item=round1,
        room=RoomFactory(event=event, name="Room A"),
        capacity=10,
    )
    youth = BreakoutSessionFactory(
        theme=ThemeFactory(event=event, number=2, title="Best start in life"),
        agenda_item=round2,
        capacity=4,
    )
    return SimpleNamespace(event=event, slug=event.slug, housing=housing, youth=youth)


def staff_urls(event):
    slug = event.slug
    return {
        "event list": reverse("staff:event-list"),
        "event": reverse("staff:event", args=[slug]),
        "export": reverse("staff:attendee-export", args=[slug])
        + "?delegates=event&statuses=confirmed&file_format=csv",
        "desk sheet": reverse("staff:sign-in-desk", args=[slug]),
        "breakout sheets": reverse("staff:sign-in-breakouts", args=[slug]),
        "session sheet": reverse("staff:sign-in-session", args=[slug, event.housing.pk]),
        "catering": reverse("staff:catering", args=[slug]),
        "overview": reverse("staff:overview", args=[slug]),
    }


PAGES = [
    "event list",
    "event",
    "export",
    "desk sheet",
    "breakout sheets",
    "session sheet",
    "catering",
    "overview",
]


@pytest.mark.parametrize("page", PAGES)
def test_staff_page_sends_anonymous_visitor_to_login(client, event, page):
    url = staff_urls(event)[page]

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login") + "?next=")


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("user", "status"),
    [("staff without permission", 403), ("event staff", 200), ("organiser", 200)],
)
def test_staff_page_permission(login, event, page, user, status):
    response = login(user).get(staff_urls(event)[page])

    assert response.status_code == status


@pytest.mark.parametrize("page", PAGES)
def test_staff_page_for_exporter_without_needs_permission(login, event, page):
    response = login("exporter without needs").get(staff_urls(event)[page])

    assert response.status_code == (403 if page == "catering" else 200)


@pytest.mark.parametrize("page", PAGES)
def test_staff_page_is_never_cached(login, event, page):
    response = login("event staff").get(staff_urls(event)[page])

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("page", [p for p in PAGES if p != "export"])
def test_staff_page_has_no_inline_script_or_style(login, event, page):
    html = login("organiser").get(staff_urls(event)[page]).content.decode()

    # Scripts only from files ('self'), never written into the page.
    assert not re.search(r"<script(?![^>]*\ssrc=)", html)
    assert not re.search(r"\sstyle=|\son[a-z]+=", html)
    assert html.count("<h1") == 1


def test_staff_pages_of_unknown_event_are_not_found(login, db):
    client = login("event staff")

    response = client.get(reverse("staff:event", args=["no-such-event"]))

    assert response.status_code == 404


def test_session_sheet_of_another_event_is_not_found(login, event):
    other = BreakoutSessionFactory()

    response = login("event staff").get(
        reverse("staff:sign-in-session", args=[event.slug, other.pk])
    )

    assert response.status_code == 404


def test_event_list_shows_unpublished_events_too(login, event):
    EventFactory(name="Draft symposium", is_published=False)

    html = login("event staff").get(reverse("staff:event-list")).content.decode()

    assert "Kent and Medway symposium" in html
    assert "Draft symposium</a>" in html
    assert "(not published)" in html


def test_event_page_offers_every_scope_and_an_unticked_needs_box(login, event):
    DelegateFactory(event=event.event, organisation="Medway Council")

    response = login("event staff").get(reverse("staff:event", args=[event.slug]))

    html = response.content.decode()
    assert f'value="session:{event.housing.pk}"' in html
    assert 'value="theme:2"' in html
    assert 'value="organisation:Medway Council"' in html
    assert 'value="sector:nhs"' in html
    assert "<legend>Sensitive information</legend>" in html
    needs_box = re.search(r'<input type="checkbox" name="include_needs"[^>]*>', html).group()
    assert "checked" not in needs_box
    assert "disabled" not in needs_box
    assert 'method="get"' in html
    assert reverse("staff:catering", args=[event.slug]) in html


def test_event_page_disables_needs_box_without_needs_permission(login, event):
    response = login("exporter without needs").get(reverse("staff:event", args=[event.slug]))

    html = response.content.decode()
    needs_box = re.search(r'<input type="checkbox" name="include_needs"[^>]*>', html).group()
    assert "disabled" in needs_box
    assert reverse("staff:catering", args=[event.slug]) not in html


def delegate(event, name, status=RegistrationStatus.CONFIRMED, **kwargs):
    return DelegateFactory(event=event.event, full_name=name, status=status, **kwargs)


def sheet_rows(html):
    return re.findall(r'<th scope="row">([^<]*)</th>\s*<td>([^<]*)</td>\s*<td></td>', html)


def test_desk_sheet_lists_confirmed_delegates_alphabetically(login, event):
    delegate(event, "Charlie Cox", organisation="Kent Police")
    delegate(event, "alice Ames", organisation="Medway Council")
    delegate(event, "Bob Byrne", organisation="NHS Kent and Medway")
    delegate(event, "Aaron Waiting", RegistrationStatus.WAITLISTED)
    delegate(event, "Aaron Gone", RegistrationStatus.CANCELLED)
    DelegateFactory(first_name="Aaron", last_name="Elsewhere")

    html = login("event staff").get(reverse("staff:sign-in-desk", args=[event.slug])).content
    html = html.decode()

    assert sheet_rows(html) == [
        ("alice Ames", "Medway Council"),
        ("Bob Byrne", "NHS Kent and Medway"),
        ("Charlie Cox", "Kent Police"),
    ]
    assert '<th scope="col" class="sign-in-table__signature">Signature</th>' in html
    assert "3 confirmed delegates" in html


def test_breakout_sheets_one_session_per_page_with_confirmed_places(login, event):
    for name in ["Zoe Zane", "Amy Abbott"]:
        BreakoutChoiceFactory(session=event.housing, delegate=delegate(event, name))
    BreakoutChoiceFactory(
        session=event.housing,
        delegate=delegate(event, "Wait Listed"),
        status=ChoiceStatus.WAITLISTED,
    )
    BreakoutChoiceFactory(session=event.youth, delegate=delegate(event, "Yusuf Young"))

    response = login("event staff").get(reverse("staff:sign-in-breakouts", args=[event.slug]))

    html = response.content.decode()
    sections = html.split('<section class="sign-in-sheet')[1:]
    assert len(sections) == 2
    assert sections[0].startswith(' page-break"')
    assert not sections[1].startswith(' page-break"')
    assert "Health and housing" in sections[0]
    assert "Morning breakouts, 14:00–15:00, Room A" in sections[0]
    assert "2 of 10 places taken" in sections[0]
    assert sheet_rows(sections[0]) == [
        ("Amy Abbott", "Kent County Council"),
        ("Zoe Zane", "Kent County Council"),
    ]
    assert sheet_rows(sections[1]) == [("Yusuf Young", "Kent County Council")]


def test_session_sheet_shows_only_that_session(login, event):
    BreakoutChoiceFactory(session=event.youth, delegate=delegate(event, "Yusuf Young"))

    url = reverse("staff:sign-in-session", args=[event.slug, event.youth.pk])
    html = login("event staff").get(url).content.decode()

    assert html.count('<section class="sign-in-sheet') == 1
    assert "page-break" not in html
    assert sheet_rows(html) == [("Yusuf Young", "Kent County Council")]


def test_sign_in_pages_load_print_css(login, event):
    url = reverse("staff:sign-in-desk", args=[event.slug])

    html = login("event staff").get(url).content.decode()

    assert "/static/css/print.css" in html


def test_catering_counts_confirmed_dietary_needs_and_lists_access_needs(login, event):
    vegan = [delegate(event, f"Vegan {n}") for n in range(3)]
    for person in vegan:
        DelegateNeedsFactory(delegate=person, dietary_requirement="vegan", access_needs="")
    DelegateNeedsFactory(
        delegate=delegate(event, "Olive Other", organisation="Kent Police"),
        dietary_requirement="other",
        dietary_details="No mushrooms",
        access_needs="Wheelchair user",
    )
    DelegateNeedsFactory(
        delegate=delegate(event, "Wendy Waiting", RegistrationStatus.WAITLISTED),
        dietary_requirement="vegan",
        access_needs="Hearing loop",
    )
    delegate(event, "Nadia None")

    html = login("event staff").get(reverse("staff:catering", args=[event.slug])).content
    html = html.decode()

    counts = dict(re.findall(r'<th scope="row">([^<]+)</th><td class="text-end">(\d+)</td>', html))
    assert counts == {
        "No special requirement": "0",
        "Vegetarian": "0",
        "Vegan": "3",
        "Halal": "0",
        "Kosher": "0",
        "Gluten free": "0",
        "Dairy free": "0",
        "Nut allergy": "0",
        "Other (please describe)": "1",
        "No needs given": "1",
        "All confirmed delegates": "5",
    }
    assert "No mushrooms" in html
    assert "Olive Other" in html
    assert "Wheelchair user" in html
    assert "Wendy Waiting" not in html
    assert "Hearing loop" not in html


def status_rows(html, heading):
    section = html.split(f"<h2>{heading}</h2>")[1].split("<h2>")[0]
    return re.findall(
        r'<th scope="row">([^<]+)</th>\s*'
        r'<td class="text-end">(\d+)</td>\s*<td class="text-end">(\d+)</td>\s*'
        r'<td class="text-end">(\d+)</td>\s*<td class="text-end">(\d+)</td>',
        section,
    )


def test_overview_counts_by_sector_and_organisation(login, event):
    delegate(event, "A", sector=Sector.NHS, organisation="NHS Kent and Medway")
    delegate(
        event,
        "B",
        RegistrationStatus.WAITLISTED,
        sector=Sector.NHS,
        organisation="NHS Kent and Medway",
    )
    delegate(
        event, "C", RegistrationStatus.CANCELLED, sector=Sector.POLICE, organisation="Kent Police"
    )
    delegate(event, "D", sector=Sector.COUNCIL, organisation="Medway Council")
    DelegateFactory(sector=Sector.HOUSING)  # another event

    html = login("event staff").get(reverse("staff:overview", args=[event.slug])).content
    html = html.decode()

    assert status_rows(html, "By sector") == [
        ("NHS", "1", "1", "0", "2"),
        ("Local council", "1", "0", "0", "1"),
        ("Police", "0", "0", "1", "1"),
    ]
    assert status_rows(html, "By organisation") == [
        ("Kent Police", "0", "0", "1", "1"),
        ("Medway Council", "1", "0", "0", "1"),
        ("NHS Kent and Medway", "1", "1", "0", "2"),
    ]
    assert "<dt>Confirmed</dt><dd>2 of 200 places</dd>" in html


def test_overview_shows_places_capacity_and_waitlist_per_session(login, event):
    for _ in range(4):
        BreakoutChoiceFactory(session=event.youth)
    BreakoutChoiceFactory(session=event.youth, status=ChoiceStatus.WAITLISTED)
    BreakoutChoiceFactory(session=event.housing)

    html = login("event staff").get(reverse("staff:overview", args=[event.slug])).content
    html = html.decode()

    section = html.split("<h2>Breakout sessions</h2>")[1].split("<h2>")[0]
    rows = re.findall(
        r'<th scope="row">([^<]+)</th>.*?<td class="text-end">(\d+) <meter.*?</td>\s*'
        r'<td class="text-end">(\d+)</td>\s*<td class="text-end">(\d+)</td>',
        section,
        re.S,
    )
    assert rows == [("Health and housing", "1", "10", "0"), ("Best start in life", "4", "4", "1")]
    assert '<meter class="staff-bar" min="0" max="4" value="4" aria-hidden="true">' in section


def test_overview_counts_registrations_per_uk_day(login, event):
    moments = [
        dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 6, 1, 22, 30, tzinfo=dt.UTC),  # 23:30 in London: still 1 June
        dt.datetime(2026, 6, 1, 23, 30, tzinfo=dt.UTC),  # 00:30 on 2 June in London
        dt.datetime(2026, 6, 3, 12, 0, tzinfo=dt.UTC),
    ]
    for index, moment in enumerate(moments):
        person = delegate(event, f"Person {index}")
        Delegate.objects.filter(pk=person.pk).update(created_at=moment)

    html = login("event staff").get(reverse("staff:overview", args=[event.slug])).content
    html = html.decode()

    section = html.split("<h2>Registrations over time</h2>")[1]
    rows = re.findall(
        r'<th scope="row">([^<]+)</th>\s*<td><span class="staff-count">(\d+)</span>'
        r'.*?<td class="text-end">(\d+)</td>',
        section,
        re.S,
    )
    assert rows == [
        ("Mon 1 Jun 2026", "2", "2"),
        ("Tue 2 Jun 2026", "1", "3"),
        ("Wed 3 Jun 2026", "1", "4"),
    ]


def populate(event, count):
    for index in range(count):
        person = delegate(
            event,
            f"Person {index}",
            organisation=f"Organisation {index}",
            sector=Sector.values[index % len(Sector.values)],
        )
        BreakoutChoiceFactory(session=event.housing, delegate=person)
        DelegateNeedsFactory(delegate=person, dietary_details="Details", access_needs="Ramp")


QUERY_COUNTS = {
    # session and user, the user's and groups' permissions, whether the user sees every
    # event (symposium.teams), the staff navigation's event switcher, then the page's own
    # queries
    "event": 10,
    "desk sheet": 8,
    "breakout sheets": 9,
    "catering": 10,
    # 11 (the charts' check-ins by 15 minutes among them), and live attendance
    # (checkin.selectors.attendance): eight (by partner and by partner network among them)
    "overview": 20,
}


@pytest.mark.parametrize("count", [1, 12])
@pytest.mark.parametrize("page", list(QUERY_COUNTS))
def test_staff_page_query_count_is_fixed(login, event, django_assert_num_queries, page, count):
    populate(event, count)
    client = login("organiser")
    url = staff_urls(event)[page]

    with django_assert_num_queries(QUERY_COUNTS[page]):
        response = client.get(url)

    assert response.status_code == 200
