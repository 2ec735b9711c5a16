"""Checking in at the desk: once per delegate, idempotent by the desk's nonce, the
earliest scan wins, undo within a minute, and the desk's list for going offline."""

import datetime as dt
import json
import uuid

import pytest
from django.utils import timezone

from checkin import services
from checkin.codes import check_in_code
from checkin.models import CheckIn
from symposium.enums import RegistrationStatus
from tests.checkin.helpers import desk_url, scan, send_scans
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    DelegateNeedsFactory,
    EventFactory,
    RoomFactory,
    ThemeFactory,
)
from tests.helpers import staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_client(client):
    client.force_login(staff_user(groups=["Event staff"]))
    return client


def test_a_scan_checks_the_delegate_in_with_the_desk_and_the_scan_time(desk_client):
    delegate = DelegateFactory()
    at = timezone.now() - dt.timedelta(minutes=3)
    response = send_scans(desk_client, delegate.event, scan(delegate, at=at, desk="Desk 2"))
    assert response.status_code == 200
    assert response["Server-Timing"].startswith("checkin;dur=")
    [result] = response.json()["results"]
    assert result["status"] == "checked_in"
    assert result["delegate"] == delegate.pk
    row = CheckIn.objects.get()
    assert (row.delegate, row.at, row.desk) == (delegate, at, "Desk 2")


def test_the_same_scan_sent_twice_is_one_check_in_with_the_same_answer(desk_client):
    delegate = DelegateFactory()
    body = scan(delegate)
    first = send_scans(desk_client, delegate.event, body).json()["results"][0]
    again = send_scans(desk_client, delegate.event, body).json()["results"][0]
    assert first["status"] == again["status"] == "checked_in"
    assert first["checked_in"] == again["checked_in"]
    assert CheckIn.objects.count() == 1


def test_a_second_scan_warns_with_the_time_and_desk_of_the_first(desk_client):
    yesterday = timezone.localtime() - dt.timedelta(days=1)
    delegate = DelegateFactory(event=EventFactory(starts_on=yesterday.date()))
    at = yesterday.replace(hour=9, minute=12, second=0, microsecond=0)
    send_scans(desk_client, delegate.event, scan(delegate, at=at, desk="desk 2"))
    [result] = send_scans(desk_client, delegate.event, scan(delegate, desk="desk 5")).json()[
        "results"
    ]
    assert result["status"] == "already"
    assert result["checked_in"]["clock"] == "09:12"
    assert result["checked_in"]["desk"] == "desk 2"
    assert CheckIn.objects.count() == 1


def test_an_earlier_scan_arriving_later_becomes_the_check_in(db):
    delegate = DelegateFactory()
    now = timezone.now()
    services.check_in(event=delegate.event, delegate_id=delegate.pk, nonce=uuid.uuid4(), at=now)
    earlier = now - dt.timedelta(minutes=20)
    outcome = services.check_in(
        event=delegate.event, delegate_id=delegate.pk, nonce=uuid.uuid4(), at=earlier, desk="3"
    )
    assert outcome.status == services.Status.ALREADY
    row = CheckIn.objects.get()
    assert (row.at, row.desk) == (earlier, "3")


def test_a_desk_clock_far_ahead_cannot_date_a_check_in_in_the_future(db):
    delegate = DelegateFactory()
    now = timezone.now()
    services.check_in(
        event=delegate.event,
        delegate_id=delegate.pk,
        nonce=uuid.uuid4(),
        at=now + dt.timedelta(hours=5),
        now=now,
    )
    assert CheckIn.objects.get().at == now + services.CLOCK_SKEW


@pytest.mark.parametrize("status", [RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED])
def test_only_confirmed_delegates_are_checked_in(desk_client, status):
    delegate = DelegateFactory(status=status)
    [result] = send_scans(desk_client, delegate.event, scan(delegate)).json()["results"]
    assert result["status"] == "not_confirmed"
    assert not CheckIn.objects.exists()


def test_another_events_code_or_a_forged_one_is_unknown(desk_client):
    delegate = DelegateFactory()
    other = EventFactory()
    [result] = send_scans(desk_client, other, scan(delegate)).json()["results"]
    assert result["status"] == "unknown"
    forged = scan(delegate)
    forged["code"] = forged["code"][:-1] + ("A" if forged["code"][-1] != "A" else "B")
    [result] = send_scans(desk_client, delegate.event, forged).json()["results"]
    assert result["status"] == "unknown"
    assert not CheckIn.objects.exists()


