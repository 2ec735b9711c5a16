"""The "Organisers" and "Event staff" groups with their permissions.

On a fresh database the permissions do not exist yet while migrations run (Django makes
them after `migrate`, on post_migrate), so they are made here first; both steps only add
what is missing, so running this again changes nothing.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

APPS = ["symposium", "speakers", "breakouts"]

MANAGED_MODELS = {
    "symposium": ["event", "room", "agendaitem", "delegate", "delegateneeds"],
    "speakers": ["speaker", "presentation", "presentationspeaker"],
    "breakouts": ["theme", "breakoutsession", "breakoutchoice"],
}
ACTIONS = ["add", "change", "delete", "view"]
EXPORT = ("symposium", "export_attendees")


def organiser_permissions():
    perms = [
        (app, f"{action}_{model}")
        for app, models in MANAGED_MODELS.items()
        for model in models
        for action in ACTIONS
    ]
    return [*perms, ("symposium", "view_exportrecord"), EXPORT]


def event_staff_permissions():
    perms = [(app, f"view_{model}") for app, models in MANAGED_MODELS.items() for model in models]
    return [*perms, ("symposium", "view_exportrecord"), EXPORT]


GROUPS = {"Organisers": organiser_permissions, "Event staff": event_staff_permissions}


def make_permissions(apps, using):
    for label in APPS:
        app_config = apps.get_app_config(label)
        # create_permissions skips app configs without a models module, which the
        # migration state's stand-in configs never have.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0, using=using)
        finally:
            app_config.models_module = models_module


def find_permissions(Permission, wanted, using):
    found = {
        (perm.content_type.app_label, perm.codename): perm
        for perm in Permission.objects.using(using)
        .filter(content_type__app_label__in=APPS)
        .select_related("content_type")
    }
    missing = sorted(set(wanted) - set(found))
    if missing:
        raise RuntimeError(f"Permissions missing after create_permissions: {missing}")
    return [found[key] for key in wanted]


def create_groups(apps, schema_editor):
    using = schema_editor.connection.alias
    make_permissions(apps, using)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in GROUPS.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.add(*find_permissions(Permission, wanted(), using))


def delete_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("symposium", "0002_agenda_room_exclusion"),
        ("speakers", "0002_speaker_exclusion"),
        ("breakouts", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
