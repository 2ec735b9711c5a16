"""Teams (symposium.teams): a staff member scoped to one event sees nothing of another,
on every page they can reach; a member of an all-events team, and a superuser, see both.

The walks go through the whole admin site's registry and every staff URL pattern, so a
page added later is walked too."""

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.forms import ModelChoiceField
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from breakouts.models import AllocationRun, BreakoutChoice, BreakoutSession
from checkin.models import BadgeRun, CheckIn, WalkIn
from console.report.selectors import report_figures as figures_of
from mailings.models import Mailing, Recipient
from outcomes.models import Action, Pledge, SessionOutcome
from symposium import audit, teams
from symposium.enums import EmailKind
from symposium.models import (
    BoardReport,
    Delegate,
    DelegateNeeds,
    Event,
    ExportRecord,
    ManageLinkEmail,
    OutboxEmail,
    PreparedExport,
    Team,
)
from tests.factories import (
    AllocationRunFactory,
    BreakoutChoiceFactory,
    BreakoutPreferenceFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    DelegateNeedsFactory,
    PresentationFactory,
    RankedEventFactory,
    RoomFactory,
    TeamFactory,
    UserFactory,
    all_events_team,
)

pytestmark = pytest.mark.django_db
User = get_user_model()


def build_event(word):
    """An event with one of everything a staff member could see, its delegates named
    with `word` so a page showing them is found by searching for it."""
    event = RankedEventFactory(name=f"{word} symposium", slug=word.lower())
    RoomFactory(event=event, name=f"{word} hall")
    session = BreakoutSessionFactory(theme__event=event, theme__title=f"{word} theme")
    PresentationFactory(agenda_item=session.agenda_item, title=f"{word} talk")
    people = [
        DelegateFactory(
            event=event,
            first_name=f"{word}ina",
            last_name=f"{word}son{n}",
            email=f"{word.lower()}{n}@example.org",
            organisation=f"{word} Borough Council",
        )
        for n in range(3)
    ]
    DelegateNeedsFactory(delegate=people[0], dietary_details=f"{word} diet")
    BreakoutChoiceFactory(delegate=people[0], session=session)
    BreakoutPreferenceFactory(delegate=people[1], session=session)
    AllocationRunFactory(event=event)
    CheckIn.objects.create(delegate=people[0], at=timezone.now(), desk="Desk 1")
    WalkIn.objects.create(delegate=people[2], desk="Desk 1")
    BadgeRun.objects.create(event=event, scope="all", status=BadgeRun.Status.DONE, pdf=b"%PDF")
    mailing = Mailing.objects.create(event=event, subject=f"{word} news", body="Hello")
    mailing.sessions.set([session])
    Recipient.objects.create(mailing=mailing, delegate=people[1])
    ExportRecord.objects.create(event=event, export=f"{word} list", file_format="csv", row_count=3)
    OutboxEmail.objects.create(kind=EmailKind.REGISTERED, delegate=people[1])
    ManageLinkEmail.objects.create(delegate=people[2])
    outcome = SessionOutcome.objects.create(
        session=session, key_points=f"{word} points", facilitator_email=f"{word}@example.org"
    )
    Action.objects.create(outcome=outcome, description=f"{word} action", organisation_name=word)
    Pledge.objects.create(outcome=outcome, text=f"{word} pledge", organisation_name=word)
    TeamFactory(name=f"{word} team", events=[event])
    audit.log_action(
        event=event,
        action="admin.changed",
        obj=people[0],
        actor=UserFactory(username=f"organiser-{word[:2].lower()}", is_staff=True),
    )
    return event


@pytest.fixture
def ours():
    return build_event("Ourwick")


@pytest.fixture
def theirs():
    return build_event("Theirby")


def words_of(event):
    """What of an event must never show on another team's page: its name, its
    delegates' names and emails, its organisations, rooms, themes, mailings."""
    word = event.name.split()[0]
    delegates = Delegate.objects.filter(event=event)
    return {word.lower()} | {d.email for d in delegates} | {d.last_name.lower() for d in delegates}


@pytest.fixture
def scoped(ours, theirs):
    """Every permission there is, on one event."""
    user = UserFactory(
        username="scoped", is_staff=True, teams=[Team.objects.get(name="Ourwick team")]
    )
    user.user_permissions.set(Permission.objects.all())
    return user


@pytest.fixture
def scoped_client(client, scoped):
    client.force_login(scoped)
    return client


