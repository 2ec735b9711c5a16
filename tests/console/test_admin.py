import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils.html import escape

from breakouts.models import BreakoutChoice
from symposium import audit
from symposium.models import (
    AgendaItem,
    AuditEntry,
    BoardReport,
    Delegate,
    DelegateNeeds,
    Event,
    ExportRecord,
    ManageLinkEmail,
    OutboxEmail,
    PreparedExport,
    Room,
    Team,
)
from tests.factories import (
    AgendaItemFactory,
    BreakoutChoiceFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    DelegateNeedsFactory,
    EventFactory,
    RoomFactory,
    UserFactory,
    event_day_at,
)
from tests.helpers import admin_url, staff_user

groups_migration = importlib.import_module("symposium.migrations.0003_groups")
# Added to both groups by the checkin app's own migration.
CHECK_IN = {
    ("checkin", codename)
    for codename in importlib.import_module(
        "checkin.migrations.0002_check_in_permission_for_staff"
    ).CODENAMES
}
staff_accounts_migration = importlib.import_module(
    "symposium.migrations.0008_organisers_manage_staff_accounts"
)
STAFF_ACCOUNTS = {("auth", codename) for codename in staff_accounts_migration.WANTED}
TEAMS = {
    ("symposium", codename)
    for codename in importlib.import_module("symposium.migrations.0012_team").TEAM_PERMISSIONS
}
AUDIT = {
    ("symposium", codename)
    for codename in importlib.import_module("symposium.migrations.0014_audit_log").AUDIT_PERMISSIONS
}


def make_agenda_item():
    room = RoomFactory()
    return AgendaItemFactory(event=room.event, room=room)


def make_delegate():
    choice = BreakoutChoiceFactory()
    DelegateNeedsFactory(delegate=choice.delegate)
    return choice.delegate


def make_export_record():
    return ExportRecord.objects.create(
        event=EventFactory(),
        exported_by=UserFactory(),
        export="All delegates",
        file_format="csv",
        row_count=12,
    )


def make_prepared_export():
    return PreparedExport.objects.create(
        record=make_export_record(), filename="kent-attendees-all.csv", content=b"names"
    )


def make_board_report():
    return BoardReport.objects.create(event=EventFactory(), status=BoardReport.Status.DONE)


def make_outbox_email():
    return OutboxEmail.objects.create(
        kind="registered",
        delegate=DelegateFactory(),
        attempts=1,
        last_error="Unsendable: not an email address",
    )


def make_manage_link_email():
    return ManageLinkEmail.objects.create(delegate=DelegateFactory())


def make_audit_entry():
    delegate = DelegateFactory()
    return audit.log_action(
        event=delegate.event,
        action="registration.cancelled",
        delegate=delegate,
        actor=UserFactory(),
    )


MAKERS = {
    Event: EventFactory,
    Room: RoomFactory,
    AgendaItem: make_agenda_item,
    Delegate: make_delegate,
    DelegateNeeds: DelegateNeedsFactory,
    ExportRecord: make_export_record,
    OutboxEmail: make_outbox_email,
    ManageLinkEmail: make_manage_link_email,
    PreparedExport: make_prepared_export,
    BoardReport: make_board_report,
    AuditEntry: make_audit_entry,
}
READ_ONLY = (
    ExportRecord,
    OutboxEmail,
    ManageLinkEmail,
    PreparedExport,
    BoardReport,
    AuditEntry,
)
ADDABLE = [model for model in MAKERS if model not in READ_ONLY]


@pytest.fixture
def event_staff_client(client, db):
    user = staff_user()
    user.groups.add(Group.objects.get(name="Event staff"))
    client.force_login(user)
    return client


def test_every_symposium_model_is_registered_and_under_test():
    models = set(apps.get_app_config("symposium").get_models())

    # Teams have their own tests (tests/console/test_teams.py): one exists from the start.
    assert models == set(MAKERS) | {Team}
    assert all(admin.site.is_registered(model) for model in models)


def test_export_record_is_read_only_for_organiser(organiser_client):
    record = make_export_record()

    add = organiser_client.get(admin_url(ExportRecord, "add"))
    change = organiser_client.get(admin_url(ExportRecord, "change", record.pk))
    post = organiser_client.post(admin_url(ExportRecord, "change", record.pk), {"row_count": 1})
    delete = organiser_client.get(admin_url(ExportRecord, "delete", record.pk))

    assert (add.status_code, change.status_code, post.status_code) == (403, 200, 403)
    assert delete.status_code == 403
    assert change.context["has_change_permission"] is False
    record.refresh_from_db()
    assert record.row_count == 12


