"""The portable backup in the README: `dumpdata` then `loaddata` into an emptied
database gives back the whole event, row for row. In XML: Django's JSON drops the
microseconds of every time, and waitlists are ordered by time."""

import pytest
from django.apps import apps
from django.core.management import call_command

from breakouts.models import BreakoutChoice
from speakers.models import Speaker
from symposium.models import Delegate, DelegateNeeds, Event

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# As in the README: content types and permissions are made again by `migrate`, and
# other rows refer to them by natural key.
DUMP_OPTIONS = [
    "--format=xml",
    "--natural-foreign",
    "--natural-primary",
    "--exclude=contenttypes",
    "--exclude=auth.permission",
    "--exclude=sessions",
]
REMADE_BY_MIGRATE = {"contenttypes.ContentType", "auth.Permission"}


def dump(path):
    call_command("dumpdata", *DUMP_OPTIONS, output=str(path), verbosity=0)
    return path.read_text()


def counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.label not in REMADE_BY_MIGRATE
    }


def details():
    event = Event.objects.get()
    delegates = Delegate.objects.order_by("pk")
    return {
        "event": (event.name, event.starts_on, event.delegate_capacity, event.updated_at),
        "delegates": list(delegates.values_list("email", "status", "access_key", "created_at")),
        "needs": list(
            DelegateNeeds.objects.order_by("pk").values_list("delegate__email", "access_needs")
        ),
        "choices": list(
            BreakoutChoice.objects.order_by("pk").values_list(
                "delegate__email", "session__theme__title", "status", "created_at"
            )
        ),
        "photos": sorted(Speaker.objects.values_list("slug", "photo")),
    }


def test_dumpdata_then_loaddata_into_an_empty_database_gives_back_the_whole_event(tmp_path):
    call_command("loaddemo", verbosity=0)
    before_counts, before_details = counts(), details()
    assert before_counts["symposium.Delegate"] > 0
    assert before_counts["symposium.DelegateNeeds"] > 0
    assert before_counts["breakouts.BreakoutChoice"] > 0
    assert before_counts["speakers.Speaker"] > 0
    backup = dump(tmp_path / "backup.xml")

    call_command("flush", interactive=False, verbosity=0)
    assert set(counts().values()) == {0}

    call_command("loaddata", str(tmp_path / "backup.xml"), verbosity=0)

    assert counts() == before_counts
    assert details() == before_details
    assert dump(tmp_path / "again.xml") == backup
