"""The record of each mailing in the admin, for organisers only, purged with the
event's personal data."""

import datetime as dt
import importlib
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.utils import timezone

from mailings import services
from mailings.enums import MailingStatus
from mailings.models import InvitationCopy, InvitationRun, Mailing, Recipient
from registration.privacy import purge_event
from tests.factories import DelegateFactory, EventFactory, UserFactory
from tests.helpers import admin_url, staff_user
from tests.mailings.conftest import make_mailing

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

LONDON = ZoneInfo("Europe/London")
grant_migration = importlib.import_module("mailings.migrations.0002_organisers_can_email_delegates")


@pytest.fixture
def event_staff_client(client, db):
    user = staff_user(groups=["Event staff"])
    client.force_login(user)
    return client


@pytest.fixture
def sent(world, settings):
    settings.SEND_MAIL_ON_COMMIT = False
    mailing = make_mailing(world["event"], author=UserFactory(username="olivia"))
    services.schedule(mailing=mailing, send_at=timezone.now())
    services.run_scheduler()
    mailing.refresh_from_db()
    return mailing


def test_every_mailings_model_is_in_the_admin():
    models = set(apps.get_app_config("mailings").get_models())

    assert models == {Mailing, Recipient, InvitationRun, InvitationCopy}
    assert all(admin.site.is_registered(model) for model in models)


def test_only_organisers_can_email_delegates(db):
    holders = Group.objects.filter(permissions__codename="email_delegates")

    assert list(holders.values_list("name", flat=True)) == ["Organisers"]


def test_the_grant_runs_again_and_reverses(db):
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    state = MigrationLoader(connection).project_state(
        ("mailings", "0002_organisers_can_email_delegates")
    )
    with connection.schema_editor() as editor:
        grant_migration.grant(state.apps, editor)
        assert (
            Group.objects.get(name="Organisers")
            .permissions.filter(codename="email_delegates")
            .count()
            == 1
        )
        grant_migration.revoke(state.apps, editor)
        assert not Group.objects.filter(permissions__codename="email_delegates").exists()
        grant_migration.grant(state.apps, editor)
    assert Group.objects.filter(permissions__codename="email_delegates").count() == 1


def test_event_staff_are_refused_everywhere(world, event_staff_client, sent):
    urls = [
        admin_url(Mailing, "changelist"),
        admin_url(Mailing, "add"),
        admin_url(Mailing, "change", sent.pk),
        f"/admin/mailings/mailing/{sent.pk}/send/",
        admin_url(Recipient, "changelist"),
    ]

    codes = [event_staff_client.get(url).status_code for url in urls]
    post = event_staff_client.post(f"/admin/mailings/mailing/{sent.pk}/send/", {"action": "test"})

    assert codes == [403] * 5
    assert post.status_code == 403


def test_event_staff_cannot_schedule_a_draft(world, event_staff_client, settings):
    draft = make_mailing(world["event"])

    response = event_staff_client.post(
        f"/admin/mailings/mailing/{draft.pk}/send/", {"action": "send_now"}
    )

    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == MailingStatus.DRAFT


def test_the_record_shows_audience_author_times_and_progress(organiser_client, sent):
    changelist = organiser_client.get(admin_url(Mailing, "changelist"))
    change = organiser_client.get(admin_url(Mailing, "change", sent.pk))

    assert changelist.status_code == 200
    assert "3 / 3" in changelist.text
    assert change.status_code == 200
    assert change.context["has_change_permission"] is False  # A record, no longer a draft.
    assert "olivia" in change.text
    assert "3 queued for sending" in change.text
    assert f'href="/admin/mailings/recipient/?mailing__id__exact={sent.pk}"' in change.text


def test_each_recipients_status_is_listed(world, organiser_client, sent):
    response = organiser_client.get(
        admin_url(Recipient, "changelist") + f"?mailing__id__exact={sent.pk}"
    )

    assert response.status_code == 200
    assert response.context["cl"].result_count == 3
    assert response.text.count("Queued for sending") >= 3


def test_the_send_page_shows_the_count_and_a_preview_for_a_chosen_delegate(world, organiser_client):
    mailing = make_mailing(world["event"], body="Hello {first_name}")
    eve = world["people"]["eve"]

    response = organiser_client.get(
        f"/admin/mailings/mailing/{mailing.pk}/send/", {"delegate": eve.pk}
    )

    assert response.status_code == 200
    assert response.context["audience_count"] == 3
    assert "<strong>3</strong> delegates" in response.text
    assert "<p>Hello Eve</p>" in response.text


