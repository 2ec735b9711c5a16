"""An attendee answers the survey in Chromium: the link from their email, a rating per
session by keyboard and mouse, the thank-you page; the link then says it was used."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail

from feedback import services
from feedback.models import Rating, Response
from tests.feedback.factories import build_symposium


@pytest.mark.django_db(transaction=True)
def test_an_attendee_answers_the_anonymous_survey_from_the_email(page):
    world = build_symposium(anonymous=True)
    services.send_due_surveys(now=services.due_at(world["event"]))
    [sent] = [sent for sent in mail.outbox if sent.to == ["sam@example.org"]]
    [href] = re.findall(r"https?://\S+/feedback/\S+/", sent.body)

    page.goto(urlsplit(href).path)
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").inner_text().startswith("There is a problem")

    page.get_by_role("group", name="Population health in Kent (Opening plenary)").get_by_label(
        "5: excellent"
    ).check()
    page.get_by_role("group", name="Breakout round 1: Prevention and early help").get_by_label(
        "4: good"
    ).check()
    page.get_by_role("group", name="The day as a whole").get_by_label("4: good").check()
    page.get_by_label("Comments (optional)").fill("More time for the breakouts, please.")
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state()

    assert page.locator("h1").inner_text() == "Thank you for your feedback"
    response = Response.objects.get()
    assert (response.delegate, response.overall, response.comments) == (
        None,
        4,
        "More time for the breakouts, please.",
    )
    assert sorted(Rating.objects.values_list("score", flat=True)) == [4, 5]
    page.goto(urlsplit(href).path)
    assert page.locator("h1").inner_text() == "You have already answered"
