"""Retention: personal data goes `retention_days` after the event; the counts stay."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice
from registration import privacy
from symposium import tokens
from symposium.enums import RegistrationStatus, Sector
from symposium.models import Delegate, DelegateNeeds, Event, ExportRecord
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    DelegateNeedsFactory,
    EventFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 30)


def ended_event(*, days_ago, retention_days=30, **kwargs):
    ends_on = TODAY - dt.timedelta(days=days_ago)
    return EventFactory(
        starts_on=ends_on,
        ends_on=ends_on,
        registration_opens_at=timezone.make_aware(dt.datetime(2025, 1, 1)),
        registration_closes_at=timezone.make_aware(dt.datetime(2025, 1, 2)),
        retention_days=retention_days,
        **kwargs,
    )


def populate(event):
    """Two delegates with needs and breakouts, one waitlisted, one cancelled; an export."""
    session = BreakoutSessionFactory(theme=ThemeFactory(event=event, title="Health and housing"))
    ana = DelegateFactory(
        event=event,
        first_name="Ana",
        last_name="Able",
        email="ana@nhs.net",
        organisation="Kent and Medway ICB",
        sector=Sector.NHS,
        job_title="Director",
    )
    ben = DelegateFactory(
        event=event,
        first_name="Ben",
        last_name="Baker",
        email="ben@kent.police.uk",
        sector=Sector.POLICE,
    )
    DelegateFactory(
        event=event, first_name="Cat", last_name="Cole", status=RegistrationStatus.WAITLISTED
    )
    DelegateFactory(
        event=event, first_name="Dan", last_name="Dee", status=RegistrationStatus.CANCELLED
    )
    DelegateNeedsFactory(delegate=ana, access_needs="Wheelchair user")
    DelegateNeedsFactory(delegate=ben, dietary_requirement="vegan")
    BreakoutChoiceFactory(delegate=ana, session=session, status=ChoiceStatus.CONFIRMED)
    BreakoutChoiceFactory(delegate=ben, session=session, status=ChoiceStatus.WAITLISTED)
    ExportRecord.objects.create(
        event=event, export="attendees", file_format="csv", row_count=2, filters={}
    )
    return ana


def kept(event):
    """What the staff overview counts: it must survive the purge unchanged."""
    delegates = Delegate.objects.filter(event=event).order_by("pk")
    return (
        list(delegates.values_list("pk", "organisation", "sector", "status", "created_at")),
        list(
            BreakoutChoice.objects.filter(delegate__event=event)
            .order_by("pk")
            .values_list("delegate_id", "session_id", "status", "created_at")
        ),
        list(ExportRecord.objects.filter(event=event).values_list("pk", "row_count")),
    )


def snapshot(event):
    delegates = Delegate.objects.filter(event=event).order_by("pk")
    return (
        list(delegates.values()),
        list(DelegateNeeds.objects.filter(delegate__event=event).values()),
        kept(event),
    )


@pytest.fixture
def due():
    """Ended 31 days ago with 30 days' retention: the retention period has passed."""
    event = ended_event(days_ago=31, name="Past symposium", slug="past")
    populate(event)
    return event


def test_events_due_only_once_ends_on_plus_retention_has_passed():
    passed = ended_event(days_ago=31)
    ended_event(days_ago=30)  # the last day of its retention period
    ended_event(days_ago=0)
    EventFactory()  # still to come

    assert privacy.events_due_for_purge(today=TODAY) == [passed]


def test_purge_removes_needs_and_identity_and_keeps_the_counts(due):
    before = kept(due)
    keys = dict(Delegate.objects.values_list("pk", "access_key"))

    [result] = privacy.purge_due_events(today=TODAY)

    assert (result.event, result.needs_deleted, result.delegates_anonymised) == (due, 2, 4)
    assert not DelegateNeeds.objects.exists()
    assert kept(due) == before
    for delegate in Delegate.objects.all():
        assert delegate.full_name == "Anonymised delegate"
        assert delegate.email == f"delegate-{delegate.pk}@anonymised.invalid"
        assert delegate.job_title == ""
        assert delegate.access_key != keys[delegate.pk]
        assert delegate.anonymised_at is not None
    names = Delegate.objects.values_list("last_name", flat=True)
    assert set(names) == {"Anonymised delegate"}


def test_purge_leaves_events_not_yet_past_retention_untouched(due):
    recent = ended_event(days_ago=30, slug="recent")
    populate(recent)
    upcoming = EventFactory(slug="upcoming")
    populate(upcoming)
    before = [snapshot(recent), snapshot(upcoming)]

    privacy.purge_due_events(today=TODAY)

    assert [snapshot(recent), snapshot(upcoming)] == before
    assert DelegateNeeds.objects.count() == 4
    assert Delegate.objects.filter(anonymised_at__isnull=False).count() == 4


def test_purge_twice_changes_nothing_the_second_time(due):
    privacy.purge_due_events(today=TODAY)
    after_first = snapshot(due)

    assert privacy.purge_due_events(today=TODAY) == []
    assert snapshot(due) == after_first


def test_purge_kills_manage_links(client, due, settings):
    # Links would still work but for the purge.
    settings.MANAGE_LINK_DAYS_AFTER_EVENT = (timezone.localdate() - due.ends_on).days + 1
    ana = Delegate.objects.get(first_name="Ana", last_name="Able")
    url = reverse("registration:manage", args=[due.slug, tokens.make_manage_token(ana)])
    assert client.get(url).status_code == 200

    privacy.purge_due_events(today=TODAY)

    assert client.get(url).status_code == 404


