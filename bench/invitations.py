"""Time importing 5,000 personal invitations from a CSV (the issue's figure: < 10 s).

    .venv/bin/python -u bench/invitations.py [--people 5000] [--directory 500] [--runs 3]

Needs PostgreSQL: DATABASE_URL, by default
postgres://postgres@127.0.0.1:5432/symposium_bench_invitations (created and migrated if
need be), and Redis (REDIS_URL, default db 14; not flushed). Production settings (DEBUG
off). A directory of `--directory` organisations; a CSV of `--people` rows, half naming a
directory organisation (by name, alias or another spelling), the rest one it does not
know. Each run, for a fresh event:

1. service: `partners.invitations.preview_import` (read, check every row, match the
   directory) then `import_invitations` (save), timed apart;
2. admin: the organiser's two requests, through Django's test client signed in as an
   organiser: upload (the preview page, every row checked and the first rows shown),
   then confirm (checked again, saved, redirected); each timed, as the server spends
   it (no network, no browser).

Prints each run's figures and the best and worst of the runs.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/symposium_bench_invitations"


def setup_django():
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="symposium.settings",
        DEBUG="false",
        SECRET_KEY="bench-invitations-" + "k" * 40,
        RATELIMIT_ENABLE="false",
        ALLOWED_HOSTS="testserver,localhost",
    )
    sys.path.insert(0, str(ROOT))
    from bench.export import create_database

    create_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)


def directory(size):
    from partners.models import Organisation
    from symposium.enums import Sector

    sectors = list(Sector.values)
    wanted = [f"Bench partner {n:05d}" for n in range(size)]
    have = set(Organisation.objects.filter(name__in=wanted).values_list("name", flat=True))
    for n, name in enumerate(wanted):
        if name not in have:
            Organisation.objects.create(name=name, sector=sectors[n % len(sectors)])
    return wanted


def csv_of(people, names):
    lines = ["name,email,organisation"]
    for n in range(people):
        organisation = names[n % len(names)].upper() if n % 2 else f"A charity not listed {n % 97}"
        lines.append(f"Invitee {n} Person,invitee{n}@bench.example.org,{organisation}")
    return "\n".join(lines).encode()


def new_event(number):
    import datetime as dt

    from django.utils import timezone

    from symposium.models import Event

    today = timezone.localdate()
    return Event.objects.create(
        name=f"Invitations bench {number}",
        slug=f"invitations-bench-{number}-{int(time.time())}",
        starts_on=today + dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=60),
        venue_name="Bench hall",
        venue_address="1 Bench Street",
        registration_opens_at=timezone.now(),
        registration_closes_at=timezone.now() + dt.timedelta(days=50),
        delegate_capacity=6000,
    )


def organiser_client():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(
        username="bench-invitations-organiser", defaults={"is_staff": True}
    )
    user.groups.add(Group.objects.get(name="Organisers"))
    client = Client()
    client.force_login(user)
    return client


def run_service(event, data):
    from partners import invitations

    start = time.perf_counter()
    preview = invitations.preview_import(event=event, data=data)
    checked = time.perf_counter()
    created = invitations.import_invitations(event=event, rows=preview.valid, tag="bench")
    saved = time.perf_counter()
    assert len(created) == len(preview.valid) == len(preview.rows), preview.invalid[:3]
    return checked - start, saved - checked, len(created)


def run_admin(client, event, data):
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from partners.models import PersonalInvitation

    url = reverse("admin:partners_personalinvitation_import")
    start = time.perf_counter()
    upload = SimpleUploadedFile("invitees.csv", data, content_type="text/csv")
    preview = client.post(url, {"event": event.pk, "tag": "bench", "file": upload}, secure=True)
    previewed = time.perf_counter()
    assert preview.status_code == 200, preview.status_code
    carried = re.search(r'name="data" value="([^"]+)"', preview.content.decode()).group(1)
    confirmed = client.post(
        url, {"event": event.pk, "tag": "bench", "data": carried, "confirm": "1"}, secure=True
    )
    done = time.perf_counter()
    assert confirmed.status_code == 302, confirmed.status_code
    count = PersonalInvitation.objects.filter(event=event).count()
    return previewed - start, done - previewed, count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--directory", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    setup_django()
    names = directory(args.directory)
    data = csv_of(args.people, names)
    client = organiser_client()
    print(
        f"Importing {args.people:,} invitations ({len(data) / 1024:.0f} KiB of CSV; "
        f"a directory of {args.directory:,}), {args.runs} runs"
    )
    totals = {"service": [], "admin": []}
    events = []
    try:
        for number in range(args.runs):
            event = new_event(number)
            events.append(event)
            check, save, count = run_service(event, data)
            totals["service"].append(check + save)
            print(
                f"  service run {number + 1}: preview {check:.2f} s + import {save:.2f} s "
                f"= {check + save:.2f} s for {count:,}"
            )
            event = new_event(number + 100)
            events.append(event)
            upload, confirm, count = run_admin(client, event, data)
            totals["admin"].append(upload + confirm)
            print(
                f"  admin run {number + 1}: upload and preview {upload:.2f} s + confirm "
                f"{confirm:.2f} s = {upload + confirm:.2f} s for {count:,}"
            )
    finally:
        for event in events:
            event.delete()
    for name, times in totals.items():
        print(f"{name}: best {min(times):.2f} s, worst {max(times):.2f} s (target < 10 s)")


if __name__ == "__main__":
    main()
