"""Joins the two lines of issue 23: partner leads (0002-0003) and seat quotas (0002)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0002_seat_quota"),
        ("partners", "0003_organisers_manage_partner_leads"),
    ]

    operations = []
