"""Issue 25's acceptance in Chromium, as people do it: the day after the symposium the
task queue's worker sends the feedback survey to the ten attendees the desk checked in;
an attendee answers it from the link in her email (four more through the same form);
an organiser (Organisers group, in the event's team, not a superuser) emails the
facilitator their link, and the facilitator records key points, an action with an owner
organisation and a due date, and a pledge, and submits them; the organiser publishes
them, prepares the report for the board (made by the worker), reads it and downloads
its PDF, whose text (pypdf) holds the attendance, the response rate, the overall score,
the action and the pledge, and says which figures are hidden because fewer than 5
people are behind them; the public outcomes page shows what was published. What each
person is told is read from their page or their email."""

import datetime as dt
import importlib
import re
import threading
from io import BytesIO
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from feedback import tasks as feedback_tasks
from feedback.models import Response
from outcomes.models import Action, OutcomeStatus, Pledge, SessionOutcome
from symposium import background
from symposium.enums import Sector
from symposium.models import BoardReport, Delegate, Team
from tests.background import run_background_jobs as run_jobs
from tests.factories import DelegateFactory, OrganisationFactory, UserFactory
from tests.feedback.factories import build_symposium, check_in

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SLUG = "kent-medway"
PASSWORD = "correct-horse-battery"
GRANTS = [
    ("symposium.migrations.0003_groups", "create_groups"),
    ("feedback.migrations.0002_organisers_manage_surveys", "grant"),
    ("outcomes.migrations.0002_facilitator_link_and_publishing", "grant"),
    ("symposium.migrations.0015_organisers_prepare_board_reports", "forwards"),
]
FACILITATOR = "fran.facilitator@example.org"


def organiser_account(event):
    """The groups and grants come from data migrations, which a live-server test's
    flush removes: made again as the migrations leave them. The organiser works on
    this event only (a team of their own)."""
    if not Group.objects.filter(name="Organisers").exists():
        editor = SimpleNamespace(connection=connection)
        for module, function in GRANTS:
            getattr(importlib.import_module(module), function)(apps, editor)
    user = UserFactory(username="olu", is_staff=True, is_superuser=False)
    user.groups.add(Group.objects.get(name="Organisers"))
    team = Team.objects.create(name="Kent and Medway team")
    team.members.add(user)
    team.limit_events.add(event)
    return user


def sign_in(page, user):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def run_background_jobs():
    """The worker in a thread of its own: Playwright's sync API keeps an event loop
    running in this one, and the worker starts its own."""
    worker = threading.Thread(target=run_jobs)
    worker.start()
    worker.join(timeout=180)
    assert not worker.is_alive()


def one_email(to, subject_start):
    found = [m for m in mail.outbox if m.to == [to] and m.subject.startswith(subject_start)]
    assert len(found) == 1, [(m.to, m.subject) for m in mail.outbox]
    return found[0]


def link(message, kind):
    [url] = set(re.findall(rf"https?://\S+?/{kind}/[^/\s]+/", message.body))
    return urlsplit(url).path


def after_the_symposium():
    """build_symposium's event, two days ago (so its survey is due, whatever the time
    of day): 15 confirmed registrations, 10 checked in. Every one is NHS but two police
    officers who came: a group of 2, hidden in the report."""
    world = build_symposium(day=timezone.localdate() - dt.timedelta(days=2), slug=SLUG)
    event = world["event"]
    Delegate.objects.filter(event=event).update(sector=Sector.NHS, organisation="Kent NHS Trust")
    came = DelegateFactory.create_batch(
        6, event=event, sector=Sector.NHS, organisation="Kent NHS Trust"
    )
    came += DelegateFactory.create_batch(
        2, event=event, sector=Sector.POLICE, organisation="Kent Police"
    )
    DelegateFactory.create_batch(3, event=event, sector=Sector.NHS, organisation="Kent NHS Trust")
    for delegate in came:
        check_in(delegate)
    world["others"] = came
    world["outcome"] = SessionOutcome.objects.create(
        session=world["prevention"], facilitator_email=FACILITATOR
    )
    world["medway"] = OrganisationFactory(name="Medway Council", sector="council")
    return world


