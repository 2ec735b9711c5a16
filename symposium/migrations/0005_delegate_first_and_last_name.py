import django.core.validators
from django.db import migrations, models

import symposium.models
import symposium.validators
from symposium.migration_helpers import name_sorting

ONE_LINE = symposium.validators.one_line()


def split_full_names(apps, schema_editor):
    """ "Priya O'Neill" -> Priya / O'Neill; a single name becomes the last name, which is
    what the desk sorts and searches by."""
    Delegate = apps.get_model("symposium", "Delegate")
    delegates = list(Delegate.objects.only("pk", "full_name"))
    for delegate in delegates:
        first, _, last = delegate.full_name.strip().rpartition(" ")
        delegate.first_name, delegate.last_name = first.strip()[:100], last[:100]
    Delegate.objects.bulk_update(delegates, ["first_name", "last_name"], batch_size=500)


def join_names(apps, schema_editor):
    Delegate = apps.get_model("symposium", "Delegate")
    delegates = list(Delegate.objects.only("pk", "first_name", "last_name"))
    for delegate in delegates:
        delegate.full_name = " ".join(p for p in (delegate.first_name, delegate.last_name) if p)
    Delegate.objects.bulk_update(delegates, ["full_name"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("symposium", "0004_delegate_anonymised_at"),
    ]

    operations = [
        # ICU's collation, or a fallback where PostgreSQL has no ICU (migration_helpers).
        name_sorting(),
        migrations.AddField(
            model_name="delegate",
            name="first_name",
            field=models.CharField(blank=True, max_length=100, validators=[ONE_LINE]),
        ),
        migrations.AddField(
            model_name="delegate",
            name="last_name",
            field=models.CharField(default="", max_length=100, validators=[ONE_LINE]),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="delegate",
            name="full_name",
            field=models.CharField(max_length=200, blank=True),
        ),
        migrations.RunPython(split_full_names, join_names),
        migrations.RemoveField(model_name="delegate", name="full_name"),
        migrations.AlterModelOptions(
            name="delegate",
            options={
                "ordering": [
                    symposium.models.NameCollate("last_name"),
                    symposium.models.NameCollate("first_name"),
                    "pk",
                ],
                "permissions": [("export_attendees", "Can export attendees")],
            },
        ),
        migrations.AlterField(
            model_name="delegateneeds",
            name="access_needs",
            field=models.TextField(
                blank=True,
                max_length=2000,
                validators=[
                    django.core.validators.MaxLengthValidator(2000),
                    symposium.validators.plain_text(),
                ],
            ),
        ),
        migrations.AlterField(
            model_name="delegate",
            name="organisation",
            field=models.CharField(max_length=200, validators=[ONE_LINE]),
        ),
        migrations.AlterField(
            model_name="delegate",
            name="job_title",
            field=models.CharField(blank=True, max_length=200, validators=[ONE_LINE]),
        ),
        migrations.AlterField(
            model_name="delegateneeds",
            name="dietary_details",
            field=models.CharField(blank=True, max_length=300, validators=[ONE_LINE]),
        ),
        migrations.AlterField(
            model_name="delegate",
            name="organisation",
            field=models.CharField(max_length=200, validators=[ONE_LINE]),
        ),
        migrations.AlterField(
            model_name="delegate",
            name="job_title",
            field=models.CharField(blank=True, max_length=200, validators=[ONE_LINE]),
        ),
        migrations.AlterField(
            model_name="delegateneeds",
            name="dietary_details",
            field=models.CharField(blank=True, max_length=300, validators=[ONE_LINE]),
        ),
    ]
