import csv
import datetime as dt
import io
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from breakouts.enums import ChoiceStatus
from console.exports.attendees import AttendeeFilters, AttendeeList, attendees
from symposium.enums import RegistrationStatus, Sector
from symposium.exports.base import csv_lines, neutralise
from symposium.models import Delegate, ExportRecord
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    DelegateNeedsFactory,
    EventFactory,
    ThemeFactory,
    event_day_at,
)
from tests.helpers import staff_user

LONDON = ZoneInfo("Europe/London")
BASE_HEADER = [
    "Name",
    "Email",
    "Organisation",
    "Sector",
    "Job title",
    "Registration status",
    "Seat quota",
]
FORMULAS = ["=1+1", "+44 1227 000000", "-2", "@SUM(A1:A9)", "\tx", "\rx"]


def exporter_without_needs():
    """Can export, but may not see delegates' dietary and access needs."""
    group, _ = Group.objects.get_or_create(name="Exporters without needs")
    group.permissions.add(Permission.objects.get(codename="export_attendees"))
    user = staff_user()
    user.groups.add(group)
    return user


@pytest.fixture
def staff_client(client, db):
    client.force_login(staff_user(groups=["Event staff"]))
    return client


@pytest.fixture
def world(db):
    """Two rounds, two themes, three sessions; delegates of every status; another event."""
    event = EventFactory(slug="kent-medway")
    round1 = BreakoutRoundFactory(event=event, title="Round one")
    round2 = BreakoutRoundFactory(
        event=event,
        title="Round two",
        starts_at=event_day_at(event, 15, 30),
        ends_at=event_day_at(event, 16, 30),
    )
    housing = ThemeFactory(event=event, number=1, title="Health and housing")
    youth = ThemeFactory(event=event, number=2, title="Best start in life")
    housing1 = BreakoutSessionFactory(theme=housing, agenda_item=round1)
    youth1 = BreakoutSessionFactory(theme=youth, agenda_item=round1)
    housing2 = BreakoutSessionFactory(theme=housing, agenda_item=round2)

    def delegate(name, organisation, sector, status=RegistrationStatus.CONFIRMED):
        return DelegateFactory(
            event=event, full_name=name, organisation=organisation, sector=sector, status=status
        )

    alice = delegate("Alice Archer", "Kent County Council", Sector.COUNCIL)
    bob = delegate("Bob Baker", "NHS Kent and Medway", Sector.NHS)
    carol = delegate(
        "Carol Cole", "Kent County Council", Sector.COUNCIL, RegistrationStatus.WAITLISTED
    )
    delegate("Dan Dale", "Kent Police", Sector.POLICE, RegistrationStatus.CANCELLED)
    erin = delegate("Erin Ennis", "kent county council", Sector.VCSE)
    BreakoutChoiceFactory(delegate=alice, session=housing1)
    BreakoutChoiceFactory(delegate=bob, session=youth1)
    BreakoutChoiceFactory(delegate=bob, session=housing2, status=ChoiceStatus.WAITLISTED)
    BreakoutChoiceFactory(delegate=carol, session=housing1, status=ChoiceStatus.WAITLISTED)
    BreakoutChoiceFactory(delegate=erin, session=housing2)
    DelegateNeedsFactory(
        delegate=alice,
        dietary_requirement="other",
        dietary_details="No mushrooms",
        access_needs="Hearing loop",
    )
    DelegateFactory(first_name="Zed", last_name="Elsewhere", organisation="Kent County Council")
    return SimpleNamespace(
        event=event,
        round1=round1,
        round2=round2,
        housing=housing,
        youth=youth,
        housing1=housing1,
        youth1=youth1,
        housing2=housing2,
    )


def export_url(event, **params):
    query = {"delegates": "event", "statuses": "confirmed", "file_format": "csv", **params}
    return reverse("staff:attendee-export", kwargs={"slug": event.slug}), query


def download(client, event, **params):
    url, query = export_url(event, **params)
    response = client.get(url, query)
    assert response.status_code == 200, response.content[:500]
    return response


def read_csv(response):
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def read_xlsx(response):
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return workbook.active


def names(rows):
    return [row[0] for row in rows[1:]]


