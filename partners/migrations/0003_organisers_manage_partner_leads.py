"""Organisers add partner leads, email and revoke their links, and read their audit
(which nobody edits: its admin is read only)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WANTED = [
    "add_partnerlead",
    "change_partnerlead",
    "delete_partnerlead",
    "view_partnerlead",
    "view_partnerleadaction",
]


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
    dependencies = [
        ("partners", "0002_partner_leads"),
        ("symposium", "0008_organisers_manage_staff_accounts"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
