"""A partner lead's pages in Chromium, at 1280 and 360 px: no axe-core WCAG 2.2 A/AA
violation, one h1, the skip link first (the form sent back with errors opens on its
error summary), no script error, no sideways scrolling on a phone; and a lead passing a
place to a colleague through the page as served, the colleague opening their link."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail

from partners.tokens import make_lead_token
from symposium.models import Delegate
from tests.browser.conftest import DESKTOP, PHONE, axe_violations
from tests.browser.test_accessibility import error_summary_focus_problems, skip_link_problems
from tests.factories import (
    AffiliationFactory,
    BreakoutChoiceFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
    NetworkFactory,
    OrganisationFactory,
    PartnerLeadFactory,
    ThemeFactory,
)

SLUG = "kent-medway"


@pytest.fixture
def lead_world():
    event = EventFactory(name="Kent and Medway ICS symposium", slug=SLUG)
    session = BreakoutSessionFactory(
        theme=ThemeFactory(event=event, title="Prevention and early help"), capacity=20
    )
    medway, carers = (
        OrganisationFactory(name="Medway Council"),
        OrganisationFactory(name="Carers First"),
    )
    network = NetworkFactory(name="Better Mental Health Network")
    network.organisations.add(medway, carers)
    people = []
    for first, last, organisation, status in [
        ("Ann", "Achebe", medway, "confirmed"),
        ("Wyn", "Waite", medway, "waitlisted"),
        ("Cat", "Chowdhury", carers, "confirmed"),
    ]:
        delegate = DelegateFactory(
            event=event,
            first_name=first,
            last_name=last,
            email=f"{first.lower()}@example.org",
            organisation=organisation.name,
            status=status,
        )
        AffiliationFactory(delegate=delegate, organisation=organisation)
        people.append(delegate)
    BreakoutChoiceFactory(delegate=people[0], session=session)
    return {
        "ann": people[0],
        "lead": PartnerLeadFactory(name="Mo Medway", organisation=medway, events=[event]),
        "network_lead": PartnerLeadFactory(
            name="Nia Network", organisation=None, network=network, events=[event]
        ),
    }


def lead_path(world, lead="lead"):
    return f"/events/{SLUG}/partners/{make_lead_token(world[lead])}/"


def submit_empty(page):
    page.get_by_role("button", name="Pass the place to this colleague").click()
    page.wait_for_load_state()


PAGES = {
    "lead": (lambda w: lead_path(w), None),
    "network-lead": (lambda w: lead_path(w, "network_lead"), None),
    "substitute": (lambda w: f"{lead_path(w)}substitute/{w['ann'].pk}/", None),
    "substitute-errors": (lambda w: f"{lead_path(w)}substitute/{w['ann'].pk}/", submit_empty),
    "cancel": (lambda w: f"{lead_path(w)}cancel/{w['ann'].pk}/", None),
    "invalid": (lambda w: f"/events/{SLUG}/partners/not-a-token/", None),
}
WIDTHS = {"desktop": DESKTOP, "phone": PHONE}


@pytest.mark.parametrize("width", WIDTHS.values(), ids=list(WIDTHS))
@pytest.mark.parametrize("name", PAGES)
def test_partner_lead_page_is_accessible(name, width, lead_world, new_page, axe):
    path, action = PAGES[name]
    page = new_page(width)
    response = page.goto(path(lead_world))
    assert response.status == (404 if name == "invalid" else 200)
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
    if name == "substitute-errors":
        problems += error_summary_focus_problems(page)
    else:
        problems += skip_link_problems(page)
    problems += page.script_errors
    assert not problems, f"{name} at {width['width']} px:\n" + "\n".join(problems)


def test_a_lead_passes_a_place_and_the_colleague_opens_their_link(lead_world, new_page, settings):
    page = new_page()
    page.goto(lead_path(lead_world))
    page.get_by_role("link", name="Pass Ann Achebe's place to a colleague").click()
    page.get_by_label("Colleague's first name").fill("Dee")
    page.get_by_label("Colleague's last name").fill("Dlamini")
    page.get_by_label("Colleague's email address").fill("dee@example.org")
    page.get_by_role("button", name="Pass the place to this colleague").click()
    page.wait_for_load_state()

    assert "Ann Achebe's place has passed to Dee Dlamini" in page.inner_text("main")
    assert page.get_by_role("heading", name="Dee Dlamini").count() == 1
    dee = Delegate.objects.get(email="dee@example.org")
    (confirmation,) = [m for m in mail.outbox if m.to == ["dee@example.org"]]
    (link,) = re.findall(r"https?://\S+/manage/[^/\s]+/", confirmation.body)
    colleague = new_page()
    colleague.goto(urlsplit(link).path)
    assert colleague.get_by_label("First name").input_value() == dee.first_name
