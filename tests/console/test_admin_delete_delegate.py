"""A registration deleted in the admin goes as one its delegate erases: the name out of
the admin's history (this deletion's own entry too), the place to the waitlist unless
the event is over, and what other apps keep that names them (a badge run's PDF)."""

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from checkin.models import BadgeRun
from registration import privacy
from symposium.enums import RegistrationStatus
from symposium.models import Delegate
from tests.factories import DelegateFactory, EventFactory
from tests.helpers import admin_url

pytestmark = [pytest.mark.django_db]


def test_deleting_a_delegate_in_the_admin_leaves_their_name_nowhere_in_its_history(
    organiser_client, post
):
    ana = DelegateFactory(full_name="Ana Able", organisation="Kent County Council")

    response = post(admin_url(Delegate, "delete", ana.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Delegate.objects.filter(pk=ana.pk).exists()
    assert LogEntry.objects.exists()  # the deletion was logged...
    assert not [entry for entry in LogEntry.objects.all() if "Able" in entry.object_repr]


def test_deleting_a_delegate_after_the_event_gives_their_place_to_nobody(
    organiser_client, post, mailoutbox
):
    past = EventFactory(starts_on=timezone.localdate() - dt.timedelta(days=10), delegate_capacity=1)
    ana = DelegateFactory(event=past, full_name="Ana Able")
    waiting = DelegateFactory(event=past, status=RegistrationStatus.WAITLISTED)
    mailoutbox.clear()

    post(admin_url(Delegate, "delete", ana.pk), {"post": "yes"})

    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.WAITLISTED
    assert mailoutbox == []


def test_a_badge_run_goes_when_a_delegate_it_names_is_erased_or_the_event_purged():
    event = EventFactory()
    ana, _bo = DelegateFactory.create_batch(2, event=event)
    BadgeRun.objects.create(event=event, scope="all", pdf=b"%PDF names")

    privacy.erase_registration(delegate=ana)
    assert not BadgeRun.objects.exists()

    BadgeRun.objects.create(event=event, scope="all", pdf=b"%PDF names")
    privacy.purge_event(event=event)
    assert not BadgeRun.objects.exists()