def shows(response, words) -> set:
    body = response.content.decode(errors="replace").lower()
    return {word for word in words if word.lower() in body}


def their_objects(model, event):
    path = teams.event_path(model)
    if path is None:
        return []
    return list(model._default_manager.filter(**{path: event.pk})[:3])


def admin_name(model_admin, view):
    opts = model_admin.model._meta
    return f"admin:{opts.app_label}_{opts.model_name}_{view}"


def choice_fields(response):
    """Every choice of a related row on an admin form page: the form's and its inlines'."""
    context = response.context
    forms = []
    if context and context.get("adminform") is not None:
        forms.append(context["adminform"].form)
    for inline in (context.get("inline_admin_formsets") or []) if context else []:
        forms.extend(inline.formset.forms)
        forms.append(inline.formset.empty_form)
    for form in forms:
        for name, field in form.fields.items():
            if isinstance(field, ModelChoiceField):
                yield f"{type(form).__name__}.{name}", field


def assert_choices_within(response, event):
    for name, field in choice_fields(response):
        path = teams.event_path(field.queryset.model)
        if path is None:
            continue
        outside = field.queryset.exclude(**{path: event.pk})
        assert not outside.exists(), f"{name} offers another event's {outside.model.__name__}"


# The admin ------------------------------------------------------------------------


def test_the_scoped_user_sees_in_no_admin_page_another_events_rows(scoped_client, ours, theirs):
    """Walks every ModelAdmin of the site: its changelist, its add page and its
    choices, the change, delete and history pages of the other event's objects, and
    every URL of its own with an object's id."""
    secret = words_of(theirs)
    walked = 0
    for model, model_admin in admin.site._registry.items():
        changelist = scoped_client.get(reverse(admin_name(model_admin, "changelist")))
        assert changelist.status_code in (200, 403), model
        assert shows(changelist, secret) == set(), f"{model.__name__} changelist"
        filtered = scoped_client.get(
            reverse(admin_name(model_admin, "changelist")), {"q": "Theirby"}
        )
        assert shows(filtered, secret - {"theirby"}) == set(), f"{model.__name__} search"

        add = scoped_client.get(reverse(admin_name(model_admin, "add")))
        assert add.status_code in (200, 403), model
        assert shows(add, secret) == set(), f"{model.__name__} add page"
        if add.status_code == 200:
            assert_choices_within(add, ours)

        for obj in their_objects(model, theirs):
            for view in ("change", "delete", "history"):
                response = scoped_client.get(reverse(admin_name(model_admin, view), args=[obj.pk]))
                assert response.status_code in (403, 404), (model, view)
                assert shows(response, secret) == set(), (model, view)
            for pattern in model_admin.get_urls():
                if pattern.name and set(pattern.pattern.converters) == {"pk"}:
                    url = reverse(f"admin:{pattern.name}", kwargs={"pk": obj.pk})
                    for response in (scoped_client.get(url), scoped_client.post(url)):
                        assert response.status_code in (403, 404), url
                        assert shows(response, secret) == set(), url
            walked += 1

        for obj in their_objects(model, ours):
            change = scoped_client.get(reverse(admin_name(model_admin, "change"), args=[obj.pk]))
            assert change.status_code == 200, model
            assert shows(change, secret) == set(), f"{model.__name__} change page"
            assert_choices_within(change, ours)
    assert walked >= 15


def test_the_scoped_user_sees_their_own_event_in_the_admin(scoped_client, ours, theirs):
    delegates = scoped_client.get(reverse("admin:symposium_delegate_changelist"))
    index = scoped_client.get(reverse("admin:index"))

    assert delegates.context["cl"].result_count == 3
    assert shows(delegates, words_of(ours)) == words_of(ours)
    assert "Ourwick symposium" in index.content.decode()
    assert shows(index, words_of(theirs)) == set()


def test_a_filter_or_autocomplete_reaches_no_other_event(scoped_client, ours, theirs):
    changelist = reverse("admin:symposium_delegate_changelist")
    filtered = scoped_client.get(changelist, {"event__id__exact": theirs.pk})
    autocomplete = scoped_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "breakouts",
            "model_name": "breakoutchoice",
            "field_name": "delegate",
            "term": "Theirby",
        },
    )

    assert shows(filtered, words_of(theirs)) == set()
    assert autocomplete.status_code == 200
    assert autocomplete.json()["results"] == []


