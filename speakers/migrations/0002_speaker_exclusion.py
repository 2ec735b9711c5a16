from django.db import migrations

from symposium.migration_helpers import postgres_only


class Migration(migrations.Migration):
    dependencies = [
        ("speakers", "0001_initial"),
        ("symposium", "0002_agenda_room_exclusion"),
    ]

    operations = [
        postgres_only(
            """
            ALTER TABLE speakers_presentationspeaker
            ADD CONSTRAINT speaker_not_in_two_places
            EXCLUDE USING gist (
                speaker_id WITH =,
                tstzrange(starts_at, ends_at, '[)') WITH &&,
                agenda_item_id WITH <>
            )
            """,
            "ALTER TABLE speakers_presentationspeaker DROP CONSTRAINT speaker_not_in_two_places",
        ),
    ]
