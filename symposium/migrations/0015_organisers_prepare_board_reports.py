"""The Organisers group may see and prepare the report for the board, and pick the
feedback quotes it shows (console.report). As 0012: the permissions are made first on a
fresh database; only what is missing is added."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = [
    ("symposium", "view_boardreport"),
    ("symposium", "add_boardreport"),
    ("feedback", "view_response"),
    ("feedback", "change_response"),
]


def _make_permissions(apps, using):
    for label in ("symposium", "feedback"):
        app_config = apps.get_app_config(label)
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0, using=using)
        finally:
            app_config.models_module = models_module


def forwards(apps, schema_editor):
    using = schema_editor.connection.alias
    _make_permissions(apps, using)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = [
        Permission.objects.using(using).get(content_type__app_label=app, codename=codename)
        for app, codename in PERMISSIONS
    ]
    for group in Group.objects.using(using).filter(name="Organisers"):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("symposium", "0014_event_copied_from_board_report"),
        ("feedback", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
