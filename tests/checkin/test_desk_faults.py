"""Faults a desk met on the day (issue 20): a reused nonce or a desk clock in 1970
jammed the whole batch, an undo whose scan's answer was lost did not reach the server,
codes typed loosely were not found, walk-ins had no desk, and codes could be tried by
the hundred."""

import datetime as dt
import json
import uuid

import pytest
from django.utils import timezone

from checkin import services
from checkin.codes import check_in_code
from checkin.models import CheckIn, WalkIn
from tests.checkin.helpers import desk_url, scan, send_scans
from tests.factories import DelegateFactory, EventFactory
from tests.helpers import staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_client(client):
    client.force_login(staff_user(groups=["Event staff"]))
    return client


def on_the_day(**kwargs):
    return EventFactory(starts_on=timezone.localdate(), **kwargs)


def undo(client, event, **body):
    return client.post(desk_url(event, "undo"), json.dumps(body), "application/json")


# Point 5: every item of a batch gets its own answer -----------------------------------


def test_a_nonce_reused_for_another_delegate_is_refused_and_the_rest_goes_through(
    desk_client,
):
    event = on_the_day()
    ana, bob, cat = DelegateFactory.create_batch(3, event=event)
    nonce = uuid.uuid4()
    send_scans(desk_client, event, scan(ana, nonce=nonce))
    response = send_scans(
        desk_client, event, scan(bob, nonce=nonce), scan(cat), scan(ana, nonce=nonce)
    )
    assert response.status_code == 200
    reused, fine, again = response.json()["results"]
    assert reused["status"] == "refused"
    assert reused["reason"] == "This scan's id was already used for another delegate."
    assert reused["nonce"] == str(nonce)
    assert fine["status"] == "checked_in"
    assert again["status"] == "checked_in"
    standing = CheckIn.objects.filter(undone_at__isnull=True)
    assert sorted(standing.values_list("delegate_id", flat=True)) == sorted([ana.pk, cat.pk])


def test_a_scan_dated_before_the_events_first_day_is_refused(desk_client):
    event = on_the_day()
    ana, bob = DelegateFactory.create_batch(2, event=event)
    at_dawn = timezone.make_aware(dt.datetime.combine(event.starts_on, dt.time(0, 0, 1)))
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    day_before = at_dawn - dt.timedelta(seconds=2)
    results = send_scans(
        desk_client, event, scan(ana, at=epoch), scan(bob, at=day_before), scan(ana, at=at_dawn)
    ).json()["results"]
    assert [r["status"] for r in results] == ["refused", "refused", "checked_in"]
    assert "before the event's first day" in results[0]["reason"]
    assert CheckIn.objects.get().at == at_dawn


def test_a_desk_tried_out_before_the_event_may_scan_but_not_in_1970(db):
    event = EventFactory()  # in a month
    ana = DelegateFactory(event=event)
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    refused = services.check_in(event=event, delegate_id=ana.pk, nonce=uuid.uuid4(), at=epoch)
    assert (refused.status, refused.reason) == (services.Status.REFUSED, services.Reason.TOO_EARLY)
    now = timezone.now()
    tried = services.check_in(event=event, delegate_id=ana.pk, nonce=uuid.uuid4(), at=now)
    assert tried.status == services.Status.CHECKED_IN


# Point 6: undo is idempotent by nonce on the server -----------------------------------


def test_undo_of_a_scan_whose_answer_was_lost_unchecks_the_delegate_and_repeats(desk_client):
    event = on_the_day()
    ana = DelegateFactory(event=event)
    sent = scan(ana)
    send_scans(desk_client, event, sent)  # the answer never reached the desk
    body = {"nonce": sent["nonce"], "delegate": ana.pk, "at": timezone.now().isoformat()}
    first = undo(desk_client, event, **body)
    again = undo(desk_client, event, **body)
    assert first.status_code == again.status_code == 200
    assert first.json()["undone"] is again.json()["undone"] is True
    assert not CheckIn.objects.filter(undone_at__isnull=True).exists()
    # The desk's queue still held the scan: sent again, it stays undone.
    [late] = send_scans(desk_client, event, sent).json()["results"]
    assert late["status"] == "undone"
    assert late["checked_in"] is None
    assert not CheckIn.objects.filter(undone_at__isnull=True).exists()


def test_undo_arriving_before_its_scan_keeps_the_delegate_unchecked(desk_client):
    event = on_the_day()
    ana = DelegateFactory(event=event)
    sent = scan(ana, at=timezone.now())
    answer = undo(desk_client, event, nonce=sent["nonce"], delegate=ana.pk)
    assert answer.json()["undone"] is True
    [late] = send_scans(desk_client, event, sent).json()["results"]
    assert late["status"] == "undone"
    assert not CheckIn.objects.filter(undone_at__isnull=True).exists()
    # A new scan of the same delegate is a check-in again.
    [new] = send_scans(desk_client, event, scan(ana)).json()["results"]
    assert new["status"] == "checked_in"