def test_event_staff_can_view_the_agenda(event_staff_client):
    item = make_agenda_item()

    changelist = event_staff_client.get(admin_url(AgendaItem, "changelist"))
    change = event_staff_client.get(admin_url(AgendaItem, "change", item.pk))

    assert (changelist.status_code, change.status_code) == (200, 200)
    assert change.context["has_change_permission"] is False


def test_event_staff_cannot_add_or_change_the_agenda(event_staff_client):
    item = make_agenda_item()

    add = event_staff_client.get(admin_url(AgendaItem, "add"))
    change = event_staff_client.post(admin_url(AgendaItem, "change", item.pk), {"title": "Changed"})
    event_change = event_staff_client.post(
        admin_url(Event, "change", item.event.pk), {"name": "Changed"}
    )

    assert (add.status_code, change.status_code, event_change.status_code) == (403, 403, 403)
    item.refresh_from_db()
    assert item.title != "Changed"


def allocation_permissions(group):
    """Added by a later migration, for the models of ranked breakout preferences."""
    migration = importlib.import_module("breakouts.migrations.0004_allocation_permissions")
    return {("breakouts", codename) for codename in migration.GROUPS[group]}


PARTNER_LEADS = {
    ("partners", codename)
    for codename in importlib.import_module(
        "partners.migrations.0003_organisers_manage_partner_leads"
    ).WANTED
}
INVITATIONS = {
    ("partners", codename)
    for codename in importlib.import_module("partners.migrations.0004_organisers_invite").CODENAMES
}
SEAT_QUOTAS = {
    ("partners", codename)
    for codename in importlib.import_module(
        "partners.migrations.0006_organisers_manage_seat_quotas"
    ).WANTED
}

OUTCOMES = {
    ("outcomes", codename)
    for codename in importlib.import_module(
        "outcomes.migrations.0002_facilitator_link_and_publishing"
    ).WANTED
}


BOARD_REPORTS = set(
    importlib.import_module(
        "symposium.migrations.0015_organisers_prepare_board_reports"
    ).PERMISSIONS
)


def questions_permissions(group):
    """Granted by the questions app's own migration: an event's registration questions."""
    migration = importlib.import_module("questions.migrations.0002_organisers_manage_questions")
    codenames = migration.ORGANISERS if group == "Organisers" else migration.EVENT_STAFF
    return {("questions", codename) for codename in codenames}


def partners_permissions(group):
    """Granted by the partners app's own migration: the organisation directory."""
    migration = importlib.import_module("partners.migrations.0002_organisers_manage_the_directory")
    codenames = migration.ORGANISERS if group == "Organisers" else migration.EVENT_STAFF
    return {("partners", codename) for codename in codenames}


def feedback_permissions(group):
    migration = importlib.import_module("feedback.migrations.0002_organisers_manage_surveys")
    return {("feedback", codename) for codename in migration.GRANTS[group]}


def test_organisers_group_has_exactly_its_permissions(db):
    codenames = set(
        Group.objects.get(name="Organisers").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )

    # Emailing delegates and checking in are granted by the mailings and checkin apps'
    # own migrations, accounts for event staff by symposium's staff accounts migration,
    # partner leads (and reading their audit) by the partners app's, seat quotas,
    # the directory and teams by their own migrations; the report for the board (and its
    # quotes) by symposium's 0015.
    assert (
        codenames
        == set(groups_migration.organiser_permissions())
        | allocation_permissions("Organisers")
        | {("mailings", "email_delegates")}
        | CHECK_IN
        | STAFF_ACCOUNTS
        | PARTNER_LEADS
        | TEAMS
        | AUDIT
        | SEAT_QUOTAS
        | INVITATIONS
        | partners_permissions("Organisers")
        | OUTCOMES
        | BOARD_REPORTS
        | feedback_permissions("Organisers")
        | questions_permissions("Organisers")
    )
    # ... + outcomes: 3 models' 4 permissions and "publish"; + the report for the board: 4;
    # + the survey: 4; + questions: 2 models' 4 and viewing answers; + viewing the audit log.
    assert len(codenames) == (
        13 * 4 + 2 + 1 + 3 + 4 + 5 + 4 + 3 * 4 + 2 + 2 * 4 + 4 + 3 * 4 + 1 + 4 + 4 + 2 * 4 + 1 + 1
    )
    assert ("symposium", "change_exportrecord") not in codenames


