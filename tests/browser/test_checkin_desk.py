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


# Issue 20: no check-in lost, whatever the tabs, reloads and bad scans ------------------


def desk_path(event):
    return f"/staff/events/{event.slug}/check-in/"


def check_in_by_search(page, query):
    page.get_by_label("Last name or organisation (two letters or more)").fill(query)
    page.locator("#checkin-results button").first.click()
    expect(page.get_by_role("heading", name="Checked in")).to_be_visible()
    page.get_by_role("button", name="Next delegate").click()


def test_two_tabs_offline_then_one_closed_lose_no_check_in(new_page, desk_event):
    event, delegates = desk_event
    page = new_page()
    watch_errors(page)
    sign_in(page, desk_staff(), desk_path(event))
    expect(page.locator("#checkin-list-age")).to_contain_text("4 delegates")
    second = page.context.new_page()
    watch_errors(second)
    second.goto(desk_path(event))
    expect(second.locator("#checkin-list-age")).to_contain_text("4 delegates")

    page.context.set_offline(True)
    for tab, queries in [(page, ["ok", "Ång"]), (second, ["vc", "o'n"])]:
        expect(tab.locator("#checkin-connection")).to_contain_text("Offline")
        for query in queries:
            check_in_by_search(tab, query)
        expect(tab.locator("#checkin-queue")).to_have_text("2 check-in(s) waiting to be sent")
    # Closing a tab with check-ins waiting asks first (the test says stay).
    with second.expect_event("dialog") as asked:
        second.close(run_before_unload=True)
    assert asked.value.type == "beforeunload"
    asked.value.dismiss()
    assert not second.is_closed()
    assert CheckIn.objects.count() == 0
    second.close()

    page.context.set_offline(False)
    assert wait_for(lambda: CheckIn.objects.count() == 4, timeout=30)
    assert set(CheckIn.objects.values_list("delegate", flat=True)) == {d.pk for d in delegates}
    expect(page.locator("#checkin-queue")).to_have_text("")
    queues = page.evaluate(
        "Object.keys(localStorage).filter(k => k.includes(':queue'))"
        ".map(k => JSON.parse(localStorage.getItem(k)).length)"
    )
    assert sum(queues) == 0
    assert page.script_errors == second.script_errors == []


