"""The registration form for someone who cannot see low-contrast edges or who uses a
keyboard (WCAG 2.2 AA): every field's edge and focus ring contrast at least 3:1 with the
page (1.4.11, 2.4.7, 2.4.13; axe-core does not measure these, so the test reads the
colours Chromium computed), and a form sent back with errors opens on the error summary,
whose links go to the fields."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SLUG, submit_empty_registration

REGISTER = f"/events/{SLUG}/register/"
MINIMUM = 3.0
WHITE = (255, 255, 255)
# An outer box-shadow as Chromium computes it: colour, x, y, blur, spread (no "inset").
SHADOW = re.compile(r"(rgba?\([^)]*\)) (-?[\d.]+)px (-?[\d.]+)px ([\d.]+)px ([\d.]+)px(?! inset)")
FIELDS = "form input:not([type=hidden]):not([type=submit]), form select, form textarea"

# For the element in `el`: its colours as Chromium computed them, and the colour of the
# page behind it (the nearest ancestor with a background, else the white canvas).
STYLES_JS = """el => {
  const style = getComputedStyle(el);
  let behind = 'rgb(255, 255, 255)';
  for (let node = el.parentElement; node; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor;
    if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') { behind = colour; break; }
  }
  return {
    id: el.id, type: el.type || el.tagName.toLowerCase(), name: el.name,
    border: style.borderTopColor, borderWidth: parseFloat(style.borderTopWidth),
    borderStyle: style.borderTopStyle,
    outline: style.outlineColor, outlineWidth: parseFloat(style.outlineWidth),
    outlineStyle: style.outlineStyle, outlineOffset: parseFloat(style.outlineOffset),
    boxShadow: style.boxShadow, behind: behind,
  };
}"""


def rgb(css, over=WHITE):
    """An `rgb()`/`rgba()` colour, blended over `over` when it is see-through."""
    red, green, blue, *alpha = (float(n) for n in re.findall(r"[\d.]+", css))
    alpha = alpha[0] if alpha else 1.0
    return tuple(alpha * c + (1 - alpha) * o for c, o in zip((red, green, blue), over, strict=True))


def luminance(colour):
    def linear(channel):
        channel /= 255
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first, second):
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def focus_rings(styles):
    """The solid rings drawn round a focused element, as (colour, visible width in px):
    the outline, then each box-shadow ring beyond it."""
    rings = []
    covered = 0.0
    if styles["outlineStyle"] != "none" and styles["outlineWidth"] > 0:
        rings.append((styles["outline"], styles["outlineWidth"]))
        covered = styles["outlineOffset"] + styles["outlineWidth"]
    if styles["boxShadow"] != "none":
        for colour, x, y, blur, spread in SHADOW.findall(styles["boxShadow"]):
            if float(x) == float(y) == float(blur) == 0 and float(spread) > covered:
                rings.append((colour, float(spread) - covered))
                covered = float(spread)
    return rings


def border_problem(styles):
    behind = rgb(styles["behind"])
    ratio = contrast(rgb(styles["border"], behind), behind)
    if styles["borderStyle"] == "none" or styles["borderWidth"] < 1 or ratio < MINIMUM:
        return (
            f"{styles['type']} #{styles['id']}: edge {styles['border']} "
            f"{styles['borderWidth']}px is {ratio:.2f}:1 against {styles['behind']}"
        )
    return None


def focus_problem(styles):
    """A focused element needs a ring at least 2px thick that contrasts 3:1 with the page
    it is drawn over: with what those pixels were before the focus."""
    behind = rgb(styles["behind"])
    rings = [
        (colour, width, contrast(rgb(colour, behind), behind))
        for colour, width in focus_rings(styles)
    ]
    if not any(width >= 2 and ratio >= MINIMUM for _, width, ratio in rings):
        described = ", ".join(f"{c} {w:g}px {r:.2f}:1" for c, w, r in rings) or "no ring"
        return f"{styles['type']} #{styles['id']} focused: {described}, on {styles['behind']}"
    return None


def tab_through_form(page):
    """Press Tab until focus leaves the last field; the styles of each field on the way."""
    focused = {}
    last_field = page.locator(FIELDS).last.get_attribute("id")
    for _ in range(80):
        page.keyboard.press("Tab")
        active = page.evaluate_handle("document.activeElement")
        if active.evaluate("(el, fields) => el.matches(fields)", FIELDS):
            styles = active.evaluate(STYLES_JS)
            focused[styles["id"]] = styles
            if styles["id"] == last_field:
                break
    return focused


def open_register(page, state):
    page.goto(REGISTER)
    if state == "errors":
        submit_empty_registration(page)


@pytest.mark.parametrize("state", ["new", "errors"])
def test_every_field_edge_contrasts_three_to_one(symposium_event, page, state):
    open_register(page, state)
    fields = page.locator(FIELDS)
    assert fields.count() >= 10
    kinds = set()
    problems = []
    for field in fields.all():
        styles = field.evaluate(STYLES_JS)
        kinds.add(styles["type"])
        problems.append(border_problem(styles))
    assert {"text", "email", "select-one", "checkbox", "radio", "textarea"} <= kinds
    assert not [p for p in problems if p], "\n".join(p for p in problems if p)


@pytest.mark.parametrize("state", ["new", "errors"])
def test_every_field_reached_by_tab_shows_a_three_to_one_focus_ring(symposium_event, page, state):
    open_register(page, state)
    fields = [field.evaluate(STYLES_JS) for field in page.locator(FIELDS).all()]
    focused = tab_through_form(page)

    # Tab stops once in a group of radio buttons; every other field it must reach.
    expected = {f["id"] for f in fields if f["type"] != "radio"}
    assert expected <= set(focused), f"Tab never reached {sorted(expected - set(focused))}"
    radio_groups = {f["name"] for f in fields if f["type"] == "radio"}
    assert radio_groups == {f["name"] for f in focused.values() if f["type"] == "radio"}
    problems = [focus_problem(s) or border_problem(s) for s in focused.values()]
    assert not [p for p in problems if p], "\n".join(p for p in problems if p)


def test_empty_form_opens_on_the_error_summary(symposium_event, page):
    page.goto(REGISTER)
    submit_empty_registration(page)

    assert page.title().startswith("Error: ")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert focus_problem(summary.evaluate(STYLES_JS)) is None
    # One Tab from the summary is its first link: the first thing to fix.
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()
    assert page.script_errors == []


def test_error_summary_names_each_field_and_its_links_move_focus_to_it(symposium_event, page):
    page.goto(REGISTER)
    submit_empty_registration(page)
    links = page.locator(".error-summary a")
    targets = [link.get_attribute("href") for link in links.all()]
    # Each field named in words, in the order the form asks.
    assert [(link.get_attribute("href"), link.inner_text()) for link in links.all()] == [
        ("#id_first_name", "Enter your first name"),
        ("#id_last_name", "Enter your last name"),
        ("#id_email", "Enter your email address"),
        ("#id_organisation", "Enter your organisation"),
        ("#id_sector", "Choose your sector"),
        ("#id_privacy_consent", "Agree to the privacy notice to register"),
    ]

    for index, target in enumerate(targets):
        link = links.nth(index)
        field = page.locator(target)
        message = page.locator(f"#error_1_{target[1:]}")
        # The summary says exactly what the field's own message says.
        expect(link).to_have_text(message.inner_text().strip())
        link.click()
        expect(field).to_be_focused()
        expect(field).to_be_in_viewport()
        label = page.locator(f"label[for='{target[1:]}']")
        expect(label).to_be_in_viewport()
