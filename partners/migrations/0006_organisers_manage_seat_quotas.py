"""Organisers keep seats for partners: they add, change and remove seat quotas."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WANTED = ["add_seatquota", "change_seatquota", "delete_seatquota", "view_seatquota"]


def _permissions(apps, using):
    app_config = apps.get_app_config("partners")
    # As in symposium 0003_groups: on a fresh database the permissions are made after
    # migrate, so they are made here first.
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    try:
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
    finally:
        app_config.models_module = models_module
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.using(using).filter(
        content_type__app_label="partners", codename__in=WANTED
    )


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    permissions = list(_permissions(apps, using))
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.using(using).filter(name="Organisers"):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    using = schema_editor.connection.alias
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.using(using).filter(
        content_type__app_label="partners", codename__in=WANTED
    )
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.using(using).filter(name="Organisers"):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("partners", "0005_quota_places")]

    operations = [migrations.RunPython(grant, revoke)]
