"""Real-browser tests: Debian's Chromium driven by Playwright against pytest-django's
live server.

Every test here is marked `browser` (tests/conftest.py skips them without Chromium,
and fails them in CI). One Chromium runs for the whole package; each test gets a fresh
browser context, so no cookie or session leaks from one test into the next.
"""

import contextlib
import datetime as dt
import mimetypes
import os
import re
from io import BytesIO
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image
from playwright.sync_api import sync_playwright

from breakouts.enums import ChoiceStatus
from symposium.enums import AgendaKind
from symposium.tokens import make_manage_token
from tests.conftest import CHROMIUM, missing_service
from tests.factories import (
    AgendaItemFactory,
    BreakoutChoiceFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
    PresentationFactory,
    PresentationSpeakerFactory,
    RoomFactory,
    SpeakerFactory,
    ThemeFactory,
    event_day_at,
)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# WCAG 2.0, 2.1 and 2.2, levels A and AA: what UK public-sector sites must meet.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the test so the page fixture knows if the test failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for every browser test.

    Playwright's sync API keeps an event loop running in this thread, so Django's
    async-safety check would refuse the tests' own ORM calls: allowed here, and only
    while the browser runs (the package's tests), then put back.
    """
    if not Path(CHROMIUM).exists():
        missing_service(f"needs Chromium at {CHROMIUM} (Debian package 'chromium')")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )
    yield chromium
    chromium.close()
    playwright.stop()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _serve_media(route):
    """The live server serves static files but not uploads: answer /media/ from
    MEDIA_ROOT, so speaker photos really load."""
    path = route.request.url.split("/media/", 1)[1].split("?", 1)[0]
    file = (Path(django_settings.MEDIA_ROOT) / path).resolve()
    if Path(django_settings.MEDIA_ROOT).resolve() not in file.parents or not file.is_file():
        route.fulfill(status=404, body="Not found")
        return
    content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    route.fulfill(status=200, body=file.read_bytes(), content_type=content_type)


@pytest.fixture
def new_page(browser, live_server, settings, request):
    """Open a page at a viewport size (DESKTOP unless told), on a fresh context.

    The page's `script_errors` lists uncaught JavaScript errors and Content-Security-
    Policy refusals. Emails carry links to the live server. On failure a full-page
    screenshot of each page is kept under test-artifacts/.
    """
    settings.SITE_URL = live_server.url
    contexts = []

    def _new_page(viewport=DESKTOP, *, bypass_csp=False):
        context = browser.new_context(
            viewport=viewport, base_url=live_server.url, locale="en-GB", bypass_csp=bypass_csp
        )
        context.set_default_timeout(10_000)
        context.route(f"{live_server.url}/media/**", _serve_media)
        contexts.append(context)
        page = context.new_page()
        page.script_errors = []
        page.on("pageerror", lambda error: page.script_errors.append(str(error)))
        page.on("console", lambda message: _note_csp_refusal(page, message))
        return page

    yield _new_page
    failed = getattr(request.node, "report_call", None)
    failed = failed is not None and failed.failed
    for number, context in enumerate(contexts):
        if failed:
            _screenshot(context, request.node.name, number)
        context.close()


def _note_csp_refusal(page, message):
    if "Content Security Policy" in message.text:
        page.script_errors.append(message.text)


def _screenshot(context, test_name, number):
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", test_name)
    for index, page in enumerate(context.pages):
        # A screenshot that fails must never hide the test's own failure.
        with contextlib.suppress(Exception):
            page.screenshot(path=ARTIFACTS / f"{name}-{number}-{index}.png", full_page=True)


@pytest.fixture
def page(new_page):
    """A desktop-sized page (1280 px wide)."""
    return new_page()


@pytest.fixture(scope="package")
def axe():
    return Axe()


def axe_violations(axe, page):
    """Run axe-core with the WCAG 2.x A and AA rules; a readable report, or "" if none."""
    results = axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    if not results.violations_count:
        return ""
    lines = [f"{results.violations_count} accessibility violation(s) on {page.url}:"]
    for violation in results.response["violations"]:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation['helpUrl']}]"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(map(str, node['target']))}")
            lines.append(f"      {node['html'][:300]}")
            summary = node.get("failureSummary", "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


# The event every accessibility and layout test opens -------------------------------

SLUG = "kent-medway"


def png(colour):
    """A small real PNG, so the speaker's thumbnail is made and shown."""
    out = BytesIO()
    Image.new("RGB", (320, 240), colour).save(out, format="PNG")
    return ContentFile(out.getvalue(), name="portrait.png")


@pytest.fixture
def symposium_event():
    """A published event with all a delegate can see, and a registered delegate."""
    event = EventFactory(
        name="Kent and Medway ICS symposium",
        slug=SLUG,
        accessibility_statement="The venue has step-free access and a hearing loop.",
    )
    hall = RoomFactory(event=event, name="Great Hall", capacity=200)
    room_a = RoomFactory(event=event, name="Room A", capacity=20)
    room_b = RoomFactory(event=event, name="Room B", capacity=1)
    plenary = AgendaItemFactory(
        event=event,
        kind=AgendaKind.PLENARY,
        title="Welcome and opening plenary",
        room=hall,
        starts_at=event_day_at(event, 9, 30),
        ends_at=event_day_at(event, 10, 30),
    )
    presentation = PresentationFactory(
        agenda_item=plenary, title="Population health in Kent and Medway"
    )
    for order, (name, colour) in enumerate(
        [("Dr Amara Osei", "#1d3a6e"), ("Chief Inspector Tom Reeve", "#007f3b")]
    ):
        speaker = SpeakerFactory(name=name, slug=f"speaker-{order}", photo=png(colour))
        PresentationSpeakerFactory(presentation=presentation, speaker=speaker, order=order)
    AgendaItemFactory(
        event=event,
        kind=AgendaKind.FILM,
        title="Film: voices from the community",
        room=hall,
        starts_at=event_day_at(event, 10, 30),
        ends_at=event_day_at(event, 11),
    )
    AgendaItemFactory(
        event=event,
        kind=AgendaKind.BREAK,
        title="Coffee break",
        description="",
        starts_at=event_day_at(event, 11),
        ends_at=event_day_at(event, 11, 30),
    )
    breakout_round = BreakoutRoundFactory(event=event, title="Breakout round 1")
    open_session = BreakoutSessionFactory(
        theme=ThemeFactory(event=event, number=1, title="Prevention and early help"),
        agenda_item=breakout_round,
        room=room_a,
        capacity=20,
    )
    full_session = BreakoutSessionFactory(
        theme=ThemeFactory(event=event, number=2, title="Mental health crisis care"),
        agenda_item=breakout_round,
        room=room_b,
        capacity=1,
    )
    ThemeFactory(event=event, number=3, title="Housing and health")
    BreakoutChoiceFactory(session=full_session, status=ChoiceStatus.CONFIRMED)
    delegate = DelegateFactory(
        event=event, first_name="Sam", last_name="Okafor", email="sam@example.org"
    )
    BreakoutChoiceFactory(session=open_session, delegate=delegate)
    closed = EventFactory(
        name="Medway partners' spring symposium",
        slug="closed",
        registration_opens_at=timezone.now() - dt.timedelta(days=10),
        registration_closes_at=timezone.now() - dt.timedelta(days=1),
    )
    ended = timezone.localdate() - dt.timedelta(days=2)
    over = EventFactory(
        name="Medway partners' winter symposium",
        slug="over",
        starts_on=ended,
        ends_on=ended,
        registration_opens_at=timezone.now() - dt.timedelta(days=30),
        registration_closes_at=timezone.now() - dt.timedelta(days=3),
    )
    return {
        "event": event,
        "delegate": delegate,
        "closed": closed,
        "over_delegate": DelegateFactory(event=over, first_name="Sam", last_name="Okafor"),
    }


def submit_empty_registration(page):
    page.get_by_role("button", name="Register").click()
    page.wait_for_load_state()


def manage_path(world):
    return f"/events/{SLUG}/manage/{make_manage_token(world['delegate'])}/"


# name: (how to build the path from the data, what to do once there)
PUBLIC_PAGES = {
    "event-list": (lambda world: "/", None),
    "event-home": (lambda world: f"/events/{SLUG}/", None),
    "agenda": (lambda world: f"/events/{SLUG}/agenda/", None),
    "speakers": (lambda world: f"/events/{SLUG}/speakers/", None),
    "speaker": (lambda world: f"/events/{SLUG}/speakers/speaker-0/", None),
    "breakouts": (lambda world: f"/events/{SLUG}/breakouts/", None),
    "privacy": (lambda world: f"/events/{SLUG}/privacy/", None),
    "accessibility": (lambda world: f"/events/{SLUG}/accessibility/", None),
    "register": (lambda world: f"/events/{SLUG}/register/", None),
    "register-errors": (lambda world: f"/events/{SLUG}/register/", submit_empty_registration),
    "register-closed": (lambda world: "/events/closed/register/", None),
    "manage": (manage_path, None),
    "cancel": (lambda world: f"{manage_path(world)}cancel/", None),
    "delete": (lambda world: f"{manage_path(world)}delete/", None),
    "manage-over": (
        lambda world: f"/events/over/manage/{make_manage_token(world['over_delegate'])}/",
        None,
    ),
    "manage-link-invalid": (lambda world: f"/events/{SLUG}/manage/not-a-token/", None),
    "manage-link": (lambda world: f"/events/{SLUG}/manage-link/", None),
    "not-found": (lambda world: "/events/no-such-event/", None),
}
NOT_FOUND_PAGES = {"manage-link-invalid", "not-found"}
