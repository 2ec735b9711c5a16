"""Organisers set up each event's feedback survey; event staff may look at it.

As in symposium's 0003_groups: on a fresh database the permissions do not exist yet
while migrations run, so they are made here first; running this again changes nothing.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Organisers": ["add_survey", "change_survey", "delete_survey", "view_survey"],
    "Event staff": ["view_survey"],
}


def make_permissions(apps, using):
    app_config = apps.get_app_config("feedback")
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
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.using(using).filter(
                content_type__app_label="feedback", codename__in=codenames
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    using = schema_editor.connection.alias
    for name, codenames in GRANTS.items():
        for group in Group.objects.using(using).filter(name=name):
            group.permissions.remove(
                *Permission.objects.using(using).filter(
                    content_type__app_label="feedback", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("symposium", "0003_groups"),
        ("feedback", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