def test_purge_keeps_the_staff_overview_counts(client, due):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Event staff"))
    client.force_login(user)
    url = reverse("staff:overview", args=[due.slug])
    before = client.get(url).context["overview"]

    privacy.purge_due_events(today=TODAY)

    after = client.get(url).context["overview"]
    assert after.by_sector == before.by_sector
    assert after.by_organisation == before.by_organisation
    assert after.totals == before.totals
    assert [s.places_taken for s in after.sessions] == [s.places_taken for s in before.sessions]


def test_purge_removes_names_from_the_admin_history(due):
    user = UserFactory()
    ana = Delegate.objects.get(first_name="Ana", last_name="Able")
    for obj in [ana, ana.needs, ana.breakout_choices.get()]:
        LogEntry.objects.log_actions(
            user_id=user.pk, queryset=[obj], action_flag=CHANGE, change_message="[]"
        )

    privacy.purge_due_events(today=TODAY)

    assert set(LogEntry.objects.values_list("object_repr", flat=True)) == {"Anonymised delegate"}


def test_purge_dry_run_changes_nothing(due):
    before = snapshot(due)

    [result] = privacy.purge_due_events(today=TODAY, dry_run=True)

    assert (result.needs_deleted, result.delegates_anonymised) == (2, 4)
    assert snapshot(due) == before


# The command ------------------------------------------------------------------------


def run(*args):
    out = StringIO()
    call_command("purge_personal_data", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def due_today():
    """Ended 31 days before the real today, 30 days' retention."""
    ends_on = timezone.localdate() - dt.timedelta(days=31)
    event = EventFactory(
        name="Past symposium",
        slug="past",
        starts_on=ends_on,
        ends_on=ends_on,
        registration_opens_at=timezone.now() - dt.timedelta(days=90),
        registration_closes_at=timezone.now() - dt.timedelta(days=60),
        retention_days=30,
    )
    populate(event)
    return event


def test_command_purges_and_says_what_it_did(due_today):
    output = run()

    due_on = due_today.ends_on + dt.timedelta(days=31)
    assert output == (
        f"Purged Past symposium (past; ended {due_today.ends_on:%Y-%m-%d}, retention 30 days, "
        f"due {due_on:%Y-%m-%d}): 2 delegates' dietary and access needs deleted, "
        "4 delegates anonymised, 0 emails about them deleted.\n"
    )
    assert not DelegateNeeds.objects.exists()
    assert run() == "No personal data is past its retention period.\n"


def test_command_dry_run_only_says_what_it_would_do(due_today):
    before = snapshot(due_today)

    output = run("--dry-run")

    assert output.startswith("Would purge Past symposium (past; ended ")
    assert output.endswith(
        "2 delegates' dietary and access needs deleted, 4 delegates anonymised.\n"
    )
    assert snapshot(due_today) == before


# The admin action ---------------------------------------------------------------------


def action(client, events, **extra):
    data = {"action": "purge_personal_data_now", "_selected_action": [e.pk for e in events]}
    return client.post(reverse("admin:symposium_event_changelist"), data | extra)


@pytest.fixture
def just_ended():
    """Ended yesterday: retention still running, but an organiser may purge it now."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    event = EventFactory(
        name="Just ended",
        slug="just-ended",
        starts_on=yesterday,
        ends_on=yesterday,
        registration_opens_at=timezone.now() - dt.timedelta(days=30),
        registration_closes_at=timezone.now() - dt.timedelta(days=2),
    )
    populate(event)
    return event


def test_admin_action_asks_for_confirmation_first(organiser_client, just_ended):
    before = snapshot(just_ended)

    response = action(organiser_client, [just_ended])

    html = response.content.decode()
    assert response.status_code == 200
    assert "Just ended (ended" in html
    assert "2 delegates’ needs to delete, 4 delegates to anonymise" in html
    assert 'value="Yes, purge personal data now"' in html
    assert snapshot(just_ended) == before


def test_admin_action_purges_an_ended_event_once_confirmed(organiser_client, just_ended):
    before = kept(just_ended)

    response = action(organiser_client, [just_ended], post="yes")

    assert response.status_code == 302
    assert not DelegateNeeds.objects.exists()
    assert set(Delegate.objects.values_list("last_name", flat=True)) == {"Anonymised delegate"}
    assert kept(just_ended) == before
    page = organiser_client.get(response["Location"]).content.decode()
    assert "Just ended: 2 delegates&#x27; needs deleted, 4 delegates anonymised." in page


def test_admin_action_leaves_an_event_not_yet_ended(organiser_client):
    upcoming = EventFactory(name="Upcoming", slug="upcoming")
    populate(upcoming)
    before = snapshot(upcoming)

    response = action(organiser_client, [upcoming], post="yes")

    assert snapshot(upcoming) == before
    page = organiser_client.get(response["Location"]).content.decode()
    assert "Upcoming has not ended yet: nothing purged." in page


def test_admin_action_is_not_offered_to_event_staff(client, just_ended):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Event staff"))
    client.force_login(user)
    before = snapshot(just_ended)

    changelist = client.get(reverse("admin:symposium_event_changelist"))
    action(client, [just_ended], post="yes")

    assert "purge_personal_data_now" not in changelist.content.decode()
    assert snapshot(just_ended) == before
    assert Event.objects.count() == 1
