"""Load benchmark: the portal under gunicorn, production settings, PostgreSQL and Redis.

    .venv/bin/python bench/load.py [--seconds 10] [--concurrency 10] [--skip-build]

1. Creates and migrates the database (DATABASE_URL, by default symposium_bench), loads
   the demo and builds a large event (bench/bigevent.py) and a small one for the rush.
2. Starts gunicorn (symposium/gunicorn.conf.py) with DEBUG off on 127.0.0.1, cache and
   sessions in Redis (REDIS_URL, by default database 14 of the local Redis, flushed),
   emails built but not sent, and plain http (the secure-cookie settings turned off).
3. Drives it from this process with aiohttp clients: each page for --seconds, then
   full registrations (GET the form, POST it with its CSRF token), and prints a table.
   Throughput is also given as a ratio of /healthz in the same run, which compares
   across machines better than requests per second do.
4. The rush: two app servers (rate limits on, behind a pretend load balancer that sets
   X-Forwarded-For) take --rush-delegates registrations for one breakout session of
   40 places, arriving within --rush-seconds; the confirmed count is read back from
   the database.
"""

import argparse
import asyncio
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import driver  # noqa: E402
from bench.export import create_database  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/symposium_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"
GUNICORN = [str(Path(sys.executable).parent / "gunicorn"), "-c", "symposium/gunicorn.conf.py"]
PORT = 8100
RUSH_PORTS = (8101, 8102)


def server_env(**extra):
    """Production settings, on plain http at 127.0.0.1."""
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key-" + "x" * 40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "CACHE_KEY_PREFIX": "bench",
        "SITE_URL": f"http://127.0.0.1:{PORT}",
        **extra,
    }


def child_setup(args):
    """In a child process: migrate, demo, bench events, collectstatic; JSON to stdout."""
    os.environ.update(server_env())
    os.environ["DJANGO_SETTINGS_MODULE"] = "symposium.settings"
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection

    from bench import bigevent

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    call_command("loaddemo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    tokens = bigevent.build_large_event() if not args.skip_build else None
    rush = bigevent.build_rush_event(capacity=args.rush_capacity)
    # Bulk-loaded rows: statistics and the visibility map, as autovacuum would soon make.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    cache.clear()  # bulk_create sends no signals: drop every cached page
    print(json.dumps({"tokens": tokens, "rush": rush}))


def start_server(port, **env):
    process = subprocess.Popen(
        [*GUNICORN, "--bind", f"127.0.0.1:{port}", "symposium.wsgi"],
        cwd=ROOT,
        env=server_env(**env),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    sys.exit(f"gunicorn on port {port} did not answer /healthz within 60 s")


def stop(process):
    process.terminate()
    process.wait(timeout=30)


async def measure_pages(base, tokens, args):
    big = f"{base}/events/bench-large"
    pages = [
        ("/healthz", f"{base}/healthz"),
        ("event home", f"{big}/"),
        ("agenda", f"{big}/agenda/"),
        ("speakers", f"{big}/speakers/"),
        ("breakouts", f"{big}/breakouts/"),
        ("registration form (GET)", f"{big}/register/"),
    ]
    conn = driver.connector()
    results = []
    try:
        for name, url in pages:
            session, action = driver.page_action(conn, url)
            async with session:
                results.append(
                    await driver.sustained(
                        name, action, seconds=args.seconds, concurrency=args.concurrency
                    )
                )
        manage_urls = itertools.cycle(f"{big}/manage/{token}/" for token in tokens)
        async with driver.client(conn) as session:

            async def manage():
                status, _ = await driver.fetch(session, next(manage_urls))
                return status == 200

            results.append(
                await driver.sustained(
                    "manage page", manage, seconds=args.seconds, concurrency=args.concurrency
                )
            )
        fields = await breakout_fields(conn, f"{big}/register/")
        rng = random.Random(3)
        results.append(
            await driver.sustained(
                "full registration (GET+POST)",
                driver.registration_action(
                    conn,
                    f"{big}/register/",
                    lambda: {name: rng.choice(values) for name, values in fields.items()},
                ),
                seconds=args.seconds,
                concurrency=args.concurrency,
            )
        )
    finally:
        await conn.close()
    return results


async def breakout_fields(conn, form_url):
    """{round field name: [session pks]} read from the form, as a browser would."""
    import re

    async with driver.client(conn) as session:
        _, html = await driver.fetch(session, form_url)
    fields = {}
    for name, value in re.findall(r'name="(round_\d+)" value="(\d+)"', html):
        fields.setdefault(name, []).append(value)
    return fields


def print_table(results):
    base = results[0].per_second or float("nan")
    print(
        f"\n{'page':<30} {'req/s':>8} {'× healthz':>10} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'requests':>9} {'errors':>7}"
    )
    for stats in results:
        print(
            f"{stats.name:<30} {stats.per_second:>8.1f} {stats.per_second / base:>10.2f} "
            f"{stats.percentile(0.5):>8.1f} {stats.percentile(0.95):>8.1f} "
            f"{len(stats.latencies):>9} {stats.errors:>7}"
        )
    print("(full registration: registrations per second; one is two requests)")


def confirmed_in_database(session_pk):
    import psycopg2

    url = urlparse(os.environ["DATABASE_URL"])
    connection = psycopg2.connect(
        host=url.hostname,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname=url.path.lstrip("/"),
    )
    with connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE status = 'confirmed'), count(*) "
            "FROM breakouts_breakoutchoice WHERE session_id = %s",
            [session_pk],
        )
        confirmed, total = cursor.fetchone()
    connection.close()
    return confirmed, total