def test_admin_actions_leave_another_events_rows_alone(scoped_client, ours, theirs):
    delegate = Delegate.objects.filter(event=theirs).first()

    response = scoped_client.post(
        reverse("admin:symposium_delegate_changelist"),
        {"action": "cancel_registrations", "_selected_action": [delegate.pk]},
    )

    delegate.refresh_from_db()
    assert response.status_code in (200, 302)
    assert delegate.cancelled_at is None


def test_a_crafted_post_cannot_use_another_events_rows(scoped_client, ours, theirs):
    delegate = Delegate.objects.filter(event=theirs).last()

    response = scoped_client.post(
        reverse("admin:symposium_delegateneeds_add"),
        {
            "delegate": delegate.pk,
            "dietary_requirement": "vegan",
            "consented_at": "2026-01-01T10:00",
        },
    )

    assert response.status_code == 200
    assert "delegate" in response.context["adminform"].form.errors
    assert not DelegateNeeds.objects.filter(delegate=delegate).exists()


def test_a_scoped_user_adds_and_copies_no_event(scoped_client, ours, theirs):
    add = scoped_client.get(reverse("admin:symposium_event_add"))
    copy_ours = scoped_client.get(reverse("admin:console-copy-event", args=[ours.pk]))
    move_theirs = scoped_client.get(reverse("admin:console-move-delegates", args=[theirs.pk]))
    move_ours = scoped_client.get(reverse("admin:console-move-delegates", args=[ours.pk]))

    assert add.status_code == 403
    assert copy_ours.status_code == 403
    assert move_theirs.status_code == 404
    assert move_ours.status_code == 200


def test_queues_of_every_event_are_for_all_events_accounts_only(scoped_client, ours):
    names = ["mailer_message", "mailer_messagelog", "mailer_dontsendentry"]
    # Background jobs: installed on PostgreSQL only.
    names += [
        "background_backgroundjob"
        for model in admin.site._registry
        if model._meta.label == "background.BackgroundJob"
    ]
    for name in names:
        assert scoped_client.get(reverse(f"admin:{name}_changelist")).status_code == 403


# Staff pages and the desk -------------------------------------------------------


def staff_patterns():
    """Every URL pattern of the staff pages and the desk, with its name and kwargs."""
    found = []

    def walk(patterns, prefix, converters):
        for entry in patterns:
            here = converters | set(entry.pattern.converters)
            if isinstance(entry, URLResolver):
                namespace = entry.namespace or ""
                walk(entry.url_patterns, f"{prefix}{namespace}:" if namespace else prefix, here)
            elif isinstance(entry, URLPattern) and entry.name:
                found.append((f"{prefix}{entry.name}", here))

    walk(get_resolver().url_patterns, "", set())
    return [
        (name, kwargs)
        for name, kwargs in found
        if name.split(":")[0] in ("staff", "checkin") and "slug" in kwargs
    ]


def staff_url(name, kwargs, event):
    values = {"slug": event.slug}
    if "session_id" in kwargs:
        values["session_id"] = BreakoutSession.objects.filter(theme__event=event).first().pk
    if "run" in kwargs:
        values["run"] = BadgeRun.objects.filter(event=event).first().pk
    if "export" in kwargs:
        # A list made on the queue, asked for by the one signed in (only they may see it).
        record = ExportRecord.objects.filter(event=event).first()
        record.exported_by = User.objects.get(username="scoped")
        record.save()
        prepared, _ = PreparedExport.objects.get_or_create(
            record=record,
            defaults={
                "filename": "list.csv",
                "status": PreparedExport.Status.DONE,
                "content": b"a,b\r\n",
                "expires_at": timezone.now() + dt.timedelta(hours=1),
            },
        )
        values["export"] = prepared.pk
    if name == "staff:report-pdf" and not BoardReport.objects.filter(event=event).exists():
        # The PDF of a report prepared already (console.report).
        BoardReport.objects.create(
            event=event, status=BoardReport.Status.DONE, pdf=b"%PDF", figures=figures_of(event)
        )
    url = reverse(name, kwargs=values)
    if name == "staff:attendee-export":
        url += "?delegates=event&statuses=all&file_format=csv"
    return url


