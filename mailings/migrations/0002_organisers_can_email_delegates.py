"""Organisers (and nobody else) may email delegates.

As in symposium's 0003_groups: on a fresh database the permission does not exist yet
while migrations run, so it is made here first; running this again changes nothing.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSION = "email_delegates"
GROUP = "Organisers"


def make_permissions(apps, using):
    app_config = apps.get_app_config("mailings")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    try:
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
    finally:
        app_config.models_module = models_module


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    make_permissions(apps, using)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(using).get_or_create(name=GROUP)
    group.permissions.add(
        Permission.objects.using(using).get(
            content_type__app_label="mailings", codename=PERMISSION
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    using = schema_editor.connection.alias
    for group in Group.objects.using(using).filter(name=GROUP):
        group.permissions.remove(
            *Permission.objects.using(using).filter(
                content_type__app_label="mailings", codename=PERMISSION
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("symposium", "0003_groups"),
        ("mailings", "0001_mailing_and_recipient"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
