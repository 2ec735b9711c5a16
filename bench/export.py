"""Time the attendee exports on 20,000 delegates and show how much memory they take.

    .venv/bin/python bench/export.py [--delegates 20000] [--skip-build] [--queued]

Needs PostgreSQL: DATABASE_URL, by default postgres://postgres@127.0.0.1:5432/symposium_bench.
The database is created and migrated if need be, and the bench event is rebuilt each run
with bulk_create. Each export then runs in a fresh Python process, so that one format's
memory does not count against the other: first timed without tracing, then again under
tracemalloc for the peak of Python allocations. ru_maxrss is the process's peak resident
size, Django and the libraries included (the "baseline" is that peak before the export).

With --queued, the same list also goes through the task queue as the staff page sends
one over EXPORT_IN_REQUEST_ROWS: the request's share (count, record, queue), then a
worker in a fresh process until the file is saved (worker start included), per format.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/symposium_bench"
SLUG = "bench-symposium"
ROUNDS = 3
THEMES = 6
FIRST = ["Zoë", "Siobhán", "José", "Aisha", "Oluwaseun", "Mary-Jane", "Tomasz", "Ffion", "Raj"]
LAST = ["O'Brien", "Ångström", "Nuñez", "Smith, Jr", 'Lee "Nan"', "Okafor", "Wójcik", "Jones"]


def require_postgres():
    if not os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        sys.exit("bench/export.py needs DATABASE_URL to be a PostgreSQL database.")


def setup_django():
    require_postgres()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "symposium.settings")
    os.environ.setdefault("DEBUG", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def create_database():
    require_postgres()
    import psycopg2
    from psycopg2 import sql

    url = urlparse(os.environ["DATABASE_URL"])
    name = url.path.lstrip("/")
    connection = psycopg2.connect(
        host=url.hostname,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname="postgres",
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created database {name}")
    connection.close()


def build(count):
    import datetime as dt

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from breakouts.enums import ChoiceStatus
    from breakouts.models import BreakoutChoice, BreakoutSession, Theme
    from symposium.enums import AgendaKind, DietaryRequirement, RegistrationStatus, Sector
    from symposium.models import AgendaItem, Delegate, DelegateNeeds, Event

    call_command("migrate", verbosity=0)
    rng = random.Random(20)
    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        Event.objects.filter(slug=SLUG).delete()
        event = Event.objects.create(
            name="Bench symposium",
            slug=SLUG,
            summary="Benchmark data.",
            starts_on=now.date() + dt.timedelta(days=60),
            ends_on=now.date() + dt.timedelta(days=60),
            venue_name="Bench venue",
            venue_address="Canterbury",
            registration_opens_at=now - dt.timedelta(days=30),
            registration_closes_at=now + dt.timedelta(days=30),
            delegate_capacity=count,
        )
        day = dt.datetime.combine(event.starts_on, dt.time(13), tzinfo=dt.UTC)
        rounds = AgendaItem.objects.bulk_create(
            AgendaItem(
                event=event,
                kind=AgendaKind.BREAKOUT_ROUND,
                title=f"Breakout round {n + 1}",
                starts_at=day + dt.timedelta(hours=n),
                ends_at=day + dt.timedelta(hours=n, minutes=50),
            )
            for n in range(ROUNDS)
        )
        themes = Theme.objects.bulk_create(
            Theme(event=event, number=n + 1, title=f"Theme {n + 1}: partners at work")
            for n in range(THEMES)
        )
        sessions = BreakoutSession.objects.bulk_create(
            BreakoutSession(theme=theme, agenda_item=item, capacity=count)
            for item in rounds
            for theme in themes
        )
        statuses = rng.choices(list(RegistrationStatus.values), weights=[90, 7, 3], k=count)
        delegates = Delegate.objects.bulk_create(
            (
                Delegate(
                    event=event,
                    first_name=rng.choice(FIRST),
                    last_name=f"{rng.choice(LAST)} {n}",
                    email=f"delegate{n}@example.org",
                    organisation=f"Organisation {n % 250}",
                    sector=rng.choice(Sector.values),
                    job_title="=Head of partnerships" if n % 97 == 0 else "Officer",
                    status=statuses[n],
                    privacy_consent_at=now,
                )
                for n in range(count)
            ),
            batch_size=2000,
        )
        DelegateNeeds.objects.bulk_create(
            (
                DelegateNeeds(
                    delegate=delegate,
                    dietary_requirement=rng.choice(DietaryRequirement.values),
                    dietary_details="No mushrooms",
                    access_needs="Step-free access",
                    consented_at=now,
                )
                for delegate in delegates[::5]
            ),
            batch_size=2000,
        )
        by_round = [[s for s in sessions if s.agenda_item_id == item.pk] for item in rounds]
        BreakoutChoice.objects.bulk_create(
            (
                BreakoutChoice(
                    delegate=delegate,
                    session=(session := rng.choice(by_round[n])),
                    agenda_item_id=session.agenda_item_id,
                    status=ChoiceStatus.CONFIRMED,
                )
                for delegate in delegates
                if delegate.status != RegistrationStatus.CANCELLED
                for n in range(ROUNDS)
            ),
            batch_size=5000,
        )
    print(
        f"Built {count} delegates, {len(sessions)} sessions and their choices "
        f"in {time.perf_counter() - started:.1f} s"
    )


def run_export(file_format):
    """Export every delegate with their needs; returns the size in bytes."""
    from console.exports.attendees import AttendeeFilters
    from console.exports.services import start_attendee_export
    from symposium.exports.base import file_response
    from symposium.models import Event

    event = Event.objects.get(slug=SLUG)
    filters = AttendeeFilters(include_inactive=True, include_needs=True)
    exporter = start_attendee_export(
        event=event, filters=filters, file_format=file_format, exported_by=None
    )
    response = file_response(exporter, file_format=file_format, basename="bench")
    size = sum(len(chunk) for chunk in response.streaming_content)
    response.close()
    return size


def measure_queued(file_format):
    """Queue the export as the staff page does over the threshold, then run a worker (in
    this process, as `manage.py procrastinate worker` would) until it is written."""
    from django.conf import settings
    from procrastinate.contrib.django import app

    from console.exports.attendees import AttendeeFilters
    from console.exports.services import request_attendee_export
    from symposium.models import Event, PreparedExport

    settings.EXPORT_IN_REQUEST_ROWS = 0
    started = time.perf_counter()
    prepared = request_attendee_export(
        event=Event.objects.get(slug=SLUG),
        filters=AttendeeFilters(include_inactive=True, include_needs=True),
        file_format=file_format,
        exported_by=None,
    )
    queued = time.perf_counter()
    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)
    ready = time.perf_counter()
    prepared = PreparedExport.objects.get(pk=prepared.pk)
    assert prepared.status == PreparedExport.Status.DONE, prepared.status
    print(
        json.dumps(
            {
                "format": file_format,
                "request_ms": (queued - started) * 1000,
                "seconds": ready - started,
                "bytes": prepared.size,
                "rows": prepared.done,
            }
        )
    )


def max_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure(file_format):
    """Run in a fresh process: print the figures for one format as JSON."""
    from django.db import connection

    connection.ensure_connection()
    baseline = max_rss_mib()
    started = time.perf_counter()
    size = run_export(file_format)
    seconds = time.perf_counter() - started
    rss = max_rss_mib()
    tracemalloc.start()
    run_export(file_format)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        json.dumps(
            {
                "format": file_format,
                "seconds": seconds,
                "bytes": size,
                "tracemalloc_peak_mib": peak / 2**20,
                "maxrss_mib": rss,
                "baseline_maxrss_mib": baseline,
            }
        )
    )


def child(*args):
    """Run this script again for one step: Django and the data stay out of this process,
    whose peak resident size a child started by exec would inherit."""
    result = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    )
    return result.stdout.strip().splitlines()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delegates", type=int, default=20_000)
    parser.add_argument("--skip-build", action="store_true", help="Reuse the bench event.")
    parser.add_argument("--queued", action="store_true", help="Also through the task queue.")
    parser.add_argument(
        "--step",
        choices=["build", "csv", "xlsx", "queued-csv", "queued-xlsx"],
        help=argparse.SUPPRESS,
    )
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    if args.step:
        setup_django()
        if args.step == "build":
            build(args.delegates)
        elif args.step.startswith("queued-"):
            measure_queued(args.step.removeprefix("queued-"))
        else:
            measure(args.step)
        return
    create_database()
    if not args.skip_build:
        print(*child("--step", "build", "--delegates", str(args.delegates)), sep="\n")
    print(f"{'format':<6} {'time':>8} {'size':>9} {'tracemalloc peak':>17} {'maxrss':>9}")
    for file_format in ["csv", "xlsx"]:
        figures = json.loads(child("--step", file_format)[-1])
        print(
            f"{file_format:<6} {figures['seconds']:>6.2f} s {figures['bytes'] / 2**20:>5.1f} MiB "
            f"{figures['tracemalloc_peak_mib']:>13.1f} MiB {figures['maxrss_mib']:>5.0f} MiB"
            f"  (baseline maxrss {figures['baseline_maxrss_mib']:.0f} MiB)"
        )
    if not args.queued:
        return
    print(f"{'queued':<6} {'request':>8} {'file ready':>11} {'size':>9} {'rows':>7}")
    for file_format in ["csv", "xlsx"]:
        figures = json.loads(child("--step", f"queued-{file_format}")[-1])
        print(
            f"{file_format:<6} {figures['request_ms']:>5.0f} ms {figures['seconds']:>9.2f} s "
            f"{figures['bytes'] / 2**20:>5.1f} MiB {figures['rows']:>7}"
        )


if __name__ == "__main__":
    main()
