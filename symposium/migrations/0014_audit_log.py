"""The event's audit log (symposium.audit). The Organisers group may read it ("Can view
audit log entry"); nobody may change it.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

AUDIT_PERMISSIONS = ["view_auditentry"]


def forwards(apps, schema_editor):
    # As in 0003_groups: on a fresh database the permissions are made after migrate.
    using = schema_editor.connection.alias
    app_config = apps.get_app_config("symposium")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    try:
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
    finally:
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.using(using).filter(
        content_type__app_label="symposium", codename__in=AUDIT_PERMISSIONS
    )
    for group in Group.objects.using(using).filter(name="Organisers"):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("symposium", "0013_merge_20261206_0843"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                ("action", models.CharField(max_length=80)),
                ("actor_name", models.CharField(blank=True, max_length=150)),
                ("via", models.CharField(max_length=10)),
                ("object_type", models.CharField(blank=True, max_length=60)),
                ("object_id", models.CharField(blank=True, max_length=40)),
                ("object_repr", models.CharField(blank=True, max_length=200)),
                ("data", models.JSONField(blank=True, default=dict)),
                ("personal", models.JSONField(blank=True, default=dict)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="The staff account; empty for a delegate, a partner lead or the system.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "delegate",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="symposium.delegate",
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="audit_entries",
                        to="symposium.event",
                    ),
                ),
            ],
            options={
                "verbose_name": "audit log entry",
                "verbose_name_plural": "audit log",
                "ordering": ["-at", "-pk"],
                "default_permissions": ("view",),
                "indexes": [models.Index(fields=["event", "-at"], name="audit_event_at")],
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
