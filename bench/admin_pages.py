"""Server times of the organisers' admin pages on the 5,000-delegate bench event.

    .venv/bin/python -u bench/admin_pages.py [--requests 30] [--skip-build]

Needs PostgreSQL: DATABASE_URL, by default postgres://postgres@127.0.0.1:5432/symposium_bench
(created and migrated if need be). The large event of bench/bigevent.py is built unless it
is there already (`make bench` has just built it) or --skip-build is given. Each page is
requested in this process through Django's test client as an organiser (a staff account
in "Organisers", not a superuser), with DEBUG off: the time is the server's, from the
request entering the middleware to the response rendered, without network or browser.
Each page is read 3 times to warm up, then timed --requests times; its query count is
that of the last request, and must not grow with the event.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/symposium_bench"
TARGET_P95_MS = 300


def setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.update(
        DEBUG="false",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-key-" + "x" * 40),
        ALLOWED_HOSTS="testserver,127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"),
        DJANGO_SETTINGS_MODULE="symposium.settings",
    )
    from bench.export import create_database

    create_database()
    import django

    django.setup()


def bench_event(skip_build):
    from django.core.management import call_command

    from bench import bigevent
    from symposium.models import Event

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    if not skip_build and not Event.objects.filter(slug=bigevent.BIG_SLUG).exists():
        print("Building the 5,000-delegate bench event…")
        bigevent.build_large_event()
    return Event.objects.get(slug=bigevent.BIG_SLUG)


def organiser():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from symposium import teams

    user, _ = get_user_model().objects.get_or_create(
        username="bench-organiser", defaults={"is_staff": True}
    )
    user.groups.add(Group.objects.get(name="Organisers"))
    teams.all_events_team().members.add(user)
    return user


def pages(event):
    from django.urls import reverse

    from breakouts.models import BreakoutSession, Theme
    from symposium.models import Delegate

    delegate = Delegate.objects.filter(event=event).order_by("pk").first()
    theme = Theme.objects.filter(event=event).order_by("number").first()
    session = BreakoutSession.objects.filter(theme__event=event).order_by("pk").first()
    by_event = f"?event__id__exact={event.pk}"
    return {
        "admin index (event cards)": reverse("admin:index"),
        "event (60-item agenda)": reverse("admin:symposium_event_change", args=[event.pk]),
        "delegates of the event": reverse("admin:symposium_delegate_changelist") + by_event,
        "delegate": reverse("admin:symposium_delegate_change", args=[delegate.pk]),
        "delegate search": reverse("admin:symposium_delegate_changelist") + by_event + "&q=Smith",
        "theme with sessions": reverse("admin:breakouts_theme_change", args=[theme.pk]),
        "breakout sessions": reverse("admin:breakouts_breakoutsession_changelist")
        + f"?theme__event__id__exact={event.pk}",
        "breakout session": reverse("admin:breakouts_breakoutsession_change", args=[session.pk]),
        "breakout choices": reverse("admin:breakouts_breakoutchoice_changelist")
        + f"?delegate__event__id__exact={event.pk}",
        "agenda items": reverse("admin:symposium_agendaitem_changelist") + by_event,
        "copy the event": reverse("admin:console-copy-event", args=[event.pk]),
    }


def measure(client, url, requests):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return times, len(queries)


def p95(times):
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()
    setup()
    from django.test import Client

    event = bench_event(args.skip_build)
    client = Client()
    client.force_login(organiser())
    print(f"\nAdmin pages, server time in ms ({args.requests} requests each, as an organiser)")
    print(f"{'page':<28} {'median':>8} {'p95':>8} {'queries':>8}")
    slow = []
    for name, url in pages(event).items():
        times, queries = measure(client, url, args.requests)
        print(f"{name:<28} {statistics.median(times):8.1f} {p95(times):8.1f} {queries:8d}")
        if p95(times) > TARGET_P95_MS:
            slow.append(name)
    verdict = (
        f"over the {TARGET_P95_MS} ms p95 target: {', '.join(slow)}"
        if slow
        else (f"every page within the {TARGET_P95_MS} ms p95 target")
    )
    print(verdict)


if __name__ == "__main__":
    main()