def test_event_staff_group_can_view_and_export_only(db):
    codenames = set(
        Group.objects.get(name="Event staff").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )

    assert codenames == set(groups_migration.event_staff_permissions()) | (
        allocation_permissions("Event staff")
    ) | CHECK_IN | partners_permissions("Event staff") | feedback_permissions(
        "Event staff"
    ) | questions_permissions("Event staff")
    assert ("symposium", "export_attendees") in codenames
    assert {codename.split("_")[0] for _, codename in codenames} == {"view", "export", "check"}


def migration_state_apps():
    return MigrationLoader(connection).project_state(("symposium", "0003_groups")).apps


@pytest.mark.parametrize(
    "get_apps", [migration_state_apps, lambda: apps], ids=["migration state", "installed apps"]
)
def test_groups_migration_runs_again_and_reverses_cleanly(db, get_apps):
    app_models = get_apps()
    editor = SimpleNamespace(connection=connection)
    before = {g.name: set(g.permissions.all()) for g in Group.objects.all()}
    permission_count = Permission.objects.count()

    groups_migration.create_groups(app_models, editor)
    staff_accounts_migration.grant(app_models, editor)
    again = {g.name: set(g.permissions.all()) for g in Group.objects.all()}
    groups_migration.delete_groups(app_models, editor)
    reversed_names = list(Group.objects.values_list("name", flat=True))
    groups_migration.create_groups(app_models, editor)
    # A later migration adds the allocation's permissions to the same groups.
    importlib.import_module("breakouts.migrations.0004_allocation_permissions").add_permissions(
        app_models, editor
    )
    staff_accounts_migration.grant(app_models, editor)
    redone = {g.name: set(g.permissions.all()) for g in Group.objects.all()}

    assert again == before
    assert reversed_names == []
    # Emailing delegates, checking in, partner leads, outcomes, surveys and questions are
    # granted by the mailings, checkin, partners, outcomes, feedback and questions apps' own
    # migrations, teams, the report for the board and the audit log by symposium's own
    # later migrations, not redone here.
    own_migrations = ("mailings", "checkin", "partners", "outcomes", "feedback", "questions")
    assert redone == {
        name: {
            perm
            for perm in perms
            if perm.content_type.app_label not in own_migrations
            and (perm.content_type.app_label, perm.codename) not in TEAMS | BOARD_REPORTS | AUDIT
        }
        for name, perms in before.items()
    }
    assert Permission.objects.count() == permission_count
    assert apps.get_app_config("symposium").models_module.__name__ == "symposium.models"


def test_agenda_inline_offers_only_the_events_rooms(organiser_client):
    room = RoomFactory()
    RoomFactory()  # another event's room

    response = organiser_client.get(admin_url(Event, "change", room.event.pk))

    agenda = next(
        formset
        for formset in response.context["inline_admin_formsets"]
        if formset.opts.model is AgendaItem
    )
    assert list(agenda.formset.empty_form.fields["room"].queryset) == [room]


def event_form_data(event, agenda_rows):
    """What the event's change page posts: the event, its rooms and new agenda rows."""
    opens, closes = event.registration_opens_at, event.registration_closes_at
    data = {
        "name": event.name,
        "slug": event.slug,
        "summary": event.summary,
        "audience": event.audience,
        "is_published": "on",
        "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat(),
        "venue_name": event.venue_name,
        "venue_address": event.venue_address,
        "registration_opens_at_0": f"{opens:%Y-%m-%d}",
        "registration_opens_at_1": f"{opens:%H:%M:%S}",
        "registration_closes_at_0": f"{closes:%Y-%m-%d}",
        "registration_closes_at_1": f"{closes:%H:%M:%S}",
        "delegate_capacity": event.delegate_capacity,
        "contact_email": event.contact_email,
        "privacy_notice": event.privacy_notice,
        "accessibility_statement": "",
        "retention_days": event.retention_days,
        "breakout_allocation": event.breakout_allocation,
        "rooms-INITIAL_FORMS": 0,
        "rooms-TOTAL_FORMS": 0,
        "agenda_items-INITIAL_FORMS": 0,
        "agenda_items-TOTAL_FORMS": len(agenda_rows),
        "themes-INITIAL_FORMS": 0,
        "themes-TOTAL_FORMS": 0,
    }
    for index, (room, starts, ends, title) in enumerate(agenda_rows):
        prefix = f"agenda_items-{index}-"
        # A one-day event's agenda rows ask only the times of day.
        data |= {
            f"{prefix}start": starts,
            f"{prefix}end": ends,
            f"{prefix}room": room.pk,
            f"{prefix}kind": "plenary",
            f"{prefix}title": title,
        }
    return data


