"""The facilitator's link (their email, a key that revokes links sent), the "Can
publish outcomes" permission, and the Organisers group given the outcomes' permissions.
Expand only: new nullable or defaulted columns (the table is new, so one default key
for rows already there is none)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

import symposium.models

MODELS = ["sessionoutcome", "action", "pledge"]
WANTED = [f"{verb}_{model}" for model in MODELS for verb in ("add", "change", "delete", "view")]
WANTED.append("publish_sessionoutcome")


def _permissions(apps, using):
    app_config = apps.get_app_config("outcomes")
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
        content_type__app_label="outcomes", codename__in=WANTED
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
        content_type__app_label="outcomes", codename__in=WANTED
    )
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.using(using).filter(name="Organisers"):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):

    dependencies = [
        ("outcomes", "0001_initial"),
        ("symposium", "0003_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='sessionoutcome',
            options={'ordering': ['session__agenda_item__starts_at', 'session__theme__number', 'pk'], 'permissions': [('publish_sessionoutcome', 'Can publish outcomes')]},
        ),
        migrations.AddField(
            model_name='sessionoutcome',
            name='access_key',
            field=models.CharField(default=symposium.models.new_access_key, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name='sessionoutcome',
            name='facilitator_email',
            field=models.EmailField(blank=True, help_text="Where their link to record this session's outcomes is sent.", max_length=254, verbose_name="facilitator's email"),
        ),
        migrations.AddField(
            model_name='sessionoutcome',
            name='link_sent_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='link last emailed'),
        ),
        migrations.RunPython(grant, revoke),
    ]
