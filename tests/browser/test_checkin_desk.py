"""The check-in desk in Chromium: a real QR code read from a (fake) camera, and three
check-ins made while the venue's Wi-Fi is down, sent with their own times once it is
back."""

import datetime as dt
import io
import time
import uuid

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from checkin import qr, services
from checkin.codes import check_in_code
from checkin.models import CheckIn
from tests.browser.conftest import CHROMIUM_ARGS, DESKTOP, axe_violations
from tests.conftest import CHROMIUM
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
    RoomFactory,
    ThemeFactory,
)
from tests.helpers import staff_user

# The test reads the database while the desk's requests write it from the live server's
# thread: SQLite's shared in-memory database locks the table, PostgreSQL does not.
pytestmark = pytest.mark.postgres

PASSWORD = "correct-horse-battery"  # UserFactory's


def write_y4m(png: bytes, path, *, width=640, height=480, frames=15) -> None:
    """A still video of the image, in the YUV4MPEG2 format Chromium's fake camera reads:
    a header line, then per frame "FRAME" and the Y, Cb and Cr planes (4:2:0)."""
    picture = Image.open(io.BytesIO(png)).convert("L")
    side = min(width, height) - 40
    picture = picture.resize((side, side), Image.NEAREST)
    canvas = Image.new("RGB", (width, height), "white")
    canvas.paste(picture.convert("RGB"), ((width - side) // 2, (height - side) // 2))
    y, cb, cr = canvas.convert("YCbCr").split()
    half = (width // 2, height // 2)
    frame = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + frame)


def desk_staff():
    """Allowed to check in. Not through the Event staff group: live-server tests empty
    the database between tests, and the groups made by the migrations go with it."""
    return staff_user("check_in")


def watch_errors(page):
    page.script_errors = []
    page.on("pageerror", lambda error: page.script_errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and page.script_errors.append(message.text)
        ),
    )


def sign_in(page, user, next_path):
    page.goto(f"/admin/login/?next={next_path}")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-in desk")


def wait_for(condition, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.fixture
def desk_event():
    event = EventFactory(name="Kent and Medway ICS symposium", slug="kent-medway")
    session = BreakoutSessionFactory(
        theme=ThemeFactory(event=event, title="Prevention and early help"),
        room=RoomFactory(event=event, name="Room A"),
    )
    people = [
        ("Zoë", "Ångström", "Medway Council"),
        ("Sam", "Okafor", "Kent Police"),
        ("Priya", "O'Neill", "Kent and Medway ICB"),
        ("Tom", "Oliver", "Canterbury VCSE forum"),
    ]
    delegates = [
        DelegateFactory(event=event, first_name=first, last_name=last, organisation=org)
        for first, last, org in people
    ]
    BreakoutChoiceFactory(session=session, delegate=delegates[1])
    return event, delegates


@pytest.fixture
def camera_page(browser, live_server, tmp_path, settings):
    """A page in a Chromium whose camera shows the video file given."""
    settings.SITE_URL = live_server.url
    opened = []

    def _open(video):
        chromium = browser.browser_type.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        opened.append(chromium)
        context = chromium.new_context(viewport=DESKTOP, base_url=live_server.url)
        context.set_default_timeout(15_000)
        context.grant_permissions(["camera"], origin=live_server.url)
        page = context.new_page()
        watch_errors(page)
        return page

    yield _open
    for chromium in opened:
        chromium.close()


def test_a_qr_code_held_up_to_the_camera_checks_the_delegate_in(camera_page, desk_event, tmp_path):
    event, delegates = desk_event
    sam = delegates[1]
    video = tmp_path / "badge.y4m"
    write_y4m(qr.png_bytes(sam), video)
    page = camera_page(video)
    sign_in(page, desk_staff(), f"/staff/events/{event.slug}/check-in/")
    expect(page.locator("#checkin-list-age")).to_contain_text("4 delegates")
    page.get_by_role("button", name="Start the camera").click()
    result = page.locator("#checkin-result")
    expect(result.get_by_role("heading", name="Checked in")).to_be_visible()
    expect(result.locator("#checkin-result-name")).to_have_text("Sam Okafor")
    expect(result).to_contain_text("Prevention and early help, Room A")
    assert wait_for(lambda: CheckIn.objects.filter(delegate=sam).count() == 1)
    assert CheckIn.objects.count() == 1
    assert page.script_errors == []


def test_three_check_ins_while_offline_are_sent_with_their_times_once_back(
    new_page, desk_event, axe
):
    event, _ = desk_event
    page = new_page()
    watch_errors(page)
    sign_in(page, desk_staff(), f"/staff/events/{event.slug}/check-in/")
    expect(page.locator("#checkin-list-age")).to_contain_text("4 delegates")
    assert axe_violations(axe, page) == ""

    page.context.set_offline(True)
    expect(page.locator("#checkin-connection")).to_contain_text("Offline")
    search = page.get_by_label("Last name or organisation (two letters or more)")
    windows = {}
    # By last name, by last name with its accent (by keyboard), by organisation.
    for query, by_keyboard in [("ok", False), ("Ång", True), ("vc", False)]:
        before = timezone.now()
        search.fill(query)
        if by_keyboard:
            # Keyboard only: into the results, then Enter.
            search.press("ArrowDown")
            page.keyboard.press("Enter")
        else:
            page.locator("#checkin-results button").first.click()
        expect(page.get_by_role("heading", name="Checked in")).to_be_visible()
        name = page.locator("#checkin-result-name").inner_text()
        windows[name] = (before, timezone.now())
        page.get_by_role("button", name="Next delegate").click()
        time.sleep(0.3)
    assert set(windows) == {"Sam Okafor", "Zoë Ångström", "Tom Oliver"}
    expect(page.locator("#checkin-queue")).to_contain_text("3 check-in(s) waiting")
    assert CheckIn.objects.count() == 0

    time.sleep(1)
    back_online = timezone.now()
    page.context.set_offline(False)
    assert wait_for(lambda: CheckIn.objects.count() == 3)
    expect(page.locator("#checkin-queue")).to_have_text("")
    time.sleep(1)
    rows = list(CheckIn.objects.select_related("delegate"))
    assert len(rows) == 3
    for row in rows:
        before, after = windows[row.delegate.full_name]
        # The browser's time of the scan, to the millisecond it sends.
        assert before - dt.timedelta(seconds=1) <= row.at <= after + dt.timedelta(seconds=1)
        assert row.at < back_online
        assert row.sent_offline
    assert page.script_errors == []


def test_a_second_scan_warns_when_and_where_and_undo_takes_it_back(new_page, desk_event):
    event, delegates = desk_event
    page = new_page()
    sign_in(page, desk_staff(), f"/staff/events/{event.slug}/check-in/")
    expect(page.locator("#checkin-list-age")).to_contain_text("4 delegates")
    page.get_by_label("This desk").fill("Desk 2")
    page.get_by_label("This desk").dispatch_event("change")
    code = page.get_by_label("Or type the code under the QR code")
    code.fill(check_in_code(delegates[2]))
    page.get_by_role("button", name="Check in", exact=True).click()
    expect(page.get_by_role("heading", name="Checked in")).to_be_visible()
    assert wait_for(lambda: CheckIn.objects.filter(undone_at__isnull=True).count() == 1)
    page.get_by_role("button", name="Next delegate").click()
    page.get_by_label("Last name or organisation (two letters or more)").fill("o'n")
    page.locator("#checkin-results button").first.click()
    warning = page.locator("#checkin-result-warning")
    expect(warning).to_contain_text("Already checked in at ")
    expect(warning).to_contain_text(", Desk 2.")
    page.get_by_role("button", name="Next delegate").click()
    page.get_by_label("Last name or organisation (two letters or more)").fill("ok")
    page.locator("#checkin-results button").first.click()
    expect(page.get_by_role("heading", name="Checked in")).to_be_visible()
    assert wait_for(lambda: CheckIn.objects.filter(delegate=delegates[1]).count() == 1)
    time.sleep(0.5)
    page.get_by_role("button", name="Undo").click()
    assert wait_for(lambda: CheckIn.objects.get(delegate=delegates[1]).undone_at is not None)


def test_the_overview_attendance_refreshes_by_itself(new_page, desk_event, settings):
    settings.CHECKIN_ATTENDANCE_REFRESH_SECONDS = 1
    event, delegates = desk_event
    page = new_page()
    watch_errors(page)
    user = staff_user("check_in", "export_attendees")
    page.goto(f"/admin/login/?next=/staff/events/{event.slug}/overview/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    checked_in = page.locator('[data-attendance="checked_in"]')
    expect(checked_in).to_have_text("0")
    services.check_in(event=event, delegate_id=delegates[0].pk, nonce=uuid.uuid4())
    expect(checked_in).to_have_text("1")
    expect(page.locator("#attendance")).to_contain_text("Updated at")
    assert page.script_errors == []


def test_the_list_is_kept_in_the_browser_and_cleared_on_sign_out(new_page, desk_event):
    event, _ = desk_event
    page = new_page()
    sign_in(page, desk_staff(), f"/staff/events/{event.slug}/check-in/")
    expect(page.locator("#checkin-list-age")).to_contain_text("4 delegates")
    kept = page.evaluate(f"localStorage.getItem('checkin:{event.slug}:list')")
    assert "Okafor" in kept
    page.get_by_role("button", name="Sign out of this desk").click()
    page.wait_for_url("**/admin/login/**")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('checkin:'))") == []
