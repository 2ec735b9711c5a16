"""Organisers may create and edit accounts for their event staff (symposium.console.people
keeps them from giving anyone more than their own permissions)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WANTED = ["add_user", "change_user", "view_user", "view_group"]


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    app_config = apps.get_app_config("auth")
    # As in 0003_groups: on a fresh database the permissions are made after migrate.
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    try:
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
    finally:
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.using(using).filter(
        content_type__app_label="auth", codename__in=WANTED
    )
    for group in Group.objects.using(using).filter(name="Organisers"):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    using = schema_editor.connection.alias
    permissions = Permission.objects.using(using).filter(
        content_type__app_label="auth", codename__in=WANTED
    )
    for group in Group.objects.using(using).filter(name="Organisers"):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("symposium", "0007_event_breakout_allocation"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
