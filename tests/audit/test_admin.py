"""The audit log in the admin: read-only, for holders of "Can view audit log entry",
each seeing only their teams' events; filters by action, who, how, date and delegate;
the filtered list exported as CSV or XLSX, formulas neutralised; the same number of
queries whatever the number of entries."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from symposium import audit
from symposium.models import AuditEntry
from tests.factories import DelegateFactory, EventFactory, TeamFactory, UserFactory
from tests.helpers import admin_url, staff_user

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:symposium_auditentry_changelist")


def export_url(file_format, **params):
    url = reverse("admin:symposium_auditentry_export", args=[file_format])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


@pytest.fixture
def world():
    ours, theirs = EventFactory(name="Ourwick symposium"), EventFactory(name="Theirby symposium")
    olivia = UserFactory(username="olivia", is_staff=True)
    ana = DelegateFactory(event=ours, first_name="Ana", last_name="Able")
    ben = DelegateFactory(event=ours, first_name="=HYPERLINK(1)", last_name="Bell")
    tom = DelegateFactory(event=theirs, first_name="Tom", last_name="Theirs")
    with audit.acting(via=audit.Via.PUBLIC):
        audit.log_action(event=ours, action="registration.registered", delegate=ana)
        audit.log_action(event=ours, action="registration.registered", delegate=ben)
        audit.log_action(event=theirs, action="registration.registered", delegate=tom)
    with audit.acting(via=audit.Via.ADMIN, actor=olivia):
        audit.log_action(event=ours, action="registration.cancelled", delegate=ana)
        audit.log_action(event=theirs, action="admin.changed", obj=tom)
    old = audit.log_action(event=ours, action="event.published")
    AuditEntry.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=40))
    return {"ours": ours, "theirs": theirs, "ana": ana, "ben": ben, "tom": tom, "olivia": olivia}


@pytest.fixture
def scoped_client(client, world):
    """An organiser whose team has only the first event."""
    user = UserFactory(is_staff=True, teams=[TeamFactory(events=[world["ours"]])])
    user.groups.add(Group.objects.get(name="Organisers"))
    client.force_login(user)
    return client


def listed(response):
    return [(entry.action, entry.delegate_id) for entry in response.context["cl"].result_list]


def test_an_organiser_reads_only_their_events_log(scoped_client, world):
    response = scoped_client.get(CHANGELIST)

    assert response.status_code == 200
    assert {entry.event for entry in response.context["cl"].result_list} == {world["ours"]}
    body = response.content.decode()
    assert "Registration cancelled" in body
    assert "Tom" not in body
    assert "Theirby" not in body
    theirs = AuditEntry.objects.filter(event=world["theirs"]).first()
    assert scoped_client.get(admin_url(AuditEntry, "change", theirs.pk)).status_code == 404


def test_the_log_is_read_only(scoped_client, world):
    entry = AuditEntry.objects.filter(event=world["ours"]).first()

    assert scoped_client.get(admin_url(AuditEntry, "add")).status_code == 403
    change = scoped_client.get(admin_url(AuditEntry, "change", entry.pk))
    assert change.status_code == 200
    assert change.context["has_change_permission"] is False
    assert (
        scoped_client.post(admin_url(AuditEntry, "change", entry.pk), {"action": "x"}).status_code
        == 403
    )
    assert scoped_client.get(admin_url(AuditEntry, "delete", entry.pk)).status_code == 403
    entry.refresh_from_db()
    assert entry.action != "x"


def test_without_the_permission_there_is_no_log(client, world):
    client.force_login(staff_user(groups=["Event staff"]))

    assert client.get(CHANGELIST).status_code == 403
    assert client.get(export_url("csv")).status_code == 403


def test_filters_by_action_who_how_date_and_delegate(scoped_client, world):
    ana = world["ana"]

    by_action = scoped_client.get(CHANGELIST, {"action": "registration.cancelled"})
    by_who = scoped_client.get(CHANGELIST, {"who": "olivia"})
    nobody = scoped_client.get(CHANGELIST, {"who": "-"})
    by_via = scoped_client.get(CHANGELIST, {"via__exact": "public"})
    by_delegate = scoped_client.get(CHANGELIST, {"delegate": ana.pk})
    since = (timezone.now() - dt.timedelta(days=7)).isoformat()  # as the date filter's links
    by_date = scoped_client.get(CHANGELIST, {"at__gte": since})

    assert listed(by_action) == [("registration.cancelled", ana.pk)]
    assert listed(by_who) == [("registration.cancelled", ana.pk)]
    assert {action for action, _ in listed(nobody)} == {
        "registration.registered",
        "event.published",
    }
    assert len(listed(by_via)) == 2
    assert sorted(listed(by_delegate)) == [
        ("registration.cancelled", ana.pk),
        ("registration.registered", ana.pk),
    ]
    assert "event.published" not in {action for action, _ in listed(by_date)}
    assert len(listed(by_date)) == 3
    # The delegate filter names the delegate; "who" offers only this team's staff.
    assert "Ana Able" in by_delegate.content.decode()
    assert "olivia" in by_who.content.decode()


def test_the_who_filter_offers_no_other_events_staff(scoped_client, world):
    UserFactory(username="theo", is_staff=True)
    with audit.acting(via=audit.Via.ADMIN, actor=UserFactory(username="theo")):
        audit.log_action(event=world["theirs"], action="event.published")

    assert "theo" not in scoped_client.get(CHANGELIST).content.decode()


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_filtered_log_exports_as_csv_with_formulas_neutralised(scoped_client, world):
    response = scoped_client.get(export_url("csv", action="registration.registered"))

    assert response.status_code == 200
    header, *rows = csv_rows(response)
    assert header == [
        "Time",
        "Event",
        "Action",
        "Action code",
        "Who",
        "Through",
        "Delegate",
        "Object",
        "Details",
    ]
    assert sorted(row[6] for row in rows) == ["'=HYPERLINK(1) Bell", "Ana Able"]
    assert {(row[1], row[2], row[3], row[5]) for row in rows} == {
        ("Ourwick symposium", "Registered", "registration.registered", "Public pages")
    }


def test_the_log_exports_as_xlsx_with_only_their_events(scoped_client, world):
    response = scoped_client.get(export_url("xlsx"))

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 4
    assert {row[1] for row in rows[1:]} == {"Ourwick symposium"}
    assert "'=HYPERLINK(1) Bell" in {row[6] for row in rows[1:]}


def test_an_unknown_format_is_refused(scoped_client, world):
    assert scoped_client.get(export_url("pdf")).status_code == 403


def test_the_changelist_and_export_run_the_same_queries_for_one_and_many_entries(
    client, django_assert_num_queries
):
    event = EventFactory()
    user = UserFactory(is_staff=True, teams=[TeamFactory(events=[event])])
    user.groups.add(Group.objects.get(name="Organisers"))
    client.force_login(user)

    def add_entries(count):
        for n in range(count):
            delegate = DelegateFactory(event=event)
            with audit.acting(
                via=audit.Via.ADMIN,
                actor=UserFactory(username=f"u{n}-{delegate.pk}", is_staff=True),
            ):
                audit.log_action(event=event, action="registration.cancelled", delegate=delegate)

    add_entries(1)
    client.get(CHANGELIST)  # per-process caches
    with CaptureQueriesContext(connection) as one:
        client.get(CHANGELIST)
    with CaptureQueriesContext(connection) as one_export:
        b"".join(client.get(export_url("csv")).streaming_content)
    add_entries(6)

    with django_assert_num_queries(len(one)):
        response = client.get(CHANGELIST)
    with django_assert_num_queries(len(one_export)):
        b"".join(client.get(export_url("csv")).streaming_content)
    assert len(response.context["cl"].result_list) == 7


def test_the_events_page_links_to_its_log(scoped_client, world):
    from symposium.models import Event

    page = scoped_client.get(admin_url(Event, "change", world["ours"].pk)).content.decode()
    link = f"{CHANGELIST}?event__id__exact={world['ours'].pk}"
    assert f'href="{link}">Audit log</a>' in page

    response = scoped_client.get(link)

    assert {entry.event for entry in response.context["cl"].result_list} == {world["ours"]}
    assert len(response.context["cl"].result_list) == 4


def test_a_delegates_page_links_to_their_entries(scoped_client, world):
    from symposium.models import Delegate

    ana = world["ana"]
    page = scoped_client.get(admin_url(Delegate, "change", ana.pk)).content.decode()
    link = f"{CHANGELIST}?delegate={ana.pk}"
    assert f'href="{link}">Audit log</a>' in page

    response = scoped_client.get(link)

    assert {entry.delegate for entry in response.context["cl"].result_list} == {ana}


def test_another_events_delegate_asked_for_by_id_shows_nothing(scoped_client, world):
    response = scoped_client.get(CHANGELIST, {"delegate": world["tom"].pk})

    assert list(response.context["cl"].result_list) == []
    assert "Theirs" not in response.content.decode()
