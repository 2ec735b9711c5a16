"""Check-in benchmark: the desk's list, 5 desks scanning at once on the 5,000-delegate
bench event, then name badges for the whole event as background work.

    .venv/bin/python -u bench/checkin.py [--desks 5] [--scans 600] [--skip-build]

1. In a child process (production settings): migrate, build the large event
   (bench/bigevent.py) unless --skip-build, delete its check-ins, make a desk account.
2. Starts gunicorn (symposium/gunicorn.conf.py) on 127.0.0.1:PORT.
3. Each desk is an aiohttp client signed in through the admin login. It scans its
   share of the delegates one request at a time, as an online desk does; every
   delegate is scanned by two desks (the second must get "already"), in a different
   order, so desks collide on the same badge. Then each desk sends its last 100 scans
   again in one request, as a desk coming back online resends a queue whose answer it
   never got (same nonces). Latency is measured at the client, so it is the server's
   time plus the loopback.
   Before the desks start, one desk fetches the whole list (gzip, as a browser asks);
   after they finish, it refreshes with ?since=<that version> (every scan a change)
   and once more with nothing changed: bytes on the wire and uncompressed.
4. Reads the database: standing check-ins must equal the delegates scanned (0 lost) and
   no delegate may have two (0 doubles).
5. In a fresh child process: a background badge run of every confirmed delegate
   (checkin.badges.start_badge_run, then a procrastinate worker runs the job in that
   process): its time and the process's peak resident memory.
"""

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import driver  # noqa: E402
from bench.export import create_database  # noqa: E402
from bench.load import server_env, start_server, stop  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/symposium_bench_checkin"
DEFAULT_REDIS = "redis://127.0.0.1:6379/5"
PORT = 8110
USERNAME = "bench-desk"
PASSWORD = "bench-desk-password-" + "x" * 12
CSRF = re.compile(r'data-csrf="([^"]+)"')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def django_setup():
    os.environ.update(server_env(PORT, CACHE_KEY_PREFIX="bench-checkin"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "symposium.settings"
    import django

    django.setup()


def child_setup(args):
    django_setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.core.management import call_command
    from django.db import connection

    from bench import bigevent
    from checkin.codes import check_in_code
    from checkin.models import CheckIn
    from symposium import teams
    from symposium.models import Delegate

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    if not args.skip_build:
        bigevent.build_large_event()
    CheckIn.objects.filter(delegate__event__slug=bigevent.BIG_SLUG).delete()
    user, _ = get_user_model().objects.get_or_create(username=USERNAME, defaults={"is_staff": True})
    user.set_password(PASSWORD)
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="check_in"))
    teams.all_events_team().members.add(user)  # the desk is an event of the user's teams
    delegates = Delegate.objects.filter(event__slug=bigevent.BIG_SLUG).confirmed()
    codes = [check_in_code(delegate) for delegate in delegates.only("pk", "event_id")]
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(json.dumps({"slug": bigevent.BIG_SLUG, "codes": codes}))


async def sign_in(session, base, desk_path):
    status, html = await driver.fetch(session, f"{base}/admin/login/")
    token = CSRF_INPUT.search(html).group(1)
    data = {"csrfmiddlewaretoken": token, "username": USERNAME, "password": PASSWORD}
    async with session.post(f"{base}/admin/login/", data=data, allow_redirects=False) as answer:
        await answer.read()
        assert answer.status == 302, f"sign-in failed: {answer.status}"
    status, html = await driver.fetch(session, f"{base}{desk_path}")
    assert status == 200, f"desk page: {status}"
    return CSRF.search(html).group(1)


def server_ms(response) -> float:
    return float(response.headers["Server-Timing"].rsplit("dur=", 1)[1])


async def list_bytes(session, url):
    """(bytes on the wire, bytes of JSON, the answer) of the desk's list, gzipped."""
    async with session.get(url, headers={"Accept-Encoding": "gzip"}) as r:
        assert r.status == 200, f"list: {r.status}"
        wire = int(r.headers.get("Content-Length", 0))
        body = await r.read()  # aiohttp undoes the gzip
        return wire, len(body), json.loads(body)


