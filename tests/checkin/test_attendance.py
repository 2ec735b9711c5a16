"""Attendance: checked in / expected by sector, organisation and breakout session on the
overview, the check-in columns in the attendee list, the attendance and no-show lists."""

import csv
import io
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from checkin import services
from checkin.selectors import attendance
from symposium.enums import RegistrationStatus, Sector
from symposium.models import Event, ExportRecord
from tests.checkin.helpers import desk_url
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
    RoomFactory,
    ThemeFactory,
)
from tests.helpers import staff_user

pytestmark = pytest.mark.django_db


def check_in(delegate, desk="Desk 1"):
    nonce = uuid.uuid4()
    services.check_in(event=delegate.event, delegate_id=delegate.pk, nonce=nonce, desk=desk)
    return nonce


@pytest.fixture
def day():
    """Three confirmed (two here), one waitlisted (here would not count), a session."""
    event = EventFactory(slug="kent-medway")
    session = BreakoutSessionFactory(
        theme=ThemeFactory(event=event, title="Prevention"),
        room=RoomFactory(event=event, name="Room A"),
    )
    ana = DelegateFactory(
        event=event, full_name="Ana Able", sector=Sector.NHS, organisation="Medway NHS"
    )
    bob = DelegateFactory(
        event=event, full_name="Bob Baker", sector=Sector.NHS, organisation="Medway NHS"
    )
    cat = DelegateFactory(
        event=event, full_name="Cat Cole", sector=Sector.POLICE, organisation="Kent Police"
    )
    DelegateFactory(event=event, status=RegistrationStatus.WAITLISTED, sector=Sector.POLICE)
    BreakoutChoiceFactory(session=session, delegate=ana)
    BreakoutChoiceFactory(session=session, delegate=cat)
    check_in(ana)
    check_in(cat)
    return event, (ana, bob, cat)


def figures(rows):
    return {row["label"]: (row["checked_in"], row["expected"]) for row in rows}


def test_attendance_counts_check_ins_against_confirmed_delegates(day):
    event, _ = day
    data = attendance(event=event)
    assert data["totals"] == {"checked_in": 2, "expected": 3}
    assert figures(data["by_sector"]) == {"NHS": (1, 2), "Police": (1, 1)}
    assert figures(data["by_organisation"]) == {"Kent Police": (1, 1), "Medway NHS": (1, 2)}
    assert figures(data["by_session"]) == {"Prevention (14:00, Room A)": (2, 2)}


def test_an_undone_check_in_does_not_count(day):
    event, (_, bob, _) = day
    services.undo_check_in(event=event, nonce=check_in(bob))
    assert attendance(event=event)["totals"] == {"checked_in": 2, "expected": 3}


def test_the_overview_shows_attendance_and_refreshes_by_a_static_script(organiser_client, day):
    event, _ = day
    body = organiser_client.get(reverse("staff:overview", args=[event.slug])).content.decode()
    assert "Attendance on the day" in body
    assert '<span data-attendance="checked_in">2</span>' in body
    assert 'src="/static/checkin/attendance.js"' in body
    assert "<script>" not in body
    response = organiser_client.get(desk_url(event, "attendance"))
    assert response.json()["totals"] == {"checked_in": 2, "expected": 3}


def test_attendance_figures_need_the_export_permission(client, day):
    event, _ = day
    client.force_login(staff_user("check_in"))
    assert client.get(desk_url(event, "attendance")).status_code == 403
    assert client.get(desk_url(event, "no-shows")).status_code == 403


def read_csv(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_the_attendee_list_adds_checked_in_and_the_time_from_the_first_day(organiser_client):
    event = EventFactory()
    ana = DelegateFactory(event=event, full_name="Ana Able")
    url = reverse("staff:attendee-export", args=[event.slug])
    url += "?delegates=event&statuses=confirmed&file_format=csv"
    before = read_csv(organiser_client.get(url))
    assert "Checked in" not in before[0]
    Event.objects.filter(pk=event.pk).update(starts_on=timezone.localdate())
    check_in(ana)
    DelegateFactory(event=event, full_name="Bob Baker")
    rows = read_csv(organiser_client.get(url))
    assert rows[0][-2:] == ["Checked in", "Checked in at"]
    assert rows[1][0] == "Ana Able"
    assert rows[1][-2] == "Yes"
    assert rows[1][-1]
    assert rows[2][-2:] == ["No", ""]


def test_the_attendance_export_and_the_no_show_list(organiser_client, day):
    event, _ = day
    rows = read_csv(organiser_client.get(desk_url(event, "attendance-export")))
    assert rows[0] == [
        "Name",
        "Organisation",
        "Sector",
        "Checked in",
        "Checked in at",
        "Desk",
        "Walk-in",
    ]
    assert [(r[0], r[3], r[5]) for r in rows[1:]] == [
        ("Ana Able", "Yes", "Desk 1"),
        ("Bob Baker", "No", ""),
        ("Cat Cole", "Yes", "Desk 1"),
    ]
    no_shows = read_csv(organiser_client.get(desk_url(event, "no-shows")))
    assert no_shows[0] == ["Name", "Email", "Organisation", "Sector"]
    assert [row[0] for row in no_shows[1:]] == ["Bob Baker"]
    assert sorted(ExportRecord.objects.values_list("export", "row_count")) == [
        ("Attendance", 3),
        ("No-shows", 1),
    ]
