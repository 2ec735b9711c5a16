"""The partner directory in Chromium: the registration form's organisation picker (an
ARIA 1.2 combobox) used with the keyboard, with no axe violation while its list is
open; and the directory's console pages (to match, merge, import) with none either."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from playwright.sync_api import expect

from partners.models import Affiliation, OrganisationAlias
from symposium.enums import Sector
from symposium.models import Delegate
from tests.browser.conftest import SLUG, axe_violations
from tests.browser.test_console import organiser_account, sign_in
from tests.factories import DelegateFactory, OrganisationFactory

pytestmark = [pytest.mark.postgres]


@pytest.fixture
def directory():
    OrganisationFactory(name="Medway Council", sector=Sector.COUNCIL)
    OrganisationFactory(name="Medway Community Healthcare", sector=Sector.NHS)
    police = OrganisationFactory(name="Kent Police", sector=Sector.POLICE)
    OrganisationAlias.objects.create(organisation=police, name="Kent Constabulary")
    OrganisationFactory(name="Kent County Council", sector=Sector.COUNCIL)


def open_picker(page, text):
    page.goto(f"/events/{SLUG}/register/")
    box = page.get_by_role("combobox", name="Organisation")
    box.click()
    box.press_sequentially(text, delay=30)
    expect(page.get_by_role("listbox")).to_be_visible()
    return box


def test_the_picker_is_an_aria_combobox_without_axe_violations_when_open(
    symposium_event, directory, page, axe
):
    box = open_picker(page, "medway")

    listbox = page.get_by_role("listbox")
    options = listbox.get_by_role("option")
    expect(options).to_have_count(2)
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(box).to_have_attribute("aria-autocomplete", "list")
    assert box.get_attribute("aria-controls") == listbox.get_attribute("id")
    expect(page.locator(".picker [aria-live='polite']")).to_have_text(
        "2 organisations found. Use the up and down arrows to choose."
    )
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", options.first.get_attribute("id"))
    expect(options.first).to_have_attribute("aria-selected", "true")

    assert axe_violations(axe, page) == ""

    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    assert box.input_value() == "medway"  # Escape closes; what was typed stays.
    assert not page.script_errors


def test_a_delegate_picks_with_the_keyboard_and_is_affiliated_with_its_sector(
    symposium_event, directory, page
):
    box = open_picker(page, "constab")
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_count(1)
    box.press("ArrowDown")
    box.press("Enter")

    expect(box).to_have_value("Kent Police")
    expect(page.get_by_role("listbox")).to_be_hidden()
    expect(page.get_by_label("Sector")).to_have_value("police")
    expect(page.locator(".picker [aria-live='polite']")).to_have_text(
        "Kent Police chosen. Sector set to Police."
    )
    page.get_by_label("First name").fill("Amara")
    page.get_by_label("Last name").fill("Osei")
    page.get_by_label("Email address").fill("amara.osei@example.org")
    page.get_by_label("I have read the").check()
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(f"**/events/{SLUG}/register/done/")

    delegate = Delegate.objects.get(email="amara.osei@example.org")
    assert (delegate.organisation, delegate.sector) == ("Kent Police", Sector.POLICE)
    assert delegate.affiliation.organisation.name == "Kent Police"
    assert not page.script_errors


def test_a_name_not_in_the_directory_is_typed_and_kept(symposium_event, directory, page):
    box = open_picker(page, "medway")
    box.fill("Swale Food Bank")
    expect(page.locator(".picker [aria-live='polite']")).to_have_text(
        "No organisation found in our list. What you type will be kept as it is."
    )
    page.get_by_label("Sector").select_option("vcse")
    page.get_by_label("First name").fill("Amara")
    page.get_by_label("Last name").fill("Osei")
    page.get_by_label("Email address").fill("amara.osei@example.org")
    page.get_by_label("I have read the").check()
    box.press("Enter")  # Nothing highlighted: Enter submits the form.
    page.wait_for_url(f"**/events/{SLUG}/register/done/")

    delegate = Delegate.objects.get(email="amara.osei@example.org")
    assert delegate.organisation == "Swale Food Bank"
    assert not Affiliation.objects.filter(delegate=delegate).exists()


def test_the_directorys_console_pages_have_no_axe_violation(directory, page, axe, tmp_path):
    DelegateFactory(organisation="Dover Youth Club")
    organiser = organiser_account()
    # As organiser_account() does for the groups: a live-server test's flush removed them.
    editor = SimpleNamespace(connection=connection)
    importlib.import_module("partners.migrations.0002_organisers_manage_the_directory").grant(
        apps, editor
    )
    sign_in(page, organiser)
    problems = []

    page.goto("/admin/partners/organisation/to-match/")
    box = page.get_by_role("combobox", name="Directory organisation for Dover Youth Club")
    box.press_sequentially("kent", delay=30)
    expect(page.get_by_role("listbox")).to_be_visible()
    problems.append(axe_violations(axe, page))

    page.goto("/admin/partners/organisation/")
    for name in ("Medway Council", "Medway Community Healthcare"):
        page.get_by_role("row").filter(has_text=name).get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label="Merge selected organisations")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("heading", name="Merge organisations")).to_be_visible()
    problems.append(axe_violations(axe, page))

    page.goto("/admin/partners/organisation/import/")
    problems.append(axe_violations(axe, page))
    csv = tmp_path / "partners.csv"
    csv.write_text("Name,Sector,Website\nDover Youth Club,VCSE,dover.example\n,nhs,\n")
    page.get_by_label("Spreadsheet").set_input_files(csv)
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator("#import-summary")).to_contain_text("1 row can be imported")
    problems.append(axe_violations(axe, page))
    page.get_by_role("button", name="Import 1 organisation").click()
    expect(page.locator("#import-result")).to_contain_text("1 organisation added")
    problems.append(axe_violations(axe, page))

    assert not [problem for problem in problems if problem], "\n".join(problems)
    assert not page.script_errors