def test_the_scoped_user_reaches_no_staff_page_of_another_event(scoped_client, ours, theirs):
    patterns = staff_patterns()
    assert len(patterns) >= 18
    secret = words_of(theirs)
    for name, kwargs in patterns:
        if name == "checkin:service-worker":
            continue  # no sign-in, nothing of the event (checkin.views.ServiceWorker)
        url = staff_url(name, kwargs, theirs)
        post = scoped_client.post(url, '{"scans": []}', content_type="application/json")
        answers = [scoped_client.get(url), post]
        # 405 for the method the page does not take; the other is not found.
        assert sorted({response.status_code for response in answers} - {405}) == [404], url
        for response in answers:
            assert shows(response, secret) == set(), url


def test_the_scoped_user_reaches_every_staff_page_of_their_event(scoped_client, ours, theirs):
    for name, kwargs in staff_patterns():
        if name in ("checkin:badges", "checkin:service-worker"):
            continue  # a PDF made on request (tests/checkin)
        url = staff_url(name, kwargs, ours)
        response = scoped_client.get(url)
        if name == "staff:prepared-export-retry":  # a POST that goes back to the list's page
            assert scoped_client.post(url).status_code == 302, name
            continue
        if response.status_code == 405:  # scans, undo: a POST, refused as malformed
            response = scoped_client.post(url, "{}", content_type="application/json")
            assert response.status_code == 400, name
        else:
            assert response.status_code == 200, name
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"theirby" not in body.lower(), name


def test_the_staff_event_list_and_switcher_show_only_their_events(scoped_client, ours, theirs):
    listed = scoped_client.get(reverse("staff:event-list"))
    chosen = scoped_client.get(reverse("staff:event-list"), {"event": theirs.slug})
    own = scoped_client.get(reverse("staff:event", args=[ours.slug]))

    assert [event.slug for event in listed.context["events"]] == [ours.slug]
    assert chosen.status_code == 200  # no redirect to the other event
    assert [event.slug for event in own.context["staff_events"]] == [ours.slug]
    assert shows(own, {"theirby"}) == set()


# Who sees what ------------------------------------------------------------------


def test_all_events_members_and_superusers_see_both(client, ours, theirs):
    member = UserFactory(is_staff=True)  # in the All events team, as existing staff
    member.user_permissions.set(Permission.objects.all())
    superuser = UserFactory(is_staff=True, is_superuser=True)
    for user in (member, superuser):
        client.force_login(user)
        delegates = client.get(reverse("admin:symposium_delegate_changelist"))
        desk = client.get(reverse("staff:sign-in-desk", args=[theirs.slug]))
        mailing = Mailing.objects.get(subject="Theirby news")
        send = client.get(reverse("admin:mailings_mailing_send", args=[mailing.pk]))

        assert delegates.context["cl"].result_count == 6
        assert (desk.status_code, send.status_code) == (200, 200)
        assert shows(desk, words_of(theirs)) >= {
            d.last_name.lower() for d in Delegate.objects.filter(event=theirs)
        }
        assert set(teams.events_for(user)) == {ours, theirs}


def test_a_staff_account_in_no_team_sees_no_event(client, ours, theirs):
    user = UserFactory(is_staff=True, teams=[])
    user.user_permissions.set(Permission.objects.all())
    client.force_login(user)

    delegates = client.get(reverse("admin:symposium_delegate_changelist"))
    desk = client.get(reverse("checkin:desk", args=[ours.slug]))
    events = client.get(reverse("staff:event-list"))

    assert delegates.context["cl"].result_count == 0
    assert desk.status_code == 404
    assert list(events.context["events"]) == []
    assert list(teams.events_for(user)) == []


def test_teams_add_up(ours, theirs):
    user = UserFactory(is_staff=True, teams=[])
    TeamFactory(events=[ours], members=[user])
    assert list(teams.events_for(user)) == [ours]
    assert teams.can_see_event(user, ours)
    assert not teams.can_see_event(user, theirs)

    TeamFactory(events=[theirs], members=[user])
    user = type(user).objects.get(pk=user.pk)  # what one user object remembers is gone

    assert set(teams.events_for(user)) == {ours, theirs}
    assert teams.can_see_event(user, theirs)


def test_an_inactive_or_anonymous_user_sees_no_event(ours):
    from django.contrib.auth.models import AnonymousUser

    inactive = UserFactory(is_staff=True, is_active=False)

    assert list(teams.events_for(AnonymousUser())) == []
    assert list(teams.events_for(inactive)) == []


