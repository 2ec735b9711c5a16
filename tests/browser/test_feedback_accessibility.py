"""The feedback survey's pages and the certificate's, in Chromium at 1280 and 360 px
wide, held to what tests/browser/test_accessibility.py asks of every public page: no
axe-core WCAG 2.2 A/AA violation, one h1, the skip link first (the page sent back with
errors opens on its error summary), no script error, no sideways scrolling on a phone."""

import datetime as dt

import pytest
from django.utils import timezone

from symposium.tokens import make_manage_token
from tests.browser.conftest import DESKTOP, PHONE, axe_violations
from tests.browser.test_accessibility import error_summary_focus_problems, skip_link_problems
from tests.feedback.factories import build_symposium
from tests.feedback.helpers import invite, survey_url

WIDTHS = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture
def survey_world(transactional_db):
    world = build_symposium()
    survey = world["survey"]
    closed = build_symposium(day=timezone.localdate() - dt.timedelta(days=30), slug="closed")
    closed["survey"].closes_on = timezone.localdate() - dt.timedelta(days=1)
    closed["survey"].save()
    answered = invite(survey, world["ana"], answered_at=timezone.now())
    return {
        "survey": survey_url(invite(survey, world["sam"])),
        "answered": survey_url(answered),
        "done": survey_url(answered, "feedback:survey-done"),
        "closed": survey_url(invite(closed["survey"], closed["sam"])),
        "manage-over": f"/events/kent-medway/manage/{make_manage_token(world['sam'])}/",
        "no-certificate": (
            f"/events/kent-medway/manage/{make_manage_token(world['cat'])}/certificate.pdf"
        ),
        "not-checked-in": f"/events/kent-medway/manage/{make_manage_token(world['cat'])}/",
        "link-invalid": "/events/kent-medway/feedback/not-a-token/",
    }


def send_without_overall(page):
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state()


PAGES = {
    "survey": ("survey", None, 200),
    "survey-errors": ("survey", send_without_overall, 200),
    "survey-answered": ("answered", None, 200),
    "survey-done": ("done", None, 200),
    "survey-closed": ("closed", None, 200),
    "survey-link-invalid": ("link-invalid", None, 404),
    "manage-over-certificate": ("manage-over", None, 200),
    "manage-over-not-checked-in": ("not-checked-in", None, 200),
    "certificate-unavailable": ("no-certificate", None, 404),
}


@pytest.mark.parametrize("width", WIDTHS.values(), ids=list(WIDTHS))
@pytest.mark.parametrize("name", PAGES)
def test_feedback_page_is_accessible(name, width, survey_world, new_page, axe):
    key, action, status = PAGES[name]
    page = new_page(width)
    response = page.goto(survey_world[key])
    assert response.status == status, f"{survey_world[key]}: {response.status}"
    if action:
        action(page)

    problems = []
    report = axe_violations(axe, page)
    if report:
        problems.append(report)
    headings = page.locator("h1").count()
    if headings != 1:
        problems.append(f"{headings} h1 elements, not exactly one")
    if width == PHONE:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > PHONE["width"]:
            problems.append(f"scrolls sideways at 360 px: scrollWidth is {scroll_width}")
    if name == "survey-errors":
        problems += error_summary_focus_problems(page)
        if "Choose a rating for the day as a whole" not in page.content():
            problems.append("the error is not shown")
    else:
        problems += skip_link_problems(page)
    problems += page.script_errors
    assert not problems, f"{name} at {width['width']} px:\n" + "\n".join(problems)