def run_rush(rush_info, args):
    servers = [
        start_server(port, WEB_CONCURRENCY="3", TRUSTED_PROXY_COUNT="1", RATELIMIT_ENABLE="true")
        for port in RUSH_PORTS
    ]
    try:
        result = asyncio.run(
            driver.rush(
                [f"http://127.0.0.1:{port}/events/bench-rush/register/" for port in RUSH_PORTS],
                delegates=args.rush_delegates,
                field_name=rush_info["field"],
                session_pk=rush_info["session"],
                spread_seconds=args.rush_seconds,
            )
        )
    finally:
        for server in servers:
            stop(server)
    confirmed, total = confirmed_in_database(rush_info["session"])
    print(
        f"\nRush: {args.rush_delegates} delegates for {args.rush_capacity} places in one "
        f"breakout, two app servers, arrivals within {args.rush_seconds:.0f} s "
        f"(done in {result.seconds:.1f} s)"
    )
    header = ["confirmed", "waitlisted", "errors", "confirmed in DB", "choices in DB"]
    print(*(f"{name:>15}" for name in header))
    figures = [result.confirmed, result.waitlisted, result.errors, confirmed, total]
    print(*(f"{figure:>15}" for figure in figures))
    print(f"HTTP statuses of the POSTs: {dict(sorted(result.statuses.items()))}")
    ok = (
        confirmed == args.rush_capacity
        and result.errors == 0
        and result.confirmed + result.waitlisted == args.rush_delegates
    )
    print("Rush: OK" if ok else "Rush: FAILED (overbooked, errors or delegates left unanswered)")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="Measured seconds per page.")
    parser.add_argument("--concurrency", type=int, default=10, help="Simultaneous clients.")
    parser.add_argument("--skip-build", action="store_true", help="Reuse the large event.")
    parser.add_argument(
        "--tokens", default=str(Path(tempfile.gettempdir()) / "symposium-bench-tokens.json")
    )
    parser.add_argument("--rush-delegates", type=int, default=400)
    parser.add_argument("--rush-capacity", type=int, default=40)
    parser.add_argument("--rush-seconds", type=float, default=20)
    parser.add_argument("--only", choices=["pages", "rush"], help="Run one part only.")
    parser.add_argument("--step", choices=["setup"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS)
    if args.step == "setup":
        child_setup(args)
        return
    create_database()
    command = [sys.executable, __file__, "--step", "setup"]
    command += ["--rush-capacity", str(args.rush_capacity)]
    command += ["--skip-build"] if args.skip_build else []
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    *lines, last = output.stdout.strip().splitlines()
    print(*lines, sep="\n")
    setup = json.loads(last)
    tokens_file = Path(args.tokens)
    if setup["tokens"]:
        tokens_file.write_text(json.dumps(setup["tokens"]))
    tokens = json.loads(tokens_file.read_text())
    ok = True
    if args.only in (None, "pages"):
        server = start_server(PORT, RATELIMIT_ENABLE="false")
        try:
            results = asyncio.run(measure_pages(f"http://127.0.0.1:{PORT}", tokens, args))
        finally:
            stop(server)
        print(
            f"\nLarge event: {os.cpu_count()} cores, {args.concurrency} clients, "
            f"{args.seconds:.0f} s per page"
        )
        print_table(results)
        ok = all(stats.errors == 0 for stats in results)
    if args.only in (None, "rush"):
        ok = run_rush(setup["rush"], args) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
