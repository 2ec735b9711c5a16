"""A delegate's own words never become markup on a staff or admin page.

Everything a delegate types (name, organisation, job title, email) reaches organisers:
the admin's lists and forms, the mailing's "Preview and send", the staff pages, the
check-in desk. Each page is read as a browser would read it (parsed HTML): the text is
there, escaped, and there is no live link to where the delegate wanted to send staff.
"""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.urls import reverse
from mailer.models import RESULT_FAILURE, Message, MessageLog

from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice
from mailings.enums import RecipientStatus
from mailings.models import Mailing, Recipient
from symposium import outbox
from symposium.models import Delegate, DelegateNeeds
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    DelegateNeedsFactory,
    EventFactory,
    ThemeFactory,
    UserFactory,
)
from tests.helpers import admin_url
from tests.mailings.conftest import make_mailing

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

EVIL_HOST = "https://evil.example/"
LINK = f'<a href="{EVIL_HOST}">Session expired: sign in again</a>'


class Page(HTMLParser):
    """The links and the text a browser would show (scripts and styles aside)."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.hrefs, self.text, self._skip = [], [], 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            if name in {"href", "src", "action", "formaction"} and value:
                self.hrefs.append(value)

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)

    @property
    def shown(self):
        return "".join(self.text)


def assert_shown_as_text(response, *texts):
    assert response.status_code == 200, response.status_code
    page = Page(response.content.decode())
    # A link to the admin's own filter for "<a href=…>" is fine; one off the site is not.
    hosts = {urlsplit(urljoin("http://testserver/admin/", href)).hostname for href in page.hrefs}
    assert "evil.example" not in hosts
    for text in texts:
        assert text in page.shown


@pytest.fixture
def world(db, settings, django_capture_on_commit_callbacks):
    event = EventFactory(name="Kent and Medway ICS symposium", slug="kent-medway")
    breakout_round = BreakoutRoundFactory(event=event, title="Breakout round 1")
    session = BreakoutSessionFactory(
        theme=ThemeFactory(event=event, title="Prevention"), agenda_item=breakout_round
    )
    attacker = DelegateFactory(
        event=event,
        first_name=LINK,
        last_name=f"<b>{LINK}</b>",
        organisation=LINK,
        job_title=LINK,
        email="attacker@example.org",
    )
    BreakoutChoiceFactory(delegate=attacker, session=session, status=ChoiceStatus.CONFIRMED)
    DelegateNeedsFactory(delegate=attacker, access_needs=LINK, dietary_details=LINK)
    # Their confirmation waits in django-mailer's queue, and a try is in its log.
    settings.SEND_MAIL_ON_COMMIT = False
    settings.MAILER_EMAIL_LOG_MESSAGE_DATA = True
    with django_capture_on_commit_callbacks(execute=True):
        outbox.notify_registered(delegate=attacker)
    outbox.send_outbox()  # Built by a worker, not sent yet.
    MessageLog.objects.log(Message.objects.get(), RESULT_FAILURE, "Connection refused")
    return {"event": event, "attacker": attacker, "session": session}


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, email="org@example.org"))
    return client


def test_preview_and_send_shows_the_delegates_name_as_text_in_both_versions(
    world, superuser_client
):
    mailing = make_mailing(
        world["event"],
        subject="For {first_name}",
        body="Dear {first_name} {last_name},\n\nYour link: {manage_link}",
    )
    url = reverse("admin:mailings_mailing_send", args=[mailing.pk])

    response = superuser_client.get(f"{url}?delegate={world['attacker'].pk}")

    html = response.content.decode()
    # Both the plain-text version (a <pre>) and the HTML version show the name typed.
    assert_shown_as_text(response, f"Dear {LINK} <b>{LINK}</b>")
    assert html.count("&lt;a href=") >= 3
    assert Page(html).shown.count(f"Dear {LINK}") == 2


def test_sending_a_test_names_the_delegate_as_text(
    world, superuser_client, django_capture_on_commit_callbacks
):
    mailing = make_mailing(world["event"])
    url = reverse("admin:mailings_mailing_send", args=[mailing.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            url, {"action": "test", "delegate": world["attacker"].pk}, follow=True
        )

    assert_shown_as_text(response, f"A test, as {LINK} <b>{LINK}</b> would get it")


def staff_pages(world):
    event, attacker = world["event"], world["attacker"]
    slug = {"slug": event.slug}
    mailing = make_mailing(event)
    Recipient.objects.create(mailing=mailing, delegate=attacker, status=RecipientStatus.PENDING)
    needs = DelegateNeeds.objects.get(delegate=attacker)
    return {
        "delegate list": admin_url(Delegate, "changelist") + "?q=attacker",
        "delegate page": admin_url(Delegate, "change", attacker.pk),
        "delegate history": admin_url(Delegate, "history", attacker.pk),
        "delegate deletion": admin_url(Delegate, "delete", attacker.pk),
        "needs list": admin_url(DelegateNeeds, "changelist"),
        "needs page": admin_url(DelegateNeeds, "change", needs.pk),
        "recipients": admin_url(Recipient, "changelist"),
        "mailing page": admin_url(Mailing, "change", mailing.pk),
        "admin home": reverse("admin:index"),
        "staff event": reverse("staff:event", kwargs=slug),
        "staff overview": reverse("staff:overview", kwargs=slug),
        "catering": reverse("staff:catering", kwargs=slug),
        "desk sheet": reverse("staff:sign-in-desk", kwargs=slug),
        "breakout sheets": reverse("staff:sign-in-breakouts", kwargs=slug),
        "check-in desk": reverse("checkin:desk", kwargs=slug),
        "breakout choices": admin_url(BreakoutChoice, "changelist"),
        "mail queue": admin_url(Message, "changelist"),
        "queued email": admin_url(Message, "change", Message.objects.get().pk),
        "mail log": admin_url(MessageLog, "changelist"),
        "logged email": admin_url(MessageLog, "change", MessageLog.objects.get().pk),
    }


PAGES = [
    "delegate list",
    "delegate page",
    "delegate history",
    "delegate deletion",
    "needs list",
    "needs page",
    "recipients",
    "mailing page",
    "admin home",
    "staff event",
    "staff overview",
    "catering",
    "desk sheet",
    "breakout sheets",
    "check-in desk",
    "breakout choices",
    "mail queue",
    "queued email",
    "mail log",
    "logged email",
]


@pytest.mark.parametrize("page", PAGES)
def test_staff_and_admin_pages_show_the_delegates_words_as_text(world, superuser_client, page):
    attacker = world["attacker"]
    LogEntry.objects.log_actions(
        user_id=UserFactory(is_staff=True).pk,
        queryset=[attacker],
        action_flag=CHANGE,
        change_message=[{"changed": {"fields": ["First name"]}}],
    )

    response = superuser_client.get(staff_pages(world)[page])

    assert_shown_as_text(response)
    # Where the page names the delegate, it names them in the words they typed.
    if page not in {
        "admin home",
        "staff event",
        "staff overview",
        "check-in desk",
        "mailing page",
        "mail queue",
        "mail log",
    }:
        assert LINK in Page(response.content.decode()).shown


def test_a_walk_in_named_with_markup_is_named_as_text_at_the_desk(
    world, superuser_client, django_capture_on_commit_callbacks
):
    url = reverse("checkin:walk-in", kwargs={"slug": world["event"].slug})
    data = {
        "first_name": LINK,
        "last_name": "Walk-in",
        "email": "walk.in@example.org",
        "organisation": LINK,
        "sector": "nhs",
        "desk": "Front door",
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(url, data, follow=True)

    assert_shown_as_text(response, f"{LINK} Walk-in is registered and checked in.")