def test_undo_queued_in_a_batch_and_too_late_an_undo_is_refused_with_a_reason(desk_client):
    event = on_the_day()
    ana, bob = DelegateFactory.create_batch(2, event=event)
    scanned_at = timezone.now() - dt.timedelta(minutes=5)
    old = scan(ana, at=scanned_at)
    new = scan(bob)
    send_scans(desk_client, event, old)
    CheckIn.objects.update(recorded_at=scanned_at)
    undos = [
        {"nonce": old["nonce"], "delegate": ana.pk, "undo": True},
        {**new, "undo": True},
    ]
    late, fine = send_scans(desk_client, event, new, *undos).json()["results"][1:]
    assert late["status"] == "refused"
    assert "within a minute" in late["reason"]
    assert fine["status"] == "undone"
    assert list(CheckIn.objects.filter(undone_at__isnull=True).values_list("delegate", flat=True))
    assert CheckIn.objects.get(undone_at__isnull=True).delegate == ana


# Point 8: smaller desk faults ---------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        lambda code: code.replace("-", ""),
        lambda code: code.lower(),
        lambda code: " ".join(code),
        lambda code: code.replace("-", " ").lower(),
        lambda code: code.replace("-", "–"),
    ],
)
def test_a_code_typed_without_its_hyphen_in_lower_case_or_spaced_is_found(desk_client, typed):
    event = on_the_day()
    ana = DelegateFactory(event=event)
    body = {"nonce": str(uuid.uuid4()), "code": typed(check_in_code(ana))}
    [result] = send_scans(desk_client, event, body).json()["results"]
    assert result["status"] == "checked_in"
    assert result["delegate"] == ana.pk


def test_a_walk_in_records_the_desk_and_is_marked_in_the_attendance_export(desk_client):
    event = on_the_day()
    page = desk_client.get(desk_url(event, "walk-in", desk="Desk%204"))
    assert 'value="Desk 4"' in page.content.decode()
    form = {
        "first_name": "Wes",
        "last_name": "Walker",
        "email": "wes@example.org",
        "organisation": "Swale Council",
        "sector": "council",
        "desk": "Desk 4",
    }
    response = desk_client.post(desk_url(event, "walk-in"), form)
    assert response.status_code == 302
    assert response["Location"].endswith("?desk=Desk+4")
    assert WalkIn.objects.get().desk == "Desk 4"
    assert CheckIn.objects.get().desk == "Desk 4"
    DelegateFactory(event=event, first_name="Reg", last_name="Istered")
    staff = staff_user("check_in", "export_attendees")
    desk_client.force_login(staff)
    rows = b"".join(desk_client.get(desk_url(event, "attendance-export")).streaming_content)
    rows = [line.split(",") for line in rows.decode("utf-8-sig").splitlines()]
    walk_in_column = rows[0].index("Walk-in")
    marks = {row[0]: row[walk_in_column] for row in rows[1:]}
    assert marks == {"Wes Walker": "Yes", "Reg Istered": "No"}


def test_a_walk_in_without_a_desk_name_is_asked_for_one(desk_client):
    event = on_the_day()
    form = {
        "first_name": "Wes",
        "last_name": "Walker",
        "email": "wes@example.org",
        "organisation": "Swale Council",
        "sector": "council",
    }
    page = desk_client.post(desk_url(event, "walk-in"), form).content.decode()
    assert "Enter the desk&#x27;s name, as on the check-in desk page" in page
    assert not WalkIn.objects.exists()


def test_codes_not_found_are_throttled_per_member_of_staff(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "checkin-codes": {"user": "5/m"}}
    event = on_the_day()
    ana = DelegateFactory(event=event)
    guesses = [{"nonce": str(uuid.uuid4()), "code": f"{ana.pk}-{n:08d}"} for n in range(8)]
    right = scan(ana)
    client.force_login(staff_user("check_in"))
    results = send_scans(client, event, *guesses, right).json()["results"]
    statuses = [r["status"] for r in results]
    assert statuses == ["unknown"] * 5 + ["throttled"] * 4
    assert "wait a minute" in results[-1]["reason"]
    assert not CheckIn.objects.exists()
    # Another member of staff (another desk) is not held up by this one.
    client.force_login(staff_user("check_in"))
    [result] = send_scans(client, event, right).json()["results"]
    assert result["status"] == "checked_in"


# Point 4: the desk's service worker ----------------------------------------------------


def test_the_service_worker_is_served_from_the_desks_address_under_the_csp(client):
    event = on_the_day()
    url = desk_url(event, "service-worker")
    assert url == f"/staff/events/{event.slug}/check-in/service-worker.js"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    # The slug as a JavaScript string (escapejs writes "-" as \u002D).
    slug = event.slug.replace("-", "\\u002D")
    assert f'const CACHE = "checkin-desk:{slug}";' in response.content.decode()
    desk = client.get(desk_url(event))  # signed out: the sign-in page, same policy
    policy = desk["Content-Security-Policy"]
    assert "worker-src 'self'" in policy
    staff = staff_user("check_in")
    client.force_login(staff)
    page = client.get(desk_url(event)).content.decode()
    assert f'data-service-worker-url="{url}"' in page