def test_a_reload_while_offline_opens_the_desk_and_its_check_ins_reach_the_server(
    new_page, desk_event
):
    event, delegates = desk_event
    page = new_page()
    watch_errors(page)
    sign_in(page, desk_staff(), desk_path(event))
    expect(page.locator("#checkin-list-age")).to_contain_text("4 delegates")
    expect(page.locator("#checkin-desk")).to_have_attribute("data-offline", "ready")

    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-in desk")
    expect(page.locator("#checkin-connection")).to_contain_text("Offline")
    expect(page.locator("#checkin-list-age")).to_contain_text("4 delegates")
    check_in_by_search(page, "ok")
    expect(page.locator("#checkin-queue")).to_have_text("1 check-in(s) waiting to be sent")
    # Printing a badge offline explains itself and leaves the tab on the desk.
    page.get_by_label("Last name or organisation (two letters or more)").fill("ok")
    page.locator("#checkin-results button").first.click()
    page.get_by_role("link", name="Print their badge").click()
    expect(page.locator("#checkin-badge-message")).to_contain_text(
        "Printing a badge needs the connection"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-in desk")
    page.get_by_role("button", name="Next delegate").click()
    assert CheckIn.objects.count() == 0

    page.context.set_offline(False)
    assert wait_for(lambda: CheckIn.objects.filter(delegate=delegates[1]).count() == 1)
    assert CheckIn.objects.get().sent_offline
    assert page.script_errors == []


def test_check_ins_queued_survive_a_browser_restart_offline(
    browser, live_server, tmp_path, desk_event, settings
):
    settings.SITE_URL = live_server.url
    event, delegates = desk_event
    profile = tmp_path / "profile"

    def open_browser(*, offline=False):
        context = browser.browser_type.launch_persistent_context(
            profile,
            offline=offline,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            base_url=live_server.url,
            locale="en-GB",
            viewport=DESKTOP,
        )
        context.set_default_timeout(15_000)
        return context

    context = open_browser()
    page = context.pages[0] if context.pages else context.new_page()
    sign_in(page, desk_staff(), desk_path(event))
    expect(page.locator("#checkin-desk")).to_have_attribute("data-offline", "ready")
    context.set_offline(True)
    expect(page.locator("#checkin-connection")).to_contain_text("Offline")
    check_in_by_search(page, "vc")
    expect(page.locator("#checkin-queue")).to_have_text("1 check-in(s) waiting to be sent")
    scanned_at = timezone.now()
    # The browser goes, as in a crash or a flat battery. (Closing it through Playwright
    # lifts the network emulation first, so the dying page may still get its queue to
    # the server, never the answer back: what follows holds either way, and the server
    # keeps one check-in per nonce.)
    page.close()
    context.close()

    # Offline from the first moment, a page the browser restores included.
    context = open_browser(offline=True)
    try:
        page = context.pages[0] if context.pages else context.new_page()
        watch_errors(page)
        page.goto(desk_path(event))
        expect(page.get_by_role("heading", level=1)).to_have_text("Check-in desk")
        expect(page.locator("#checkin-queue")).to_have_text("1 check-in(s) waiting to be sent")
        context.set_offline(False)
        expect(page.locator("#checkin-queue")).to_have_text("")
        row = CheckIn.objects.get()
        assert row.delegate == delegates[3]
        assert row.sent_offline
        assert row.at <= scanned_at
        assert page.script_errors == []
    finally:
        context.close()


def test_a_jammed_batch_goes_through_and_the_desk_shows_what_was_refused(new_page, desk_event):
    event, delegates = desk_event
    ana, sam, priya, tom = delegates
    used = uuid.uuid4()
    services.check_in(event=event, delegate_id=ana.pk, nonce=used)
    page = new_page()
    watch_errors(page)
    sign_in(page, desk_staff(), desk_path(event))
    expect(page.locator("#checkin-list-age")).to_contain_text("4 delegates")
    # A queue left by a tab that crashed: a nonce reused for another delegate, a scan
    # from a desk whose clock said 1970, and a good one between them.
    now = timezone.now().isoformat()
    left = [
        {"nonce": str(used), "delegate": sam.pk, "at": now, "desk": "Desk 9"},
        {"nonce": str(uuid.uuid4()), "delegate": tom.pk, "at": now, "desk": "Desk 9"},
        {"nonce": str(uuid.uuid4()), "delegate": priya.pk, "at": "1970-01-01T00:00:00Z"},
    ]
    page.evaluate(
        "([key, queue]) => localStorage.setItem(key, JSON.stringify(queue))",
        [f"checkin:{event.slug}:queue:crashed-tab", left],
    )
    assert wait_for(lambda: CheckIn.objects.filter(delegate=tom).count() == 1)
    refused = page.locator("#checkin-refused")
    expect(refused).to_be_visible()
    expect(refused).to_contain_text("Sam Okafor: This scan's id was already used for another")
    expect(refused).to_contain_text("Priya O'Neill: The scan's time is before the event's first")
    expect(page.locator("#checkin-queue")).to_have_text("")
    assert set(CheckIn.objects.values_list("delegate", flat=True)) == {ana.pk, tom.pk}
    # Nothing waits, so the desk signs out.
    page.get_by_role("button", name="Sign out of this desk").click()
    page.wait_for_url("**/admin/login/**")
    assert page.script_errors == []


def test_a_code_typed_loosely_offline_is_found_in_the_desks_list(new_page, desk_event):
    event, delegates = desk_event
    page = new_page()
    watch_errors(page)
    sign_in(page, desk_staff(), desk_path(event))
    expect(page.locator("#checkin-list-age")).to_contain_text("4 delegates")
    page.context.set_offline(True)
    typed = " ".join(check_in_code(delegates[3]).replace("-", "").lower())
    page.get_by_label("Or type the code under the QR code").fill(typed)
    page.get_by_role("button", name="Check in", exact=True).click()
    expect(page.get_by_role("heading", name="Checked in")).to_be_visible()
    expect(page.locator("#checkin-result-name")).to_have_text("Tom Oliver")
    page.get_by_role("button", name="Next delegate").click()
    page.context.set_offline(False)
    assert wait_for(lambda: CheckIn.objects.filter(delegate=delegates[3]).count() == 1)
    assert page.script_errors == []


def test_an_undo_pressed_while_its_scan_is_on_the_way_stays_undone(
    new_page, desk_event, monkeypatch
):
    # The scan's answer comes back after the person at the desk pressed Undo (slow Wi-Fi):
    # the desk must not show the delegate checked in again, and the server undoes it.
    event, delegates = desk_event
    real_check_in = services.check_in

    def slow_check_in(**kwargs):
        time.sleep(1.5)
        return real_check_in(**kwargs)

    monkeypatch.setattr(services, "check_in", slow_check_in)
    page = new_page()
    sign_in(page, desk_staff(), desk_path(event))
    expect(page.locator("#checkin-list-age")).to_contain_text("4 delegates")
    page.get_by_label("Last name or organisation (two letters or more)").fill("ok")
    page.locator("#checkin-results button").first.click()
    expect(page.get_by_role("heading", name="Checked in")).to_be_visible()
    page.get_by_role("button", name="Undo").click()

    assert wait_for(
        lambda: CheckIn.objects.filter(delegate=delegates[1], undone_at__isnull=False).exists()
    )
    monkeypatch.setattr(services, "check_in", real_check_in)
    time.sleep(0.5)
    page.get_by_label("Last name or organisation (two letters or more)").fill("ok")
    page.locator("#checkin-results button").first.click()
    expect(page.get_by_role("heading", name="Checked in")).to_be_visible()
    expect(page.locator("#checkin-result-warning")).not_to_contain_text("Already checked in")
    assert wait_for(
        lambda: CheckIn.objects.filter(delegate=delegates[1], undone_at__isnull=True).count() == 1
    )