async def measure_list(conn, base, slug, sizes, *, since=None):
    path = f"/staff/events/{slug}/check-in/"
    async with driver.client(conn) as session:
        await sign_in(session, base, path)
        url = f"{base}{path}list.json" + (f"?since={since}" if since else "")
        wire, whole, data = await list_bytes(session, url)
        sizes.append({"wire": wire, "json": whole, "data": data})
        return data["version"]


async def desk(conn, base, slug, number, codes, stats, answers, server):
    path = f"/staff/events/{slug}/check-in/"
    async with driver.client(conn) as session:
        csrf = await sign_in(session, base, path)
        headers = {"X-CSRFToken": csrf, "Content-Type": "application/json"}
        sent = []
        for code in codes:
            scan = {"nonce": str(uuid.uuid4()), "code": code, "desk": f"Desk {number}"}
            sent.append(scan)
            body = json.dumps({"scans": [scan]})
            started = time.perf_counter()
            async with session.post(f"{base}{path}scans/", data=body, headers=headers) as r:
                result = await r.json() if r.status == 200 else None
                if result is not None:
                    server.latencies.append(server_ms(r) / 1000)
            if result is None:
                stats.failures["no answer"] += 1
                continue
            stats.latencies.append(time.perf_counter() - started)
            answers.append(result["results"][0]["status"])
        # Back online after a lost answer: the same scans again, in one request.
        body = json.dumps({"scans": sent[-100:]})
        async with session.post(f"{base}{path}scans/", data=body, headers=headers) as r:
            resent = (await r.json())["results"]
        return sum(1 for result in resent if result["status"] == "checked_in")


async def run_desks(base, slug, codes, args):
    rng = random.Random(7)
    scanned = rng.sample(codes, args.scans)
    # Each badge at two desks: desk n gets share n and share n+1 (of the next desk).
    shares = [scanned[n :: args.desks] for n in range(args.desks)]
    work = []
    for n in range(args.desks):
        mine = shares[n] + shares[(n + 1) % args.desks]
        rng.shuffle(mine)
        work.append(mine)
    stats = driver.Stats("check-in")
    server = driver.Stats("server")
    answers = []
    sizes = []
    conn = driver.connector(limit=args.desks * 2)
    try:
        version = await measure_list(conn, base, slug, sizes)
        started = time.perf_counter()
        await asyncio.gather(
            *[
                desk(conn, base, slug, n + 1, work[n], stats, answers, server)
                for n in range(args.desks)
            ]
        )
        stats.seconds = time.perf_counter() - started
        after = await measure_list(conn, base, slug, sizes, since=version)
        await measure_list(conn, base, slug, sizes, since=after)
    finally:
        await conn.close()
    return scanned, stats, answers, server, sizes


