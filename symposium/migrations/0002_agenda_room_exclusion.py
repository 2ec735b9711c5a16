from django.db import migrations

from symposium.migration_helpers import postgres_only


class Migration(migrations.Migration):
    dependencies = [("symposium", "0001_initial")]

    operations = [
        postgres_only("CREATE EXTENSION IF NOT EXISTS btree_gist", "SELECT 1"),
        postgres_only(
            """
            ALTER TABLE symposium_agendaitem
            ADD CONSTRAINT agenda_item_room_not_double_booked
            EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
            WHERE (room_id IS NOT NULL)
            """,
            "ALTER TABLE symposium_agendaitem "
            "DROP CONSTRAINT agenda_item_room_not_double_booked",
        ),
    ]
