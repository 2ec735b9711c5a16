"""Organisers manage invitations (codes and personal invitations), and see the partner
directory and seat quotas they point to. As in mailings' 0002: on a fresh database the
permissions do not exist yet while migrations run, so they are made here first; running
this again changes nothing."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Organisers"
CODENAMES = [
    *(f"{action}_invitation" for action in ("add", "change", "delete", "view")),
    *(f"{action}_personalinvitation" for action in ("add", "change", "delete", "view")),
    "view_organisation",
    "view_seatquota",
]


def make_permissions(apps, using):
    app_config = apps.get_app_config("partners")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    try:
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
    finally:
        app_config.models_module = models_module


def permissions(apps, using):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.using(using).filter(
        content_type__app_label="partners", codename__in=CODENAMES
    )


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    make_permissions(apps, using)
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.using(using).get_or_create(name=GROUP)
    group.permissions.add(*permissions(apps, using))


def revoke(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.using(using).filter(name=GROUP):
        group.permissions.remove(*permissions(apps, using))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("symposium", "0003_groups"),
        ("partners", "0003_invitations"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
