"""Charts on the dashboard and the staff overview: drawn on the server as SVG, each named
by its title and summary and followed by its figures in a table; the figures counted in
SQL, so both pages run a bounded number of queries whatever the data."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from breakouts.enums import ChoiceStatus
from checkin.models import CheckIn
from console import charts, figures
from symposium.enums import RegistrationStatus, Sector
from symposium.models import Delegate
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
    event_day_at,
)
from tests.helpers import staff_user

LONDON = ZoneInfo("Europe/London")


def registered_on(event, day, count, **kwargs):
    people = DelegateFactory.create_batch(count, event=event, **kwargs)
    moment = dt.datetime.combine(day, dt.time(10), tzinfo=LONDON)
    Delegate.objects.filter(pk__in=[p.pk for p in people]).update(created_at=moment)
    return people


def check_in(delegate, hour, minute, *, undone=False):
    at = event_day_at(delegate.event, hour, minute)
    return CheckIn.objects.create(delegate=delegate, at=at, undone_at=at if undone else None)


# The drawing ---------------------------------------------------------------------------


def test_nice_ceiling_lands_on_round_numbers():
    assert [charts.nice_ceiling(v) for v in (0, 1, 3, 7, 12, 105, 240, 501)] == [
        1,
        1,
        5,
        10,
        20,
        200,
        500,
        1000,
    ]


def test_registrations_chart_is_an_image_named_by_its_title_and_summary():
    days = [(dt.date(2026, 5, 1), 3), (dt.date(2026, 5, 4), 5)]

    chart = charts.registrations_over_time(
        chart_id="c", days=days, capacity=6, until=dt.date(2026, 5, 10)
    )

    assert 'role="img"' in chart.svg
    assert 'aria-labelledby="c-title c-summary"' in chart.svg
    assert chart.summary == (
        "8 registrations not cancelled, against 6 places, made over 2 days; the busiest "
        "was 4 May with 5. 2 more than the places: the rest wait."
    )
    # The capacity line is dashed and labelled, not told apart by colour alone.
    assert 'stroke-dasharray="8 5"' in chart.svg
    assert ">6 places</text>" in chart.svg
    assert ">8 registered</text>" in chart.svg
    assert list(chart.table.rows) == [("Fri 1 May 2026", 3, 3), ("Mon 4 May 2026", 5, 8)]


def test_chart_text_is_escaped():
    chart = charts.horizontal_bars(
        chart_id="c", title="Sector mix", rows=[("<script>", 2)], what="registrations"
    )

    assert "<script>" not in chart.svg
    assert "&lt;script&gt;" in chart.svg


def test_sector_bars_carry_their_numbers_and_shares():
    rows = [("NHS", 3), ("Voluntary, community and social enterprise (VCSE)", 1)]

    chart = charts.horizontal_bars(chart_id="s", title="Sector mix", rows=rows, what="people")

    assert ">3 (75 %)</text>" in chart.svg
    assert ">1 (25 %)</text>" in chart.svg
    assert chart.summary == "4 people in 2 groups; the largest is NHS with 3 (75 %)."


def test_breakout_fill_says_full_and_waiting_in_words():
    sessions = [
        charts.SessionFill(
            round="Morning, 11:00", session="Housing", taken=10, capacity=10, waitlist=2
        ),
        charts.SessionFill(round="Morning, 11:00", session="Youth", taken=3, capacity=12),
    ]

    chart = charts.breakout_fill(chart_id="b", sessions=sessions)

    assert ">10 of 10, full, 2 waiting</text>" in chart.svg
    assert ">3 of 12</text>" in chart.svg
    assert chart.summary == ("13 of 22 breakout places taken in 2 sessions over 1 rounds; 1 full.")


def test_check_in_chart_shows_empty_slots_between_busy_ones():
    slots = [(dt.datetime(2026, 6, 3, 9, 0), 4), (dt.datetime(2026, 6, 3, 9, 45), 1)]

    chart = charts.check_ins_over_the_day(chart_id="k", slots=slots, minutes=15)

    assert list(chart.table.rows) == [("09:00", 4), ("09:15", 0), ("09:30", 0), ("09:45", 1)]
    assert chart.summary == (
        "5 check-ins from 09:00 to 10:00; the busiest 15 minutes began at 09:00 with 4."
    )


# The figures ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.postgres
def test_figures_count_standing_registrations_by_uk_day_and_sector():
    event = EventFactory()
    registered_on(event, dt.date(2026, 5, 1), 2, sector=Sector.NHS)
    registered_on(event, dt.date(2026, 5, 2), 1, sector=Sector.POLICE)
    registered_on(event, dt.date(2026, 5, 2), 1, status=RegistrationStatus.WAITLISTED)
    registered_on(event, dt.date(2026, 5, 2), 3, status=RegistrationStatus.CANCELLED)
    late = registered_on(event, dt.date(2026, 5, 3), 1, sector=Sector.NHS)
    # 00:30 in London on 4 May (BST) is still 3 May in UTC: it counts on the 4th.
    Delegate.objects.filter(pk=late[0].pk).update(
        created_at=dt.datetime(2026, 5, 4, 0, 30, tzinfo=LONDON)
    )

    numbers = figures.figures_for([event.pk])[event.pk]

    assert numbers.days == [
        (dt.date(2026, 5, 1), 2),
        (dt.date(2026, 5, 2), 2),
        (dt.date(2026, 5, 4), 1),
    ]
    assert numbers.sectors == [("NHS", 3), ("Local council", 1), ("Police", 1)]


@pytest.mark.django_db
@pytest.mark.postgres
def test_check_ins_fall_in_fifteen_minute_slots_of_the_event_day():
    event = EventFactory(starts_on=dt.date(2026, 6, 3), ends_on=dt.date(2026, 6, 3))
    people = DelegateFactory.create_batch(5, event=event)
    check_in(people[0], 9, 0)
    check_in(people[1], 9, 14)
    check_in(people[2], 9, 15)
    check_in(people[3], 10, 59)
    check_in(people[4], 9, 5, undone=True)  # undone at the desk: not counted

    slots = figures.check_in_slots([event.pk])[event.pk]

    assert slots == [
        (dt.datetime(2026, 6, 3, 9, 0), 2),
        (dt.datetime(2026, 6, 3, 9, 15), 1),
        (dt.datetime(2026, 6, 3, 10, 45), 1),
    ]


# The pages -----------------------------------------------------------------------------


def populate(event, size):
    """`size` delegates over several days and sectors, with breakout places and
    check-ins: what grows on the day."""
    session = BreakoutSessionFactory(theme__event=event, capacity=size)
    sectors = Sector.values
    for index in range(size):
        day = event.starts_on - dt.timedelta(days=30 - index % 20)
        [person] = registered_on(event, day, 1, sector=sectors[index % len(sectors)])
        BreakoutChoiceFactory(session=session, delegate=person, status=ChoiceStatus.CONFIRMED)
        check_in(person, 8 + index % 3, (index * 7) % 60)


def dashboard(client):
    return client.get(reverse("admin:index"))


def overview(client, event):
    return client.get(reverse("staff:overview", args=[event.slug]))


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.parametrize(("events", "size"), [(1, 2), (4, 30)])
def test_dashboard_queries_stay_bounded(
    organiser_client, django_assert_max_num_queries, events, size
):
    for _ in range(events):
        populate(EventFactory(delegate_capacity=size), size)
    dashboard(organiser_client)  # warm the session and content types

    # The session, the user and their permissions, the admin's app list and recent
    # actions, then the events, their sessions and the charts' three counts.
    with django_assert_max_num_queries(12):
        response = dashboard(organiser_client)

    cards = response.context["event_cards"]
    assert len(cards) == events
    assert all(len(card.charts) == 4 for card in cards)


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.parametrize("size", [2, 40])
def test_overview_queries_stay_bounded(client, django_assert_max_num_queries, size):
    event = EventFactory(delegate_capacity=size)
    populate(event, size)
    client.force_login(staff_user("export_attendees"))

    # Live attendance's eight among them (tests/console/test_staff_pages.py).
    with django_assert_max_num_queries(20):
        response = overview(client, event)

    assert [chart.title for chart in response.context["charts"]] == [
        "Registrations over time against capacity",
        "Sector mix",
        "Breakout fill per round",
        "Check-ins over the day, by 15 minutes",
    ]


def figure_ids(page):
    return re.findall(r'<figure class="chart" aria-labelledby="([^"]+)"', page)


@pytest.mark.django_db
@pytest.mark.postgres
def test_each_chart_on_the_dashboard_has_its_title_summary_and_table(organiser_client):
    first, second = EventFactory(delegate_capacity=5), EventFactory(delegate_capacity=5)
    populate(first, 3)
    populate(second, 3)

    page = dashboard(organiser_client).content.decode()

    ids = figure_ids(page)
    assert len(ids) == 8
    assert len(set(ids)) == 8  # unique on a page showing several events
    for title_id in ids:
        chart_id = title_id.removesuffix("-title")
        assert f'<figcaption id="{title_id}"' in page
        assert f'aria-labelledby="{chart_id}-title {chart_id}-summary"' in page
        assert f'<p id="{chart_id}-summary"' in page
    assert page.count('<details class="chart__data">') == 8


@pytest.mark.django_db
@pytest.mark.postgres
def test_dashboard_shows_days_until_registration_closes(organiser_client):
    now = timezone.now()
    EventFactory(
        registration_opens_at=now - dt.timedelta(days=3),
        registration_closes_at=now + dt.timedelta(days=9, hours=1),
        starts_on=timezone.localdate() + dt.timedelta(days=20),
        ends_on=timezone.localdate() + dt.timedelta(days=20),
    )
    EventFactory(
        name="Last year's symposium",
        registration_opens_at=now - dt.timedelta(days=40),
        registration_closes_at=now - dt.timedelta(days=20),
        starts_on=timezone.localdate() - dt.timedelta(days=10),
        ends_on=timezone.localdate() - dt.timedelta(days=10),
    )

    page = dashboard(organiser_client).content.decode()

    closes = timezone.localtime(now + dt.timedelta(days=9, hours=1))
    days = (closes.date() - timezone.localdate()).days
    assert f"Registration closes in {days} days ({closes:%-d %B})" in page
    closed = timezone.localtime(now - dt.timedelta(days=20))
    assert f"Registration closed on {closed:%-d %B %Y}" in page


@pytest.mark.django_db
@pytest.mark.postgres
def test_overview_shows_its_charts(client):
    event = EventFactory(delegate_capacity=10)
    populate(event, 4)
    client.force_login(staff_user("export_attendees"))

    page = overview(client, event).content.decode()

    assert len(figure_ids(page)) == 4
    assert "4 check-ins from" in page