def test_agenda_inline_refuses_two_new_rows_overlapping_in_one_room(organiser_client):
    room = RoomFactory(name="Nave")
    rows = [(room, "10:00", "11:00", "Welcome"), (room, "10:30", "11:30", "Keynote")]

    response = organiser_client.post(
        admin_url(Event, "change", room.event.pk), event_form_data(room.event, rows)
    )

    assert response.status_code == 200
    message = (
        "Nave is booked twice in this agenda: “Keynote” (10:30–11:30) overlaps "
        "“Welcome” (10:00–11:00). Choose another room or time."
    )
    assert escape(message) in response.content.decode()
    assert AgendaItem.objects.count() == 0


def test_agenda_inline_saves_back_to_back_rows_in_one_room(organiser_client):
    room = RoomFactory(name="Nave")
    rows = [(room, "10:00", "11:00", "Welcome"), (room, "11:00", "11:30", "Keynote")]

    response = organiser_client.post(
        admin_url(Event, "change", room.event.pk), event_form_data(room.event, rows)
    )

    assert response.status_code == 302
    items = AgendaItem.objects.filter(event=room.event)
    assert [(i.title, i.starts_at, i.room) for i in items] == [
        ("Welcome", event_day_at(room.event, 10), room),
        ("Keynote", event_day_at(room.event, 11), room),
    ]


def test_delegate_breakout_filter_lists_the_filtered_events_sessions(organiser_client):
    choice = BreakoutChoiceFactory()
    BreakoutChoiceFactory()  # a delegate in another event's breakout
    session, event = choice.session, choice.delegate.event

    response = organiser_client.get(
        admin_url(Delegate, "changelist"),
        {"event__id__exact": event.pk, "breakout": session.pk},
    )

    breakout_filter = next(
        spec
        for spec in response.context["cl"].filter_specs
        if getattr(spec, "parameter_name", None) == "breakout"
    )
    label = f"{event.name}: {session.theme.title} ({session.agenda_item.title})"
    assert breakout_filter.lookup_choices == [(str(session.pk), label)]
    assert list(response.context["cl"].result_list) == [choice.delegate]


def test_delegate_breakout_filter_without_event_lists_every_session(organiser_client):
    first, second = BreakoutSessionFactory(), BreakoutSessionFactory()
    delegate = DelegateFactory(event=second.theme.event)
    BreakoutChoiceFactory(session=second, delegate=delegate)
    DelegateFactory(event=second.theme.event)

    response = organiser_client.get(admin_url(Delegate, "changelist"), {"breakout": second.pk})

    breakout_filter = next(
        spec
        for spec in response.context["cl"].filter_specs
        if getattr(spec, "parameter_name", None) == "breakout"
    )
    assert [pk for pk, _ in breakout_filter.lookup_choices] == [str(first.pk), str(second.pk)]
    assert list(response.context["cl"].result_list) == [delegate]


def test_delegate_page_shows_needs_and_breakouts_to_organiser(organiser_client):
    delegate = make_delegate()

    response = organiser_client.get(admin_url(Delegate, "change", delegate.pk))

    inlines = [formset.opts.model for formset in response.context["inline_admin_formsets"]]
    assert inlines == [DelegateNeeds, BreakoutChoice]


def test_delegate_page_hides_needs_from_staff_without_needs_permission(client, db):
    user = staff_user()
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_delegate", "change_delegate"])
    )
    client.force_login(user)
    delegate = make_delegate()

    response = client.get(admin_url(Delegate, "change", delegate.pk))

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"] == []
    assert "Step-free access" not in response.content.decode()