def test_a_code_read_out_and_typed_loosely_still_finds_the_delegate(desk_client):
    delegate = DelegateFactory(pk=100_200)
    body = scan(delegate)
    # Every 0 read as the letter O, in the delegate's number too.
    body["code"] = " " + body["code"].lower().replace("0", "o") + " "
    [result] = send_scans(desk_client, delegate.event, body).json()["results"]
    assert result["status"] == "checked_in"


def test_an_offline_queue_is_sent_in_one_request_with_each_scans_time(desk_client):
    event = EventFactory()
    delegates = DelegateFactory.create_batch(3, event=event)
    times = [timezone.now() - dt.timedelta(minutes=m) for m in (30, 20, 10)]
    scans = [scan(d, at=t, offline=True) for d, t in zip(delegates, times, strict=True)]
    results = send_scans(desk_client, event, *scans).json()["results"]
    assert [r["status"] for r in results] == ["checked_in"] * 3
    rows = {row.delegate_id: row for row in CheckIn.objects.all()}
    assert {pk: (row.at, row.sent_offline) for pk, row in rows.items()} == {
        d.pk: (t, True) for d, t in zip(delegates, times, strict=True)
    }


def test_bad_requests_are_refused(desk_client):
    event = EventFactory()
    url = desk_url(event, "scans")
    assert desk_client.post(url, "nonsense", "application/json").status_code == 400
    too_many = json.dumps({"scans": [{}] * 501})
    assert desk_client.post(url, too_many, "application/json").status_code == 400
    answer = desk_client.post(url, json.dumps({"scans": [{"code": "1-X"}]}), "application/json")
    assert answer.json()["results"] == [{"status": "invalid"}]


def test_undo_within_a_minute_then_the_delegate_can_be_checked_in_again(desk_client):
    delegate = DelegateFactory()
    [result] = send_scans(desk_client, delegate.event, scan(delegate)).json()["results"]
    undo = desk_client.post(
        desk_url(delegate.event, "undo"),
        json.dumps({"nonce": result["undo_nonce"]}),
        "application/json",
    )
    assert undo.status_code == 200
    assert CheckIn.objects.get().undone_at is not None
    [again] = send_scans(desk_client, delegate.event, scan(delegate)).json()["results"]
    assert again["status"] == "checked_in"
    assert CheckIn.objects.filter(undone_at__isnull=True).count() == 1


def test_undo_after_a_minute_is_refused(db):
    delegate = DelegateFactory()
    nonce = uuid.uuid4()
    services.check_in(event=delegate.event, delegate_id=delegate.pk, nonce=nonce)
    later = timezone.now() + dt.timedelta(seconds=61)
    assert services.undo_check_in(event=delegate.event, nonce=nonce, now=later) is False
    assert CheckIn.objects.get().undone_at is None


def test_the_desk_list_holds_codes_names_breakouts_rooms_and_check_ins(desk_client):
    event = EventFactory()
    room = RoomFactory(event=event, name="Room A")
    session = BreakoutSessionFactory(theme=ThemeFactory(event=event, title="Prevention"), room=room)
    here = DelegateFactory(event=event, first_name="Ana", last_name="Able")
    BreakoutChoiceFactory(session=session, delegate=here)
    DelegateFactory(event=event, status=RegistrationStatus.WAITLISTED)
    services.check_in(event=event, delegate_id=here.pk, nonce=uuid.uuid4(), desk="desk 2")
    entries = desk_client.get(desk_url(event, "list")).json()["delegates"]
    assert [e["id"] for e in entries] == [here.pk]
    [entry] = entries
    assert entry["code"] == check_in_code(here)
    assert (entry["first_name"], entry["last_name"]) == ("Ana", "Able")
    assert entry["breakouts"] == [{"title": "Prevention", "time": "14:00", "room": "Room A"}]
    assert entry["checked_in"]["desk"] == "desk 2"


def test_the_access_needs_flag_only_for_staff_allowed_to_see_needs(client):
    needs = DelegateNeedsFactory(access_needs="Step-free access")
    event = needs.delegate.event
    client.force_login(staff_user("check_in"))
    [entry] = client.get(desk_url(event, "list")).json()["delegates"]
    assert "access_needs" not in entry
    client.force_login(staff_user(groups=["Event staff"]))
    [entry] = client.get(desk_url(event, "list")).json()["delegates"]
    assert entry["access_needs"] is True
    assert "Step-free" not in json.dumps(entry)
