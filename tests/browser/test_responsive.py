"""Layout checks axe cannot make: content reflows at 320 CSS px (WCAG 1.4.10, what
400% zoom on a laptop amounts to), survives the text-spacing overrides of WCAG 1.4.12,
and every stop on the Tab key shows a visible focus indicator (WCAG 2.4.7)."""

import pytest

from tests.browser.conftest import DESKTOP, PHONE, PUBLIC_PAGES, SLUG

NARROWEST = {"width": 320, "height": 640}
# The text-spacing overrides WCAG 1.4.12 requires a page to cope with.
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: .12em !important;
    word-spacing: .16em !important; }
p { margin-bottom: 2em !important; }
"""
FOCUS_STYLE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== 'none';
  return {
    html: el.outerHTML.slice(0, 120),
    isBody: el === document.body,
    visible: outline || shadow,
  };
}"""


def open_each_page(page, world):
    """Open every public page in turn (in its state: e.g. the form with errors), yielding
    its name."""
    for name, (path, action) in PUBLIC_PAGES.items():
        page.goto(path(world))
        if action:
            action(page)
        yield name


def sideways_scroll(page, width):
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    return scroll_width if scroll_width > width else None


def test_pages_reflow_at_320_px(symposium_event, new_page):
    page = new_page(NARROWEST)
    too_wide = {
        name: sideways_scroll(page, NARROWEST["width"])
        for name in open_each_page(page, symposium_event)
    }
    assert {name: width for name, width in too_wide.items() if width} == {}


def test_pages_survive_wcag_text_spacing(symposium_event, new_page):
    # The overrides go in as a <style> element, which a strict CSP would refuse.
    page = new_page(PHONE, bypass_csp=True)
    too_wide = {}
    for name in open_each_page(page, symposium_event):
        page.add_style_tag(content=TEXT_SPACING)
        too_wide[name] = sideways_scroll(page, PHONE["width"])
    assert {name: width for name, width in too_wide.items() if width} == {}


@pytest.mark.parametrize(
    "path",
    [f"/events/{SLUG}/", f"/events/{SLUG}/register/"],
    ids=["event-home", "register"],
)
def test_every_tab_stop_shows_focus(path, symposium_event, new_page):
    page = new_page(DESKTOP)
    page.goto(path)
    stops = page.locator("a[href], button, input:not([type=hidden]), select, textarea").count()
    unfocused_looking = []
    for _ in range(stops):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_STYLE)
        if focused["isBody"]:
            break
        if not focused["visible"]:
            unfocused_looking.append(focused["html"])
    assert unfocused_looking == []
