"""Every event to come gets the survey a new event is made with (feedback.services.
ensure_survey): anonymous, the default introduction, closing two weeks after the event.
Events that have started or ended get none: an organiser adds one in the admin if they
want it. Reversing deletes only surveys not yet sent that still read as made here."""

import datetime as dt

from django.db import migrations
from django.utils import timezone

# As in feedback.services at the time of writing (a migration keeps its own copy).
INTRO = (
    "Thank you for coming. Your answers help us plan the next symposium and report to "
    "the partners what the day achieved."
)
OPEN_DAYS = 14


def forwards(apps, schema_editor):
    Event = apps.get_model("symposium", "Event")
    Survey = apps.get_model("feedback", "Survey")
    events = Event.objects.filter(starts_on__gt=timezone.localdate(), survey__isnull=True)
    Survey.objects.bulk_create(
        [
            Survey(
                event=event,
                is_anonymous=True,
                intro=INTRO,
                closes_on=event.ends_on + dt.timedelta(days=OPEN_DAYS),
            )
            for event in events
        ]
    )


def backwards(apps, schema_editor):
    Survey = apps.get_model("feedback", "Survey")
    Survey.objects.filter(sent_at__isnull=True, intro=INTRO, is_anonymous=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0002_organisers_manage_surveys"),
        ("symposium", "0013_merge_20261206_0843"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