SCOPES = [
    ("event", "confirmed", ["Alice Archer", "Bob Baker", "Erin Ennis"]),
    ("event", "all", ["Alice Archer", "Bob Baker", "Carol Cole", "Dan Dale", "Erin Ennis"]),
    ("session:housing1", "confirmed", ["Alice Archer"]),
    ("session:housing1", "all", ["Alice Archer", "Carol Cole"]),
    ("theme:housing", "confirmed", ["Alice Archer", "Erin Ennis"]),
    ("theme:housing", "all", ["Alice Archer", "Bob Baker", "Carol Cole", "Erin Ennis"]),
    ("organisation:Kent County Council", "confirmed", ["Alice Archer", "Erin Ennis"]),
    ("organisation:Kent County Council", "all", ["Alice Archer", "Carol Cole", "Erin Ennis"]),
    ("sector:council", "confirmed", ["Alice Archer"]),
    ("sector:council", "all", ["Alice Archer", "Carol Cole"]),
    ("sector:police", "all", ["Dan Dale"]),
]


def scope_value(world, scope):
    kind, _, value = scope.partition(":")
    if kind == "session":
        return f"session:{getattr(world, value).pk}"
    if kind == "theme":
        return f"theme:{getattr(world, value).number}"
    return scope


@pytest.mark.parametrize(("scope", "statuses", "expected"), SCOPES)
def test_export_filter_returns_exactly_the_chosen_delegates(
    staff_client, world, scope, statuses, expected
):
    response = download(
        staff_client, world.event, delegates=scope_value(world, scope), statuses=statuses
    )

    assert names(read_csv(response)) == expected


@pytest.mark.parametrize(("scope", "statuses", "expected"), SCOPES)
def test_export_filter_in_xlsx_returns_the_same_delegates(
    staff_client, world, scope, statuses, expected
):
    response = download(
        staff_client,
        world.event,
        delegates=scope_value(world, scope),
        statuses=statuses,
        file_format="xlsx",
    )

    sheet = read_xlsx(response)
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == expected


def test_attendees_selector_combines_filters(world):
    filters = AttendeeFilters(theme=world.housing, sector=Sector.VCSE)

    result = attendees(event=world.event, filters=filters)

    assert [d.full_name for d in result] == ["Erin Ennis"]


def test_export_columns_show_each_round_with_session_and_status(staff_client, world):
    response = download(staff_client, world.event, statuses="all")

    rows = read_csv(response)
    assert rows[0] == [
        *BASE_HEADER,
        "Round one (14:00)",
        "Round two (15:30)",
        "Registered at",
    ]
    bob = next(row for row in rows if row[0] == "Bob Baker")
    assert bob[:9] == [
        "Bob Baker",
        bob[1],
        "NHS Kent and Medway",
        "NHS",
        "Public health officer",
        "Confirmed",
        "",  # No seat quota.
        "Best start in life (Confirmed)",
        "Health and housing (On the waitlist)",
    ]
    carol = next(row for row in rows if row[0] == "Carol Cole")
    assert carol[3:9] == [
        "Local council",
        "Public health officer",
        "On the waitlist",
        "",
        "Health and housing (On the waitlist)",
        "",
    ]


def test_export_registered_at_is_local_time_in_csv(staff_client, world):
    Delegate.objects.filter(first_name="Alice", last_name="Archer").update(
        created_at=dt.datetime(2026, 7, 1, 8, 5, tzinfo=dt.UTC)
    )

    rows = read_csv(download(staff_client, world.event))

    assert rows[1][-1] == "2026-07-01 09:05"


SPECIAL_NAMES = [
    "Zoë Ångström-Ñúñez",
    "Siobhán O'Brien",
    "Smith, José",
    'Ann "Nan" Lee',
    "Line one\nLine two",
]


def test_export_csv_parses_back_with_accents_quotes_commas_and_newlines(staff_client, db):
    event = EventFactory()
    for name in SPECIAL_NAMES:
        DelegateFactory(event=event, full_name=name, organisation=f"Org of {name}")

    rows = read_csv(download(staff_client, event))

    assert sorted(row[0] for row in rows[1:]) == sorted(SPECIAL_NAMES)
    assert sorted(row[2] for row in rows[1:]) == sorted(f"Org of {n}" for n in SPECIAL_NAMES)


def test_export_csv_response_streams_with_bom_and_attachment_name(staff_client, world):
    response = download(staff_client, world.event, delegates="sector:nhs")

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="kent-medway-attendees-sector-nhs-'
    )
    assert b"".join(response.streaming_content).startswith("\ufeff".encode())


