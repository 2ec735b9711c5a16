"""On upgrade, events to come get the survey a new event is made with; events that
have started get none, and reversing removes only what the migration made."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from feedback import services
from feedback.models import Survey
from tests.factories import EventFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

migration = importlib.import_module("feedback.migrations.0003_surveys_for_events_to_come")


def test_events_to_come_get_the_default_survey_and_reversing_removes_it():
    today = timezone.localdate()
    coming = EventFactory(starts_on=today + dt.timedelta(days=5))
    Survey.objects.filter(event=coming).delete()  # As before the feedback app.
    past = EventFactory(starts_on=today - dt.timedelta(days=5))
    assert migration.INTRO == services.DEFAULT_INTRO
    assert migration.OPEN_DAYS == services.OPEN_DAYS

    migration.forwards(apps, None)

    survey = Survey.objects.get(event=coming)
    assert (survey.is_anonymous, survey.closes_on) == (True, coming.ends_on + dt.timedelta(14))
    assert not Survey.objects.filter(event=past).exists()
    migration.forwards(apps, None)  # Again: nothing more.
    assert Survey.objects.count() == 1

    changed = EventFactory(starts_on=today + dt.timedelta(days=9))
    Survey.objects.filter(event=changed).update(intro="Our own words")
    migration.backwards(apps, None)

    assert list(Survey.objects.values_list("event", flat=True)) == [changed.pk]
