"""The dashboard at 1,280 px: the events take the window's width (the stock admin index
is 600 px wide), two cards a row, each with its charts drawn; at 360 px nothing scrolls
sideways."""

import pytest

from tests.browser.conftest import PHONE
from tests.browser.test_console_accessibility import an_event_on_the_day, organiser_account
from tests.browser.test_console_accessibility import sign_in as sign_in_organiser

pytestmark = [pytest.mark.postgres]


def boxes(page, selector):
    return page.locator(selector).evaluate_all(
        "els => els.map(el => { const b = el.getBoundingClientRect();"
        " return {left: b.left, top: b.top, width: b.width}; })"
    )


def test_dashboard_uses_the_full_width(page, transactional_db):
    an_event_on_the_day()
    an_event_on_the_day()
    sign_in_organiser(page, organiser_account())
    page.goto("/admin/")

    [events] = boxes(page, ".console-events")
    cards = boxes(page, ".console-card")
    charts = boxes(page, ".console-card .chart__svg")

    assert events["width"] >= 1150, events  # 1,280 less the admin's 40 px margins
    assert len(cards) == 2
    assert cards[0]["top"] == cards[1]["top"]  # side by side
    assert cards[1]["left"] > cards[0]["left"] + cards[0]["width"]
    assert len(charts) == 8
    assert all(chart["width"] > 300 for chart in charts)
    assert page.script_errors == []


def test_dashboard_does_not_scroll_sideways_on_a_phone(new_page, transactional_db):
    an_event_on_the_day()
    page = new_page(PHONE)
    sign_in_organiser(page, organiser_account())
    page.goto("/admin/")

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
