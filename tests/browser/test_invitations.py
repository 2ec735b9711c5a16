"""The invitation pages in Chromium at 1280 and 360 px: no axe-core WCAG 2.2 A/AA
violation, one h1, no script error; and an invitee's way through them with the mouse
and keyboard: the invitation, the form with their organisation locked, the answer."""

import pytest

from partners.models import InvitationStatus, PersonalInvitation
from symposium.enums import Sector
from tests.browser.conftest import DESKTOP, PHONE, axe_violations
from tests.factories import (
    EventFactory,
    InvitationFactory,
    OrganisationFactory,
    PersonalInvitationFactory,
)

SLUG = "invited-symposium"
WIDTHS = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture
def invited():
    event = EventFactory(slug=SLUG, name="Kent and Medway partners' symposium")
    organisation = OrganisationFactory(name="Medway Council", sector=Sector.COUNCIL)
    personal = PersonalInvitationFactory(event=event, name="Ann Smith", email="ann@example.org")
    personal.invitation.organisation = organisation
    personal.invitation.save()
    return {"event": event, "personal": personal, "code": personal.invitation.code}


def decline(page):
    page.get_by_role("button", name="I can't come").click()
    page.wait_for_load_state()


def cancelled(page):
    """Registered through it, then cancelled: the page says so and offers it again."""
    PersonalInvitation.objects.update(status=InvitationStatus.CANCELLED)
    page.reload()
    assert "You registered with this invitation, then cancelled." in page.inner_text("main")


def submit(page):
    page.get_by_role("button", name="Register").click()
    page.wait_for_load_state()


PAGES = {
    "invitation": (lambda w: f"/events/{SLUG}/invitation/{w['code']}/", None),
    "invitation-unknown": (lambda w: f"/events/{SLUG}/invitation/NOSUCHCODE/", None),
    "invitation-cancelled": (lambda w: f"/events/{SLUG}/invitation/{w['code']}/", cancelled),
    "decline": (lambda w: f"/events/{SLUG}/invitation/{w['code']}/decline/", None),
    "declined": (lambda w: f"/events/{SLUG}/invitation/{w['code']}/decline/", decline),
    "register-invited": (lambda w: f"/events/{SLUG}/register/?invitation={w['code']}", None),
    "register-invited-errors": (
        lambda w: f"/events/{SLUG}/register/?invitation={w['code']}",
        submit,
    ),
    "register-bad-code": (lambda w: f"/events/{SLUG}/register/?invitation=NOSUCHCODE", None),
}


@pytest.mark.parametrize("width", WIDTHS.values(), ids=list(WIDTHS))
@pytest.mark.parametrize("name", PAGES)
def test_invitation_page_is_accessible(name, width, invited, new_page, axe):
    path, action = PAGES[name]
    page = new_page(width)
    response = page.goto(path(invited))
    assert response.status == (404 if name == "invitation-unknown" else 200)
    if action:
        action(page)

    problems = []
    if report := axe_violations(axe, page):
        problems.append(report)
    if (headings := page.locator("h1").count()) != 1:
        problems.append(f"{headings} h1 elements, not exactly one")
    if width == PHONE:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > PHONE["width"]:
            problems.append(f"scrolls sideways at 360 px: scrollWidth is {scroll_width}")
    problems += page.script_errors
    assert not problems, f"{name} at {width['width']} px:\n" + "\n".join(problems)


def test_an_invitee_registers_from_the_invitation_page_with_their_organisation_locked(
    invited, page
):
    page.goto(f"/events/{SLUG}/invitation/{invited['code']}/")
    page.get_by_role("link", name="Register with this invitation").click()

    assert page.get_by_label("Email address").input_value() == "ann@example.org"
    organisation = page.get_by_label("Organisation")
    assert organisation.input_value() == "Medway Council"
    assert organisation.is_disabled()
    assert page.get_by_label("Sector").is_disabled()
    page.get_by_label("I have read the privacy notice").check()
    submit(page)

    personal = PersonalInvitation.objects.select_related("delegate").get()
    assert personal.status == InvitationStatus.REGISTERED
    assert (personal.delegate.first_name, personal.delegate.organisation) == (
        "Ann",
        "Medway Council",
    )


def test_a_code_used_up_meanwhile_is_said_by_its_field_in_the_browser(invited, page):
    code = InvitationFactory(event=invited["event"], max_uses=1, code="DISTRICT23")
    page.goto(f"/events/{SLUG}/register/?invitation=DISTRICT23")
    code.uses = 1
    code.save()
    page.get_by_label("First name").fill("Bo")
    page.get_by_label("Last name").fill("Brown")
    page.get_by_label("Email address").fill("bo@example.org")
    page.get_by_label("Organisation").fill("Swale Borough Council")
    page.get_by_label("Sector").select_option("council")
    page.get_by_label("I have read the privacy notice").check()
    submit(page)

    summary = page.locator(".error-summary")
    assert "already been used" in summary.inner_text()
    assert page.get_by_label("Invitation code").input_value() == "DISTRICT23"
    assert page.get_by_label("First name").input_value() == "Bo"