def test_scheduling_is_in_uk_time(world, organiser_client):
    mailing = make_mailing(world["event"])
    url = f"/admin/mailings/mailing/{mailing.pk}/send/"
    next_summer = timezone.localdate().year + 1

    response = organiser_client.post(
        url, {"action": "schedule", "send_at": f"{next_summer}-06-01T09:30"}
    )

    assert response.status_code == 302
    mailing.refresh_from_db()
    assert mailing.status == MailingStatus.SCHEDULED
    assert mailing.send_at == dt.datetime(next_summer, 6, 1, 9, 30, tzinfo=LONDON)
    assert mailing.send_at.astimezone(dt.UTC).hour == 8  # British Summer Time.


def test_a_time_in_the_past_is_refused(world, organiser_client):
    mailing = make_mailing(world["event"])

    response = organiser_client.post(
        f"/admin/mailings/mailing/{mailing.pk}/send/",
        {"action": "schedule", "send_at": "2020-01-01T09:30"},
    )

    assert response.status_code == 200
    assert "Choose a time in the future, or send it now." in response.text
    mailing.refresh_from_db()
    assert mailing.status == MailingStatus.DRAFT


def test_send_now_schedules_it_for_the_next_scheduler_run(world, organiser_client):
    mailing = make_mailing(world["event"])

    organiser_client.post(f"/admin/mailings/mailing/{mailing.pk}/send/", {"action": "send_now"})

    mailing.refresh_from_db()
    assert mailing.status == MailingStatus.SCHEDULED
    assert mailing.send_at <= timezone.now()


def test_purging_the_event_removes_who_was_emailed_and_keeps_the_record(world, sent):
    world["event"].starts_on = world["event"].ends_on = timezone.localdate() - dt.timedelta(
        days=400
    )
    world["event"].save()

    purge_event(event=world["event"])

    sent.refresh_from_db()
    assert not Recipient.objects.exists()
    assert (sent.status, sent.queued, sent.total, sent.statuses) == (
        MailingStatus.SENT,
        3,
        3,
        ["confirmed"],
    )


def test_a_dry_run_purge_keeps_the_recipients(world, sent):
    purge_event(event=world["event"], dry_run=True)

    assert Recipient.objects.count() == 3


def test_the_audience_says_how_its_filters_combine(world, organiser_client):
    response = organiser_client.get(admin_url(Mailing, "add"))

    assert "Each filter narrows the audience; within one, any ticked value matches." in (
        response.text
    )


def test_a_scheduled_message_can_go_back_to_draft(world, organiser_client):
    mailing = make_mailing(world["event"])
    services.schedule(mailing=mailing, send_at=timezone.now() + dt.timedelta(days=1))

    organiser_client.post(f"/admin/mailings/mailing/{mailing.pk}/send/", {"action": "unschedule"})

    mailing.refresh_from_db()
    assert (mailing.status, mailing.send_at) == (MailingStatus.DRAFT, None)


@pytest.mark.parametrize("count", [1, 3])
def test_the_mailings_list_takes_the_same_queries_however_many(
    world, organiser_client, django_assert_num_queries, count
):
    for number in range(count):
        make_mailing(world["event"], author=UserFactory(username=f"author{number}"))
    url = admin_url(Mailing, "changelist")
    organiser_client.get(url)  # Session and permissions cached.

    with django_assert_num_queries(QUERIES["mailings"]):
        organiser_client.get(url)


@pytest.mark.parametrize("count", [1, 3])
def test_the_recipients_list_takes_the_same_queries_however_many(
    organiser_client, django_assert_num_queries, count, settings
):
    settings.SEND_MAIL_ON_COMMIT = False
    event = EventFactory()
    DelegateFactory.create_batch(count, event=event)
    services.schedule(mailing=make_mailing(event), send_at=timezone.now())
    services.run_scheduler()
    url = admin_url(Recipient, "changelist")
    organiser_client.get(url)

    with django_assert_num_queries(QUERIES["recipients"]):
        response = organiser_client.get(url)

    assert response.context["cl"].result_count == count


# Session, user, whether the user sees every event (symposium.teams), the two counts, the
# page, and the filters: never one per row.
QUERIES = {"mailings": 9, "recipients": 9}
