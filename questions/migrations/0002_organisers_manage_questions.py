"""Organisers write their events' registration questions and their options, and see
the answers' rows; event staff see the questions.

As in symposium's 0003_groups: on a fresh database the permissions do not exist yet
while migrations run, so they are made here first; running this again changes nothing.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITED = ["question", "questionoption"]
SEEN = ["answer"]
ORGANISERS = [f"{action}_{model}" for model in EDITED for action in ("add", "change", "delete", "view")]
ORGANISERS += [f"view_{model}" for model in SEEN]
EVENT_STAFF = [f"view_{model}" for model in EDITED]


def make_permissions(apps, using):
    app_config = apps.get_app_config("questions")
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
    for name, codenames in (("Organisers", ORGANISERS), ("Event staff", EVENT_STAFF)):
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.using(using).filter(
                content_type__app_label="questions", codename__in=codenames
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    using = schema_editor.connection.alias
    for group in Group.objects.using(using).filter(name__in=["Organisers", "Event staff"]):
        group.permissions.remove(
            *Permission.objects.using(using).filter(content_type__app_label="questions")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("symposium", "0003_groups"),
        ("questions", "0001_questions_options_answers"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
