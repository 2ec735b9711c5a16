from django.db import migrations

from symposium.migration_helpers import name_sorting


class Migration(migrations.Migration):
    """The name key function beside the collation of 0005, on databases migrated before
    0005 made both (symposium.models.NameCollate sorts by the two)."""

    dependencies = [
        ("symposium", "0010_manage_link_email_cap"),
    ]

    operations = [name_sorting(reverse=False)]
