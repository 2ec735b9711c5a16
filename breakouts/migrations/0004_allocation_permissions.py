"""Organisers rank, allocate and confirm; event staff may look (as in symposium 0003)."""

import importlib

from django.db import migrations

groups_migration = importlib.import_module("symposium.migrations.0003_groups")

MODELS = ["breakoutpreference", "allocationrun"]
GROUPS = {
    "Organisers": [f"{action}_{model}" for model in MODELS for action in groups_migration.ACTIONS],
    "Event staff": [f"view_{model}" for model in MODELS],
}


def add_permissions(apps, schema_editor):
    using = schema_editor.connection.alias
    groups_migration.make_permissions(apps, using)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        wanted = [("breakouts", codename) for codename in codenames]
        group.permissions.add(*groups_migration.find_permissions(Permission, wanted, using))


def remove_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.using(schema_editor.connection.alias).filter(name__in=GROUPS):
        group.permissions.remove(
            *group.permissions.filter(content_type__app_label="breakouts", codename__in=[
                codename for codenames in GROUPS.values() for codename in codenames
            ])
        )


class Migration(migrations.Migration):
    dependencies = [
        ("symposium", "0003_groups"),
        ("breakouts", "0003_ranked_preferences"),
    ]

    operations = [migrations.RunPython(add_permissions, remove_permissions)]