def database_counts(slug, scanned_count):
    django_setup()
    from django.db.models import Count

    from checkin.models import CheckIn

    standing = CheckIn.objects.filter(delegate__event__slug=slug, undone_at__isnull=True)
    doubles = standing.values("delegate_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    return {"standing": standing.count(), "doubles": doubles, "scanned": scanned_count}


def badges_step():
    """In a fresh process: a background badge run of all the event's confirmed
    delegates, made by a procrastinate worker in this process; JSON figures."""
    import resource

    django_setup()
    from django.db import connection
    from procrastinate.contrib.django import app

    from bench import bigevent
    from checkin import badges
    from checkin.models import BadgeRun

    connection.ensure_connection()
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    event = bigevent_event(bigevent.BIG_SLUG)
    total = len(badges.badge_delegates(event=event, scope="all"))
    started = time.perf_counter()
    run = badges.start_badge_run(event=event, scope="all", total=total)
    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    run = BadgeRun.objects.get(pk=run.pk)
    print(
        json.dumps(
            {
                "badges": run.done,
                "status": run.status,
                "seconds": seconds,
                "bytes": len(run.pdf or b""),
                "maxrss_mib": peak,
                "baseline_maxrss_mib": baseline,
            }
        )
    )


def bigevent_event(slug):
    from symposium.models import Event

    return Event.objects.get(slug=slug)


def child(*args):
    result = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True, cwd=ROOT
    )
    return result.stdout.strip().splitlines()[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--desks", type=int, default=5)
    parser.add_argument("--scans", type=int, default=600, help="Delegates scanned (twice each).")
    parser.add_argument("--skip-build", action="store_true", help="Reuse the large event.")
    parser.add_argument("--step", choices=["setup", "badges", "count"], help=argparse.SUPPRESS)
    parser.add_argument("--scanned", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--slug", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS)
    if args.step == "setup":
        return child_setup(args)
    if args.step == "badges":
        return badges_step()
    if args.step == "count":
        print(json.dumps(database_counts(args.slug, args.scanned)))
        return None
    create_database()
    setup = json.loads(child("--step", "setup", *(["--skip-build"] if args.skip_build else [])))
    config = str(ROOT / "symposium" / "gunicorn.conf.py")
    server = start_server(PORT, config, RATELIMIT_ENABLE="false", CACHE_KEY_PREFIX="bench-checkin")
    try:
        scanned, stats, answers, server_stats, sizes = asyncio.run(
            run_desks(f"http://127.0.0.1:{PORT}", setup["slug"], setup["codes"], args)
        )
    finally:
        stop(server)
    counts = json.loads(
        child("--step", "count", "--slug", setup["slug"], "--scanned", str(len(scanned)))
    )
    lost = counts["scanned"] - counts["standing"]
    full, after_scans, quiet = sizes
    print(f"\nDesk list: {len(full['data']['delegates'])} delegates")
    print(
        f"  whole list      {full['wire'] / 1024:.0f} KiB gzipped "
        f"({full['json'] / 1024:.0f} KiB JSON)"
    )
    print(
        f"  refresh         {after_scans['wire'] / 1024:.1f} KiB gzipped "
        f"({after_scans['json'] / 1024:.0f} KiB JSON) after {len(scanned)} check-ins: "
        f"{len(after_scans['data']['changed'])} changed, "
        f"{len(after_scans['data']['removed'])} removed"
    )
    print(f"  refresh, quiet  {quiet['wire'] or quiet['json']} bytes (nothing changed)")
    print(f"\nCheck-in: {args.desks} desks, {len(scanned)} delegates scanned twice each")
    print(f"  requests        {len(stats.latencies) + stats.errors} ({stats.errors} errors)")
    print(f"  check-ins/s     {stats.per_second:.0f}")
    p50, p95 = stats.percentile(0.5), stats.percentile(0.95)
    print(f"  p50 / p95       {p50:.1f} / {p95:.1f} ms (client-side, over loopback)")
    p50, p95 = server_stats.percentile(0.5), server_stats.percentile(0.95)
    print(f"  server p50/p95  {p50:.1f} / {p95:.1f} ms (Server-Timing: the view's own time)")
    print(f"  load average    {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the end")
    print(f"  max             {max(stats.latencies) * 1000:.1f} ms")
    print(f"  first scans     {answers.count('checked_in')} answered 'checked in'")
    print(f"  second scans    {answers.count('already')} answered 'already checked in'")
    print(f"  doubles         {counts['doubles']}")
    print(f"  lost            {lost}")
    badges = json.loads(child("--step", "badges"))
    print(
        f"\nBadges in the background: {badges['badges']} ({badges['status']}) in "
        f"{badges['seconds']:.1f} s, {badges['bytes'] / 2**20:.1f} MiB PDF, worker's peak RSS "
        f"{badges['maxrss_mib']:.0f} MiB (after start-up {badges['baseline_maxrss_mib']:.0f} MiB)"
    )
    ok = (
        stats.errors == 0
        and counts["doubles"] == 0
        and lost == 0
        and answers.count("checked_in") == len(scanned)
        and badges["status"] == "done"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
