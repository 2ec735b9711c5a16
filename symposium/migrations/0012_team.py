"""Teams: which events a staff account sees (symposium.teams).

Before teams, every staff account saw every event. So that nothing changes for them on
upgrade, every staff account that is not a superuser joins the "All events" team made
here; a staff account made afterwards sees no event until it is put in a team. The
Organisers group may manage teams (console.admin.teams keeps an organiser from giving
anyone events they do not see themselves).
"""

from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

ALL_EVENTS_TEAM = "All events"
TEAM_PERMISSIONS = ["add_team", "change_team", "delete_team", "view_team"]


def _make_permissions(apps, using):
    # As in 0003_groups: on a fresh database the permissions are made after migrate.
    app_config = apps.get_app_config("symposium")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    try:
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
    finally:
        app_config.models_module = models_module


def forwards(apps, schema_editor):
    using = schema_editor.connection.alias
    Team = apps.get_model("symposium", "Team")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    team, _ = Team.objects.using(using).get_or_create(
        name=ALL_EVENTS_TEAM, defaults={"all_events": True}
    )
    staff = User.objects.using(using).filter(is_staff=True, is_superuser=False)
    team.members.add(*staff)
    _make_permissions(apps, using)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.using(using).filter(
        content_type__app_label="symposium", codename__in=TEAM_PERMISSIONS
    )
    for group in Group.objects.using(using).filter(name="Organisers"):
        group.permissions.add(*permissions)


def backwards(apps, schema_editor):
    # The table goes with the migration's CreateModel; the permissions go with it too.
    pass


class Migration(migrations.Migration):
    dependencies = [
        ("symposium", "0011_name_sort_key"),
        ("symposium", "0008_organisers_manage_staff_accounts"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Team",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, unique=True)),
                (
                    "all_events",
                    models.BooleanField(
                        default=False,
                        help_text="Every event, those added later included. Otherwise only "
                        "the events chosen below.",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "limit_events",
                    models.ManyToManyField(
                        blank=True,
                        related_name="teams",
                        to="symposium.event",
                        verbose_name="events",
                    ),
                ),
                (
                    "members",
                    models.ManyToManyField(
                        blank=True, related_name="event_teams", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={"ordering": ["name"]},
        ),
        migrations.RunPython(forwards, backwards),
    ]
