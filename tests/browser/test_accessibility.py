"""Every public page, in Chromium at 1280 and 360 px wide: no axe-core WCAG 2.2 A/AA
violation, exactly one h1, a skip link that is the first stop on Tab and moves focus to
the main content (a page sent back with errors opens on its error summary instead), no
script error or CSP refusal, and on a phone no sideways scrolling."""

import pytest

from tests.browser.conftest import (
    DESKTOP,
    NOT_FOUND_PAGES,
    PHONE,
    PUBLIC_PAGES,
    SLUG,
    axe_violations,
    submit_empty_registration,
)

WIDTHS = {"desktop": DESKTOP, "phone": PHONE}
# Pages that open with focus on the error summary, not at the top of the page.
ERROR_PAGES = {"register-errors"}


def skip_link_problems(page):
    """Tab once: the skip link must be focused and visible; Enter must focus main."""
    page.keyboard.press("Tab")
    first = page.evaluate(
        "() => { const el = document.activeElement; const box = el.getBoundingClientRect();"
        " return {html: el.outerHTML.slice(0, 120), skip: el.matches('a.skip-link'),"
        " href: el.getAttribute('href'), left: box.left, width: box.width}; }"
    )
    if not first["skip"] or first["href"] != "#main-content":
        return [f"first Tab stop is not the skip link: {first['html']}"]
    problems = []
    if first["left"] < 0 or first["width"] == 0:
        problems.append("the skip link is not visible when focused")
    page.keyboard.press("Enter")
    focused = page.evaluate(
        "() => document.activeElement.tagName.toLowerCase() + '#' + document.activeElement.id"
    )
    if focused != "main#main-content":
        problems.append(f"Enter on the skip link focused {focused}, not main#main-content")
    return problems


def error_summary_focus_problems(page):
    focused = page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)")
    if not page.evaluate("() => document.activeElement.matches('.error-summary')"):
        return [f"the page with errors opened with focus on {focused}, not the error summary"]
    return []


@pytest.mark.parametrize("width", WIDTHS.values(), ids=list(WIDTHS))
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_is_accessible(name, width, symposium_event, new_page, axe):
    path, action = PUBLIC_PAGES[name]
    page = new_page(width)
    response = page.goto(path(symposium_event))
    expected_status = 404 if name in NOT_FOUND_PAGES else 200
    assert response.status == expected_status, f"{path(symposium_event)}: {response.status}"
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
    if name in ERROR_PAGES:
        problems += error_summary_focus_problems(page)
    else:
        problems += skip_link_problems(page)
    problems += page.script_errors
    assert not problems, f"{name} at {width['width']} px:\n" + "\n".join(problems)


def test_register_errors_state_shows_error_summary(symposium_event, page):
    """The page checked above in its error state really is in its error state."""
    page.goto(f"/events/{SLUG}/register/")
    submit_empty_registration(page)
    summary = page.get_by_role("alert")
    assert summary.get_by_role("heading", name="There is a problem").is_visible()
    assert page.title().startswith("Error: ")


def test_speaker_photos_load(symposium_event, page):
    page.goto(f"/events/{SLUG}/speakers/")
    photos = page.get_by_role("img")
    assert photos.count() == 2
    for photo in photos.all():
        photo.scroll_into_view_if_needed()
        assert photo.evaluate("img => img.complete && img.naturalWidth") == 240