def test_export_xlsx_has_bold_frozen_filtered_header_and_real_datetimes(staff_client, world):
    Delegate.objects.filter(first_name="Alice", last_name="Archer").update(
        created_at=dt.datetime(2026, 1, 15, 17, 30, tzinfo=dt.UTC)
    )

    response = download(staff_client, world.event, file_format="xlsx")

    assert response["Content-Disposition"].startswith(
        'attachment; filename="kent-medway-attendees-all-'
    )
    sheet = read_xlsx(response)
    header = [cell.value for cell in sheet[1]]
    assert header == [*BASE_HEADER, "Round one (14:00)", "Round two (15:30)", "Registered at"]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:J4"
    assert sheet.column_dimensions["A"].width == 28
    registered = sheet.cell(row=2, column=10)
    assert registered.value == dt.datetime(2026, 1, 15, 17, 30)
    assert registered.is_date
    assert registered.number_format == "yyyy-mm-dd hh:mm"


@pytest.mark.parametrize("value", FORMULAS)
def test_neutralise_prefixes_formula_looking_values(value):
    assert neutralise(value) == f"'{value}"


@pytest.mark.parametrize("value", ["Kent", "0800 111", "a=b", "", "O'Brien"])
def test_neutralise_leaves_ordinary_values(value):
    assert neutralise(value) == value


@pytest.fixture
def formula_event(db):
    event = EventFactory()
    for index, value in enumerate(FORMULAS):
        DelegateFactory(
            event=event,
            full_name=f"Delegate {index}",
            organisation=value,
            job_title=value,
        )
    return event


def test_export_csv_neutralises_formulas(staff_client, formula_event):
    rows = read_csv(download(staff_client, formula_event))

    assert [row[2] for row in rows[1:]] == [f"'{value}" for value in FORMULAS]
    assert [row[4] for row in rows[1:]] == [f"'{value}" for value in FORMULAS]


def test_export_xlsx_neutralises_formulas(staff_client, formula_event):
    sheet = read_xlsx(download(staff_client, formula_event, file_format="xlsx"))

    cells = [sheet.cell(row=row, column=3) for row in range(2, 2 + len(FORMULAS))]
    assert [cell.data_type for cell in cells] == ["s"] * len(FORMULAS)
    # XML turns a bare carriage return into a line feed when the file is read back.
    expected = [f"'{value}".replace("\r", "\n") for value in FORMULAS]
    assert [cell.value.replace("\r", "\n") for cell in cells] == expected


def test_export_xlsx_drops_control_characters_openpyxl_refuses(staff_client, db):
    event = EventFactory()
    DelegateFactory(event=event, first_name="Bell\x07", last_name="Ringer")

    sheet = read_xlsx(download(staff_client, event, file_format="xlsx"))

    assert sheet["A2"].value == "Bell Ringer"


NEEDS_HEADER = ["Dietary needs", "Access needs"]


def test_export_leaves_needs_out_by_default(staff_client, world):
    rows = read_csv(download(staff_client, world.event))

    assert not set(NEEDS_HEADER) & set(rows[0])
    assert "No mushrooms" not in str(rows)


def test_export_includes_needs_when_asked_by_user_with_permission(staff_client, world):
    rows = read_csv(download(staff_client, world.event, include_needs="on"))

    assert rows[0][-3:] == [*NEEDS_HEADER, "Registered at"]
    assert rows[1][-3:-1] == ["Other (please describe): No mushrooms", "Hearing loop"]
    assert rows[2][-3:-1] == ["", ""]  # Bob gave no needs


def test_export_includes_needs_in_xlsx(staff_client, world):
    sheet = read_xlsx(download(staff_client, world.event, include_needs="on", file_format="xlsx"))

    assert [cell.value for cell in sheet[1]][-3:] == [*NEEDS_HEADER, "Registered at"]
    assert sheet["J2"].value == "Other (please describe): No mushrooms"
    assert sheet.auto_filter.ref == "A1:L4"


def test_export_ignores_needs_asked_by_user_without_needs_permission(client, world):
    user = exporter_without_needs()
    client.force_login(user)

    rows = read_csv(download(client, world.event, include_needs="on"))

    assert not set(NEEDS_HEADER) & set(rows[0])
    assert ExportRecord.objects.get().filters["include_needs"] is False


def test_export_writes_record_with_row_count_and_filters(staff_client, world):
    response = download(
        staff_client, world.event, delegates="organisation:Kent County Council", statuses="all"
    )
    rows = read_csv(response)

    record = ExportRecord.objects.get()
    assert record.event == world.event
    assert record.exported_by == response.wsgi_request.user
    assert record.export == "Attendee list"
    assert record.file_format == "csv"
    assert record.row_count == len(rows) - 1 == 3
    assert record.filters == {
        "organisation": "Kent County Council",
        "include_inactive": True,
        "include_needs": False,
    }


