"""Breakout outcomes in Chromium, at 1280 and 360 px: the facilitator's form (and sent
back with errors, opening on its error summary), its read-only view once published,
the public outcomes page, and a partner lead's follow-up pages: no axe-core WCAG 2.2
A/AA violation, one h1, the skip link first, no script error, no sideways scrolling on
a phone. Then a facilitator records outcomes through the page as served (the
organisation picked from the directory with the keyboard), submits them, an organiser
publishes them, and the public page shows them."""

import datetime as dt

import pytest

from outcomes.models import OutcomeStatus
from outcomes.services import publish
from outcomes.tokens import make_facilitator_token
from partners.tokens import make_lead_token
from tests.browser.conftest import DESKTOP, PHONE, axe_violations
from tests.browser.test_accessibility import error_summary_focus_problems, skip_link_problems
from tests.factories import (
    BreakoutSessionFactory,
    EventFactory,
    OrganisationFactory,
    PartnerLeadFactory,
    ThemeFactory,
    UserFactory,
)
from tests.outcomes.factories import (
    ActionFactory,
    PledgeFactory,
    PublishedOutcomeFactory,
    SessionOutcomeFactory,
)

SLUG = "kent-medway"


@pytest.fixture
def outcomes_world():
    event = EventFactory(name="Kent and Medway ICS symposium", slug=SLUG)
    medway = OrganisationFactory(name="Medway Council", sector="council")
    police = OrganisationFactory(name="Kent Police", sector="police")
    draft = SessionOutcomeFactory(
        session=BreakoutSessionFactory(
            theme=ThemeFactory(event=event, number=1, title="Prevention and early help")
        ),
        key_points="",
    )
    published = PublishedOutcomeFactory(
        session=BreakoutSessionFactory(
            theme=ThemeFactory(event=event, number=2, title="Mental health crisis care")
        ),
        key_points="A single crisis line for every partner.\nShared training.",
    )
    action = ActionFactory(
        outcome=published,
        organisation=medway,
        organisation_name=medway.name,
        may_name_organisation=True,
        description="Publish one directory of crisis services",
        due_on=dt.date(2027, 6, 30),
    )
    ActionFactory(
        outcome=published,
        organisation=police,
        organisation_name=police.name,
        description="Join the crisis line rota",
    )
    PledgeFactory(outcome=published, text="Train every call handler", organisation=police)
    return {
        "event": event,
        "draft": draft,
        "published": published,
        "action": action,
        "lead": PartnerLeadFactory(name="Mo Medway", organisation=medway, events=[event]),
    }


def facilitator_path(outcome):
    return f"/events/{SLUG}/outcomes/manage/{make_facilitator_token(outcome)}/"


def lead_path(world):
    return f"/events/{SLUG}/partners/{make_lead_token(world['lead'])}/actions/"


def submit_bad_action(page):
    page.locator("#id_actions-0-description").fill("Map every front door")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_load_state()


def save_bad_status(page):
    page.get_by_label("Date (optional)").fill("2027-02-30")
    page.evaluate("document.getElementById('id_status_on').type = 'text'")
    page.get_by_label("Date (optional)").fill("not a date")
    page.get_by_role("button", name="Save progress").click()
    page.wait_for_load_state()


PAGES = {
    "facilitator": (lambda w: facilitator_path(w["draft"]), None),
    "facilitator-errors": (lambda w: facilitator_path(w["draft"]), submit_bad_action),
    "facilitator-published": (lambda w: facilitator_path(w["published"]), None),
    "facilitator-invalid": (lambda w: f"/events/{SLUG}/outcomes/manage/not-a-token/", None),
    "public": (lambda w: f"/events/{SLUG}/outcomes/", None),
    "lead-actions": (lead_path, None),
    "lead-action": (lambda w: f"{lead_path(w)}{w['action'].pk}/", None),
    "lead-action-errors": (lambda w: f"{lead_path(w)}{w['action'].pk}/", save_bad_status),
}
ERROR_PAGES = {"facilitator-errors", "lead-action-errors"}
WIDTHS = {"desktop": DESKTOP, "phone": PHONE}


@pytest.mark.parametrize("width", WIDTHS.values(), ids=list(WIDTHS))
@pytest.mark.parametrize("name", PAGES)
def test_outcomes_page_is_accessible(name, width, outcomes_world, new_page, axe):
    path, action = PAGES[name]
    page = new_page(width)
    response = page.goto(path(outcomes_world))
    assert response.status == (404 if name == "facilitator-invalid" else 200)
    if action:
        action(page)

    problems = []
    report = axe_violations(axe, page)
    if report:
        problems.append(report)
    if (headings := page.locator("h1").count()) != 1:
        problems.append(f"{headings} h1 elements, not exactly one")
    if width == PHONE:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > PHONE["width"]:
            problems.append(f"scrolls sideways at 360 px: scrollWidth is {scroll_width}")
    if name in ERROR_PAGES:
        assert page.locator(".error-summary").count() == 1
        problems += error_summary_focus_problems(page)
    else:
        problems += skip_link_problems(page)
    problems += page.script_errors
    assert not problems, f"{name} at {width['width']} px:\n" + "\n".join(problems)


def test_a_facilitator_records_outcomes_an_organiser_publishes_and_the_public_reads_them(
    outcomes_world, new_page
):
    draft = outcomes_world["draft"]
    page = new_page()
    page.goto(facilitator_path(draft))
    page.get_by_label("Key points").fill("Prevention starts in schools.")
    page.locator("#id_actions-0-description").fill("Fund a schools link worker")
    owner = page.locator("#id_actions-0-organisation_name")
    owner.press_sequentially("medw")
    page.get_by_role("option", name="Medway Council").wait_for()
    owner.press("ArrowDown")
    owner.press("Enter")
    assert owner.input_value() == "Medway Council"
    page.locator("#id_actions-0-due_on").fill("2027-04-30")
    page.locator("#id_actions-0-may_name_organisation").check()
    page.locator("#id_pledges-0-text").fill("Host two placements")
    page.locator("#id_pledges-0-organisation_name").fill("Swale Youth Trust")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_load_state()
    assert "submitted for review" in page.inner_text("main")
    assert page.script_errors == []

    draft.refresh_from_db()
    assert draft.status == OutcomeStatus.SUBMITTED
    publish(outcome=draft, user=UserFactory(is_staff=True, is_superuser=True))

    page.goto(facilitator_path(draft))
    main = page.inner_text("main")
    assert "can no longer be changed through this link" in main
    assert page.locator("form textarea").count() == 0

    page.goto(f"/events/{SLUG}/")
    page.get_by_role("link", name="Outcomes: sharing good practice").click()
    main = page.inner_text("main")
    assert "Prevention starts in schools." in main
    assert "Fund a schools link worker" in main
    assert "Medway Council" in main
    assert "Host two placements" in main
    assert "Swale Youth Trust" not in main  # It did not agree to be named.
    assert "A partner organisation" in main