def test_each_models_way_to_its_event():
    expected = {
        Event: "pk",
        Delegate: "event",
        DelegateNeeds: "delegate__event",
        OutboxEmail: "delegate__event",
        BreakoutSession: "theme__event",
        BreakoutChoice: "delegate__event",
        WalkIn: "delegate__event",
        AllocationRun: "event",
        CheckIn: "delegate__event",
        Recipient: "mailing__event",
        Team: None,
    }

    assert {model: teams.event_path(model) for model in expected} == expected


def test_every_event_owned_admin_is_scoped():
    from console.scoping import AllEventsOnlyAdmin, EventScopedAdmin

    unscoped = [
        model.__name__
        for model, model_admin in admin.site._registry.items()
        if teams.event_path(model) is not None
        and not isinstance(model_admin, EventScopedAdmin | AllEventsOnlyAdmin)
    ]

    assert unscoped == []


# Managing teams ----------------------------------------------------------------


def test_a_scoped_organiser_manages_only_teams_of_their_events(scoped_client, scoped, ours, theirs):
    changelist = scoped_client.get(reverse("admin:symposium_team_changelist"))
    their_team = Team.objects.get(name="Theirby team")
    change = scoped_client.get(reverse("admin:symposium_team_change", args=[their_team.pk]))
    everyone = scoped_client.get(
        reverse("admin:symposium_team_change", args=[all_events_team().pk])
    )
    add = scoped_client.get(reverse("admin:symposium_team_add"))
    posted = scoped_client.post(
        reverse("admin:symposium_team_add"),
        {"name": "Sneaky", "all_events": "on", "limit_events": [theirs.pk], "members": [scoped.pk]},
    )

    assert [team.name for team in changelist.context["cl"].result_list] == ["Ourwick team"]
    assert (change.status_code, everyone.status_code) == (404, 404)
    assert list(add.context["adminform"].form.fields["limit_events"].queryset) == [ours]
    assert "all_events" not in add.context["adminform"].form.fields
    assert posted.status_code == 200  # refused: not one of their events
    assert not Team.objects.filter(name="Sneaky").exists()


def test_a_scoped_organiser_cannot_edit_an_account_that_sees_more(scoped_client, ours):
    everyone = UserFactory(is_staff=True)  # the All events team

    response = scoped_client.get(reverse("admin:auth_user_change", args=[everyone.pk]))

    assert response.context["has_change_permission"] is False


def test_the_teams_migration_puts_existing_staff_in_the_all_events_team(db):
    import importlib

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("symposium.migrations.0012_team")
    staff = UserFactory(is_staff=True, teams=[])
    visitor = UserFactory(is_staff=False)

    migration.forwards(apps, type("Editor", (), {"connection": connection})())

    team = Team.objects.get(name=teams.ALL_EVENTS_TEAM)
    assert team.all_events
    assert set(team.members.all()) == {staff}
    assert visitor not in team.members.all()


def test_the_dashboard_counts_only_their_events(scoped_client, ours, theirs):
    response = scoped_client.get(reverse("admin:index"))

    assert [card.event for card in response.context["event_cards"]] == [ours]


def test_an_old_badge_run_of_another_event_is_not_found(scoped_client, ours, theirs):
    run = BadgeRun.objects.get(event=theirs)

    response = scoped_client.get(
        reverse("checkin:badge-run-pdf", kwargs={"slug": ours.slug, "run": run.pk})
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    "url_name", ["admin:symposium_delegate_changelist", "admin:checkin_checkin_changelist"]
)
def test_a_scoped_users_changelist_runs_the_same_queries_for_one_and_five_rows(
    client, django_assert_num_queries, url_name
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    event, other = RankedEventFactory(), RankedEventFactory()
    user = UserFactory(is_staff=True, teams=[TeamFactory(events=[event])])
    user.user_permissions.set(Permission.objects.all())
    client.force_login(user)

    def add_rows():
        for target in (event, other):
            delegate = DelegateFactory(event=target)
            CheckIn.objects.create(delegate=delegate, at=timezone.now())

    add_rows()
    client.get(reverse(url_name))  # warm per-process caches
    with CaptureQueriesContext(connection) as one_row:
        client.get(reverse(url_name))
    for _ in range(4):
        add_rows()

    with django_assert_num_queries(len(one_row)):
        response = client.get(reverse(url_name))

    assert response.context["cl"].result_count == 5