def test_after_the_symposium_survey_outcomes_and_the_report_for_the_board(new_page):
    world = after_the_symposium()
    event = world["event"]
    organiser = organiser_account(event)

    # 1. The survey, sent by the worker (the periodic task), once, to those who came. ---
    background.defer(feedback_tasks.send_surveys)
    run_background_jobs()
    invited = [m for m in mail.outbox if m.subject.startswith("Tell us what you thought")]
    assert sorted(m.to[0] for m in invited) == sorted(
        ["sam@example.org", "ana@example.org"] + [d.email for d in world["others"]]
    )
    assert "ben@example.org" not in {m.to[0] for m in mail.outbox}  # check-in undone
    background.defer(feedback_tasks.send_surveys)  # The next minute's run: sent once.
    run_background_jobs()
    assert len([m for m in mail.outbox if m.subject.startswith("Tell us what")]) == 10

    # 2. Sam answers it in the browser, from her email. --------------------------------
    sam_link = link(one_email("sam@example.org", "Tell us what you thought"), "feedback")
    attendee = new_page()
    attendee.goto(sam_link)
    attendee.get_by_role("button", name="Send my answers").click()
    attendee.wait_for_load_state()
    assert attendee.locator(".error-summary").inner_text().startswith("There is a problem")
    assert "Choose a rating for the day as a whole" in attendee.inner_text("main")
    attendee.get_by_role("group", name="Population health in Kent (Opening plenary)").get_by_label(
        "5: excellent"
    ).check()
    attendee.get_by_role("group", name="Breakout round 1: Prevention and early help").get_by_label(
        "4: good"
    ).check()
    attendee.get_by_role("group", name="The day as a whole").get_by_label("4: good").check()
    attendee.get_by_label("Comments (optional)").fill("More time for the breakouts, please.")
    attendee.get_by_role("button", name="Send my answers").click()
    attendee.wait_for_load_state()
    assert attendee.locator("h1").inner_text() == "Thank you for your feedback"
    assert attendee.script_errors == []
    attendee.goto(sam_link)
    assert attendee.locator("h1").inner_text() == "You have already answered"

    # Four more answer through the same form (overall 5, 4, 3, 4: a mean of 4.0 with
    # Sam's 4); the plenary's first talk rated by all five, the second by none.
    talk = world["talks"][0]
    client = Client()
    for delegate, overall in zip(
        [world["ana"], *world["others"][:3]], ["5", "4", "3", "4"], strict=True
    ):
        path = link(one_email(delegate.email, "Tell us what you thought"), "feedback")
        answered = client.post(path, {f"presentation_{talk.pk}": "4", "overall": overall})
        assert answered.status_code == 302, answered.content.decode()[:2000]
    assert Response.objects.filter(survey__event=event).count() == 5

    # 3. The organiser emails the facilitator their link, by clicking. -----------------
    console = new_page()
    sign_in(console, organiser)
    console.goto("/admin/outcomes/sessionoutcome/")
    row = console.get_by_role("row").filter(has_text="Prevention and early help")
    row.get_by_role("checkbox").check()
    console.get_by_label("Action:").select_option(label="Email the facilitators their links")
    console.get_by_role("button", name="Go").click()
    console.wait_for_load_state()
    assert "1 session: link emailed to the facilitator." in console.inner_text("body")
    run_background_jobs()

    # 4. The facilitator records the outcomes from their email, and submits them. ------
    email = one_email(FACILITATOR, "Record the outcomes of your breakout")
    facilitator = new_page()
    facilitator.goto(link(email, "outcomes/manage"))
    facilitator.get_by_label("Key points").fill("Prevention starts in schools.")
    facilitator.locator("#id_actions-0-description").fill("Fund a schools link worker")
    facilitator.locator("#id_actions-0-organisation_name").fill("Medway Council")
    facilitator.locator("#id_actions-0-due_on").fill("2027-04-30")
    facilitator.locator("#id_actions-0-may_name_organisation").check()
    facilitator.locator("#id_pledges-0-text").fill("Host two placements every term")
    facilitator.locator("#id_pledges-0-organisation_name").fill("Medway Council")
    facilitator.get_by_role("button", name="Submit for review").click()
    facilitator.wait_for_load_state()
    assert "submitted for review" in facilitator.inner_text("main")
    assert facilitator.script_errors == []
    action = Action.objects.get(outcome=world["outcome"])
    assert (action.organisation, action.due_on) == (world["medway"], dt.date(2027, 4, 30))
    assert Pledge.objects.filter(outcome=world["outcome"]).count() == 1

    # 5. The organiser reviews and publishes them, by clicking. ------------------------
    console.goto("/admin/outcomes/sessionoutcome/")
    console.get_by_role("row").filter(has_text="Prevention and early help").get_by_role(
        "link"
    ).first.click()
    console.wait_for_load_state()
    console.get_by_role("button", name="Save and publish").click()
    console.wait_for_load_state()
    assert "saved and published." in console.inner_text("body")
    world["outcome"].refresh_from_db()
    assert world["outcome"].status == OutcomeStatus.PUBLISHED

    # 6. The report: prepared by the worker, read in HTML, downloaded as a PDF. --------
    console.goto(f"/staff/events/{SLUG}/report/")
    assert "No report has been prepared yet." in console.inner_text("main")
    console.get_by_role("button", name="Prepare the report").click()
    console.wait_for_load_state()
    assert (
        "The report is being prepared. This page shows it when it is ready."
        in console.inner_text("body")
    )
    assert "The report is being prepared in the background" in console.inner_text("main")
    run_background_jobs()
    assert BoardReport.objects.get(event=event).status == BoardReport.Status.DONE
    console.goto(f"/staff/events/{SLUG}/report/")
    html = console.inner_text("main")
    attendance = "15 confirmed registrations: 10 attended and 5 did not come (no-shows)."
    rate = "5 responses from 10 people asked (50 %). Overall score: 4.0 out of 5."
    summary = "1 breakout session published its outcomes: 1 action (1 not started) and 1 pledge."
    assert attendance in html
    assert rate in html
    assert summary in html
    assert "Fund a schools link worker" in html
    assert "Host two placements every term" in html
    assert "fewer than 5" in html
    assert console.script_errors == []

    with console.expect_download() as download:
        console.get_by_role("link", name="Download the report as a PDF").click()
    pdf = PdfReader(BytesIO(download.value.path().read_bytes()))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pdf.pages))
    assert attendance in text
    assert rate in text
    assert "Presentation Population health in Kent 4.2 5" in text  # (5+4+4+4+4)/5
    assert summary in text
    assert "Fund a schools link worker Medway Council 30 Apr 2027 Not started" in text
    # The pledge's organisation did not agree to be named (no box ticked for it).
    assert "Pledge: Host two placements every term (An organisation not named)" in text
    # The two police officers who came are a group under 5: their figures are hidden,
    # and the NHS's too, which the totals would give them away by.
    assert "Police fewer than 5 fewer than 5 fewer than 5" in text
    assert "NHS withheld withheld withheld" in text
    assert "Total 10 5 15" in text
    # Only Sam rated her breakout: its mean is not shown.
    assert "Prevention and early help (Breakout round 1) not shown (fewer than 5 answers)" in text

    # The facilitator's link now shows what was published, and no form.
    facilitator.goto(link(email, "outcomes/manage"))
    assert "can no longer be changed through this link" in facilitator.inner_text("main")
    assert facilitator.locator("form textarea").count() == 0

    # 7. The public outcomes page shows what was published. ----------------------------
    public = new_page()
    public.goto(f"/events/{SLUG}/")
    public.get_by_role("link", name="Outcomes: sharing good practice").click()
    public.wait_for_load_state()
    main = public.inner_text("main")
    assert "Prevention starts in schools." in main
    assert "Fund a schools link worker" in main
    assert "Medway Council" in main
    assert "Host two placements every term" in main
    assert FACILITATOR not in public.content()