def test_export_writes_record_for_xlsx_session(staff_client, world):
    download(
        staff_client,
        world.event,
        delegates=f"session:{world.housing1.pk}",
        file_format="xlsx",
        include_needs="on",
    )

    record = ExportRecord.objects.get()
    assert (record.file_format, record.row_count) == ("xlsx", 1)
    assert record.filters == {
        "session": world.housing1.pk,
        "include_inactive": False,
        "include_needs": True,
    }


def test_export_with_invalid_choice_shows_the_form_again(staff_client, world):
    url, query = export_url(world.event, delegates="session:999999", file_format="pdf")

    response = staff_client.get(url, query)

    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert not ExportRecord.objects.exists()


def build_delegates(event, count):
    round1 = BreakoutRoundFactory(event=event)
    session = BreakoutSessionFactory(theme=ThemeFactory(event=event), agenda_item=round1)
    for _ in range(count):
        choice = BreakoutChoiceFactory(session=session)
        DelegateNeedsFactory(delegate=choice.delegate)


@pytest.mark.parametrize("count", [2, 20])
def test_attendee_list_query_count_is_fixed(db, django_assert_num_queries, count):
    event = EventFactory()
    build_delegates(event, count)
    filters = AttendeeFilters(include_needs=True)
    delegates = attendees(event=event, filters=filters)

    # Rounds, the event's questions (none), themes, then one chunk: delegates with
    # their needs, and their choices.
    with django_assert_num_queries(5):
        exporter = AttendeeList(event=event, delegates=delegates, include_needs=True)
        lines = list(csv_lines(exporter.table()))

    assert len(lines) == count + 2


def export_queries(client, event, **params):
    url, query = export_url(event, **params)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query)
        b"".join(response.streaming_content)
    return len(queries)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_view_query_count_same_for_2_and_20_delegates(staff_client, db, file_format):
    few, many = EventFactory(), EventFactory()
    build_delegates(few, 2)
    build_delegates(many, 20)

    counts = [
        export_queries(staff_client, event, file_format=file_format, include_needs="on")
        for event in (few, many)
    ]

    assert counts[0] == counts[1]


def admin_export(client, action, delegates, **extra):
    data = {
        "action": action,
        "_selected_action": [delegate.pk for delegate in delegates],
        "index": 0,
        **extra,
    }
    return client.post(reverse("admin:symposium_delegate_changelist"), data)


def test_admin_action_exports_exactly_the_selection_as_csv(organiser_client, world):
    chosen = list(Delegate.objects.filter(last_name__in=["Cole", "Archer"]))

    response = admin_export(organiser_client, "export_selected_csv", chosen)

    assert response.status_code == 200
    assert names(read_csv(response)) == ["Alice Archer", "Carol Cole"]
    record = ExportRecord.objects.get()
    assert (record.export, record.row_count, record.file_format) == (
        "Attendee list (admin selection)",
        2,
        "csv",
    )
    assert record.exported_by == response.wsgi_request.user


def test_admin_action_exports_filtered_changelist_across_pages_as_xlsx(organiser_client, world):
    query = f"event__id__exact={world.event.pk}&sector__exact=council"
    url = f"{reverse('admin:symposium_delegate_changelist')}?{query}"
    some = Delegate.objects.filter(event=world.event, sector=Sector.COUNCIL)[:1]
    data = {
        "action": "export_selected_xlsx",
        "_selected_action": [d.pk for d in some],
        "select_across": 1,
        "index": 0,
    }

    response = organiser_client.post(url, data)

    sheet = read_xlsx(response)
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "Alice Archer",
        "Carol Cole",
    ]
    record = ExportRecord.objects.get()
    assert record.filters == {"changelist": query}
    assert (record.row_count, record.file_format) == (2, "xlsx")


def test_admin_action_by_event_staff_is_allowed(client, world):
    client.force_login(staff_user(groups=["Event staff"]))
    chosen = list(Delegate.objects.filter(first_name="Bob", last_name="Baker"))

    response = admin_export(client, "export_selected_csv", chosen)

    assert names(read_csv(response)) == ["Bob Baker"]


def test_admin_action_without_export_permission_is_forbidden(client, world):
    user = staff_user()
    user.user_permissions.add(Permission.objects.get(codename="view_delegate"))
    client.force_login(user)

    response = admin_export(client, "export_selected_csv", Delegate.objects.all())

    assert response.status_code == 403
    assert not ExportRecord.objects.exists()


def test_admin_action_refuses_a_selection_across_events(organiser_client, world):
    response = admin_export(organiser_client, "export_selected_csv", Delegate.objects.all())

    assert response.status_code == 302
    assert not ExportRecord.objects.exists()
    page = organiser_client.get(response["Location"])
    assert "Select the delegates of one event at a time" in page.content.decode()
