"""Registering in Chromium with the event's own questions (issue 24): a question asked
only after "Yes" appears when Yes is chosen and goes when No is; errors by each field
keep what was typed; the manage page shows the answers filled in (the date as the
browser shows it); axe finds nothing on the register page with questions."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from questions.models import Answer
from symposium.models import Delegate
from tests.browser.conftest import DESKTOP, PHONE, axe_violations
from tests.questions.conftest import Asked

pytestmark = [pytest.mark.postgres]
MANAGE_LINK = re.compile(r"https?://\S+/manage/[^/\s]+/")


@pytest.fixture
def asked(transactional_db):
    return Asked()


def fill_details(page):
    page.get_by_label("First name").fill("Priya")
    page.get_by_label("Last name").fill("Shah")
    page.get_by_label("Email address").fill("priya.shah@kent.police.uk")
    page.get_by_role("combobox", name=re.compile("^Organisation")).fill("Kent Police")
    page.get_by_label("Sector").select_option(label="Police")


def car(page):
    return page.get_by_label("Your car's registration number")


def test_registering_with_conditional_questions(asked, page):
    page.goto(f"/events/{asked.event.slug}/register/")
    expect(page.get_by_role("group", name="Questions from the organisers")).to_be_visible()
    # Asked only after "Yes" to driving.
    expect(car(page)).to_be_hidden()
    driving = page.get_by_role("group", name="Will you drive to the venue?")
    driving.get_by_role("radio", name="Yes").check()
    expect(car(page)).to_be_visible()
    driving.get_by_role("radio", name="No").check()
    expect(car(page)).to_be_hidden()
    driving.get_by_role("radio", name="Yes").check()

    fill_details(page)
    page.get_by_role("radio", name="Managerial").check()
    page.get_by_role("checkbox", name="Housing").check()
    page.get_by_role("checkbox", name="Workforce").check()
    page.get_by_label("How many colleagues will you bring?").fill("25")
    page.get_by_label("When did you join your organisation?").fill("2019-04-01")
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Register").click()

    # The badge name and the car are required; 25 is over 20. Nothing typed is lost.
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Answer “Name for your badge”")
    expect(summary).to_contain_text("Answer “Your car's registration number”")
    expect(summary).to_contain_text("Enter a number from 0 to 20")
    expect(car(page)).to_be_visible()  # "Yes" came back ticked: the car is asked.
    expect(page.get_by_label("When did you join your organisation?")).to_have_value("2019-04-01")
    expect(page.get_by_role("checkbox", name="Workforce")).to_be_checked()
    expect(page.get_by_label("How many colleagues will you bring?")).to_have_value("25")
    summary.get_by_role("link", name="Enter a number from 0 to 20").click()
    expect(page.get_by_label("How many colleagues will you bring?")).to_be_focused()
    assert not Delegate.objects.filter(event=asked.event).exists()

    page.get_by_label("Name for your badge").fill("Priya S")
    car(page).fill("KE70 ABC")
    page.get_by_label("How many colleagues will you bring?").fill("2")
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are registered")

    delegate = Delegate.objects.get(event=asked.event)
    answers = {
        answer.question.label: answer.value or ", ".join(o.label for o in answer.options.all())
        for answer in Answer.objects.filter(delegate=delegate).select_related("question")
    }
    assert answers == {
        "Name for your badge": "Priya S",
        "Will you drive to the venue?": "yes",
        "Your car's registration number": "KE70 ABC",
        "Your role": "Managerial",
        "Topics you work on": "Housing, Workforce",
        "How many colleagues will you bring?": "2",
        "When did you join your organisation?": "2019-04-01",
    }
    assert page.script_errors == []

    # The manage page: the answers shown and filled in; "No" hides the car, and its
    # answer goes.
    page.goto(MANAGE_LINK.search(mail.outbox[0].body).group())
    main = page.get_by_role("main")
    expect(main).to_contain_text("Topics you work on")
    expect(page.get_by_label("When did you join your organisation?")).to_have_value("2019-04-01")
    expect(page.get_by_role("radio", name="Managerial")).to_be_checked()
    expect(car(page)).to_have_value("KE70 ABC")
    page.get_by_role("group", name="Will you drive to the venue?").get_by_role(
        "radio", name="No"
    ).check()
    expect(car(page)).to_be_hidden()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Your changes are saved")
    assert not Answer.objects.filter(delegate=delegate, question=asked.car).exists()
    assert Answer.objects.get(delegate=delegate, question=asked.driving).value == "no"
    assert page.script_errors == []


@pytest.mark.parametrize("width", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_register_page_with_questions_is_accessible(asked, new_page, axe, width):
    page = new_page(width)
    page.goto(f"/events/{asked.event.slug}/register/")
    page.get_by_role("group", name="Will you drive to the venue?").get_by_role(
        "radio", name="Yes"
    ).check()
    assert axe_violations(axe, page) == ""
    page.get_by_role("button", name="Register").click()  # Every error at once.
    expect(page.get_by_role("alert")).to_be_visible()
    assert axe_violations(axe, page) == ""
    assert page.script_errors == []
