"""The "can check in" permission for the Organisers and Event staff groups.

As in symposium's 0003_groups: the permission does not exist yet while migrations run on
a fresh database, so it is made here first. Only adds what is missing.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ["Organisers", "Event staff"]
CODENAMES = ["check_in", "view_checkin", "view_walkin"]


def _make_permissions(apps, using):
    app_config = apps.get_app_config("checkin")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    try:
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
    finally:
        app_config.models_module = models_module


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    _make_permissions(apps, using)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = list(
        Permission.objects.using(using).filter(
            content_type__app_label="checkin", codename__in=CODENAMES
        )
    )
    if len(perms) != len(CODENAMES):
        raise RuntimeError("Check-in permissions missing after create_permissions")
    for name in GROUPS:
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.add(*perms)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="checkin", codename__in=CODENAMES)
    for group in Group.objects.using(schema_editor.connection.alias).filter(name__in=GROUPS):
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("checkin", "0001_check_ins_walk_ins_badge_prints"),
        ("symposium", "0003_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
