"""Load benchmark: the portal under gunicorn, production settings, PostgreSQL and Redis.

    .venv/bin/python -u bench/load.py [--seconds 10] [--skip-build]
        [--only pages|registrations|rush]

1. Creates and migrates the database (DATABASE_URL, by default symposium_bench), runs
   collectstatic, loads the demo and builds the 5,000-delegate event (bench/bigevent.py)
   and a small one for the rush.
2. Starts gunicorn (symposium/gunicorn.conf.py, or --gunicorn-config) with DEBUG off on
   127.0.0.1, cache and sessions in Redis (REDIS_URL, by default database 14 of the
   local Redis, flushed), emails queued but not sent, plain http (the secure-cookie
   settings off) and bench.settings: the production settings plus two anchors, a bare
   Django view and one doing `SELECT 1`.
3. Measures each anchor, /healthz and every public page with wrk (`wrk -t2 -c16 -d10s`,
   bench/wrk.py), after a second of warm-up, and the 1-minute load average before each.
4. Registers with a browser-like client (bench/driver.py): 16 clients, each registration
   a new visitor with its own cookie jar who GETs the form and posts every field and
   token the page holds, one breakout choice per round. Any answer but the redirect to
   the done page (a 403, say) fails the benchmark. Throughout, --workers task queue
   workers (`manage.py procrastinate worker`) run and send every email to an SMTP sink
   in this process; after the burst, each registration's confirmation is counted there
   (exactly once, within 120 s of the burst's end).
5. The rush: two app servers (production settings, rate limits on, behind a pretend load
   balancer that sets X-Forwarded-For) take --rush-delegates registrations for one
   breakout session of --rush-capacity places; the database must hold exactly that
   many confirmed, the rest waitlisted.

`--only registrations`: step 4 alone, and where its CPU goes: each process group's user +
system time (/proc/<pid>/stat, bench/cpu.py) over the burst, divided by the registrations
the database holds: gunicorn, the PostgreSQL backends of this database, the task
workers, Redis and PostgreSQL's background processes (both shared with anything else on
the machine) and the driver itself (its thread's CPU time), beside the whole machine's.

Prints one table, the ratios and the issue's targets, met or missed. Exits non-zero on
any error or an inexact rush; a missed speed target is reported, not failed, since the
figures depend on what else the machine is doing.
"""

import argparse
import asyncio
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import driver, wrk  # noqa: E402
from bench.export import create_database  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/symposium_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"
BIG = "/events/bench-large"
PUBLIC_PAGES = ["event home", "agenda", "speakers", "a speaker", "breakouts"]
FORM_GET = "registration form (GET)"
REGISTRATIONS = "full registration (GET+POST)"
MANAGE = "manage page (200 delegates)"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(port, **extra):
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
        "SITE_URL": f"http://127.0.0.1:{port}",
        **extra,
    }


def child_setup(args):
    """In a child process: migrate, collectstatic, demo, bench events; JSON to stdout."""
    os.environ.update(server_env(8000))
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
    speaker = f"{bigevent.BIG_SLUG}-speaker-0"
    print(json.dumps({"tokens": tokens, "rush": rush, "speaker": speaker}))


def start_server(port, config, **env):
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [gunicorn, "-c", config, "--bind", f"127.0.0.1:{port}", "symposium.wsgi"],
        cwd=ROOT,
        env=server_env(port, **env),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if status_of(port, "/healthz") == 200:
            return process
        time.sleep(0.3)
    process.terminate()
    sys.exit(f"gunicorn on port {port} did not answer /healthz within 60 s")


def stop(process):
    process.terminate()
    process.wait(timeout=30)


def status_of(port, path):
    """The status of one GET, redirects not followed (wrk would count a 302 as served)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def load_average():
    return os.getloadavg()[0]


def targets(setup):
    """(name, paths) for wrk: the anchors, /healthz, each page, and the manage page."""
    manage = [f"{BIG}/manage/{token}/" for token in setup["tokens"]]
    return [
        ("bare Django view", ["/bench/bare"]),
        ("SELECT 1 view", ["/bench/select-1"]),
        ("/healthz", ["/healthz"]),
        ("event home", [f"{BIG}/"]),
        ("agenda", [f"{BIG}/agenda/"]),
        ("speakers", [f"{BIG}/speakers/"]),
        ("a speaker", [f"{BIG}/speakers/{setup['speaker']}/"]),
        ("breakouts", [f"{BIG}/breakouts/"]),
        (FORM_GET, [f"{BIG}/register/"]),
        (MANAGE, manage),
    ]


def measure_pages(port, setup, args):
    """One wrk run per target; a row is (result, load average before it)."""
    rows = []
    for name, paths in targets(setup):
        for path in set(paths):
            if (status := status_of(port, path)) != 200:
                sys.exit(f"{name}: GET {path} answered {status}, not 200")
        url = f"http://127.0.0.1:{port}{paths[0]}"
        extra = paths if len(paths) > 1 else ()
        wrk.run(name, url, paths=extra, seconds=1)  # fills caches; not counted
        load = load_average()
        rows.append((wrk.run(name, url, paths=extra, seconds=args.seconds), load))
        print(f"  measured {name}", flush=True)
    return rows


async def measure_registrations(port, args):
    rng = random.Random(3)
    conn = driver.connector()
    try:
        return await driver.sustained(
            REGISTRATIONS,
            driver.registration_action(
                conn,
                f"http://127.0.0.1:{port}{BIG}/register/",
                lambda options: {name: rng.choice(pks) for name, pks in options.items()},
            ),
            seconds=args.seconds,
            concurrency=args.clients,
        )
    finally:
        await conn.close()


class Sink:
    """An SMTP server that counts what it is given: (To, when) for each email."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        import email as email_module

        message = email_module.message_from_bytes(envelope.content)
        self.received.append((message["To"], time.monotonic()))
        return "250 Message accepted for delivery"


def start_workers(count, smtp_port):
    """`manage.py procrastinate worker` processes, production settings, sending to the
    sink: all background work, the emails included."""
    env = server_env(
        0,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        WORKER_LOG_LEVEL="WARNING",
    )
    return [
        subprocess.Popen(
            [sys.executable, "manage.py", "procrastinate", "worker"], cwd=ROOT, env=env
        )
        for _ in range(count)
    ]


def bench_database():
    """A psycopg2 connection of the benchmark's own to DATABASE_URL (outside Django)."""
    import psycopg2

    url = urlparse(os.environ["DATABASE_URL"])
    return psycopg2.connect(
        host=url.hostname,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname=url.path.lstrip("/"),
    )


def registered_since(started_at):
    """Addresses registered at the large event since `started_at` (database time)."""
    connection = bench_database()
    with connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.email FROM symposium_delegate d JOIN symposium_event e ON e.id = d.event_id"
            " WHERE e.slug = %s AND d.created_at >= %s",
            [BIG.rsplit("/", 1)[-1], started_at],
        )
        found = [row[0] for row in cursor.fetchall()]
    connection.close()
    return found


def count_deliveries(sink, started_at, burst_end, *, within=120):
    """Wait until every confirmation of the burst reached the sink (or `within` s after
    the burst's end); print and return (registered, delivered once, twice or more,
    missing, seconds from the burst's end to the last one)."""
    expected = set(registered_since(started_at))
    deadline = burst_end + within
    while time.monotonic() < deadline:
        delivered = {to for to, _ in sink.received}
        if expected <= delivered:
            break
        time.sleep(0.5)
    counts = {}
    last = burst_end
    for to, at in sink.received:
        if to in expected:
            counts[to] = counts.get(to, 0) + 1
            last = max(last, at)
    once = sum(1 for n in counts.values() if n == 1)
    more = sum(1 for n in counts.values() if n > 1)
    missing = len(expected - set(counts))
    after = last - burst_end
    print(
        f"\nEmails: {len(expected)} registrations in the burst; confirmations delivered to "
        f"the SMTP sink: {once} exactly once, {more} more than once, {missing} missing "
        f"after {within} s; the last {after:.1f} s after the burst ended"
    )
    return len(expected), once, more, missing, after


def run_pages(setup, args):
    from aiosmtpd.controller import Controller

    port = free_port()
    smtp_port = free_port()
    sink = Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    workers = start_workers(args.workers, smtp_port)
    server = start_server(
        port, args.gunicorn_config, DJANGO_SETTINGS_MODULE="bench.settings", RATELIMIT_ENABLE="0"
    )
    try:
        rows = measure_pages(port, setup, args)
        load = load_average()
        import datetime as dt

        started_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=2)  # + warm-up
        registrations = asyncio.run(measure_registrations(port, args))
        burst_end = time.monotonic()
        stop(server)
        emails = count_deliveries(sink, started_at, burst_end)
    finally:
        if server.poll() is None:
            stop(server)
        for worker in workers:
            stop(worker)
        smtp.stop()
    return rows, (registrations, load), emails


def database_processes():
    """{"backends": pids of this database's client backends, "background": pids of
    PostgreSQL's own processes (shared by every database on the server)}."""
    connection = bench_database()
    with connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, backend_type = 'client backend' AND datname = current_database(),"
            " backend_type <> 'client backend' FROM pg_stat_activity"
            " WHERE pid <> pg_backend_pid()"
        )
        rows = cursor.fetchall()
    connection.close()
    return {
        "backends": [pid for pid, ours, _ in rows if ours],
        "background": [pid for pid, _, background in rows if background],
    }


class LockWatch:
    """Samples this database's backends every 20 ms in a thread: how many are running a
    statement and how many of those wait for a lock (a row lock: the event's, a
    session's), to show whether the registrations queue on a lock or on the CPU."""

    def __init__(self):
        import threading

        self.samples = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        connection = bench_database()
        connection.autocommit = True
        with connection.cursor() as cursor:
            while not self._stop.wait(0.02):
                cursor.execute(
                    "SELECT count(*) FILTER (WHERE state = 'active'),"
                    " count(*) FILTER (WHERE state = 'active' AND wait_event_type = 'Lock')"
                    " FROM pg_stat_activity WHERE datname = current_database()"
                    " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
                )
                self.samples.append(cursor.fetchone())
        connection.close()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def summary(self):
        if not self.samples:
            return "no samples"
        count = len(self.samples)
        active = sum(a for a, _ in self.samples) / count
        waiting = sum(w for _, w in self.samples) / count
        some = sum(1 for _, w in self.samples if w) / count
        return (
            f"{count} samples of pg_stat_activity: on average {active:.2f} backends running "
            f"a statement, {waiting:.2f} of them waiting for a lock; a lock wait in "
            f"{some:.0%} of samples"
        )


def run_registrations(args):
    """The registrations alone, with the CPU each costs by process group."""
    import datetime as dt

    from aiosmtpd.controller import Controller

    from bench import cpu

    port = free_port()
    smtp_port = free_port()
    sink = Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    workers = start_workers(args.workers, smtp_port)
    server = start_server(
        port, args.gunicorn_config, DJANGO_SETTINGS_MODULE="bench.settings", RATELIMIT_ENABLE="0"
    )
    try:
        # Every gunicorn worker with its database connection open, the page cached.
        warm = argparse.Namespace(**{**vars(args), "seconds": 2})
        asyncio.run(measure_registrations(port, warm))
        groups = {
            "gunicorn (master + sync workers)": lambda: cpu.children(server.pid),
            "PostgreSQL backends of this database": lambda: database_processes()["backends"],
            "task workers (emails)": lambda: [p for w in workers for p in cpu.children(w.pid)],
            "Redis (shared server)": lambda: cpu.by_name("redis-server"),
            "PostgreSQL background (shared)": lambda: database_processes()["background"],
        }
        load = load_average()
        started_at = dt.datetime.now(dt.UTC)
        before = cpu.snapshot(groups)
        driver_before, wall_before = time.thread_time(), time.monotonic()
        with LockWatch() as locks:
            registrations = asyncio.run(measure_registrations(port, args))
        driver_used, wall = time.thread_time() - driver_before, time.monotonic() - wall_before
        burst_end = time.monotonic()
        during = cpu.snapshot(groups)
        count = len(registered_since(started_at))
        emails = count_deliveries(sink, started_at, burst_end)
        after = cpu.snapshot(groups)
    finally:
        stop(server)
        for worker in workers:
            stop(worker)
        smtp.stop()
    stats = registrations
    print(
        f"\nRegistrations only: {args.clients} browser-like clients for {args.seconds} s "
        f"(+1 s warm-up, counted in CPU), load average {load:.2f} before, "
        f"{load_average():.2f} after"
    )
    print(
        f"| {stats.name} | {stats.per_second:,.1f} /s | p50 {stats.percentile(0.5):.0f} "
        f"| p95 {stats.percentile(0.95):.0f} | p99 {stats.percentile(0.99):.0f} ms "
        f"| errors {error_text(stats.failures)} |"
    )
    print(f"Locks: {locks.summary()}")
    used = cpu.delta(before, during)
    used["driver (aiohttp + HTML parsing, this process)"] = (driver_used, 1)
    cpu.report(used, per=count, wall=wall, what="registration")
    late = cpu.delta(during, after)
    late.pop("(machine, all processes)")
    print(
        "After the burst, until the last email: "
        + ", ".join(
            f"{name} {1000 * seconds / max(count, 1):.2f} ms"
            for name, (seconds, _) in late.items()
            if seconds
        )
        + " per registration"
    )
    ok = not stats.errors and emails[1] == emails[0] and not emails[2] and not emails[3]
    print(
        f"  {'met   ' if stats.per_second >= 150 and stats.percentile(0.95) < 250 else 'MISSED'}"
        f" ≥ 150 registrations/s, p95 < 250 ms, 0 errors: {stats.per_second:.1f}/s, "
        f"p95 {stats.percentile(0.95):.0f} ms, {stats.errors} errors"
    )
    return ok


def confirmed_in_database(session_pk):
    connection = bench_database()
    with connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE status = 'confirmed'), "
            "count(*) FILTER (WHERE status = 'waitlisted'), count(*) "
            "FROM breakouts_breakoutchoice WHERE session_id = %s",
            [session_pk],
        )
        figures = cursor.fetchone()
    connection.close()
    return figures


def run_rush(rush_info, args):
    ports = [free_port(), free_port()]
    load = load_average()
    servers = [
        start_server(
            port,
            args.gunicorn_config,
            WEB_CONCURRENCY="3",
            TRUSTED_PROXY_COUNT="1",
            RATELIMIT_ENABLE="true",
        )
        for port in ports
    ]
    try:
        result = asyncio.run(
            driver.rush(
                [f"http://127.0.0.1:{port}/events/bench-rush/register/" for port in ports],
                delegates=args.rush_delegates,
                field_name=rush_info["field"],
                session_pk=rush_info["session"],
                spread_seconds=args.rush_seconds,
            )
        )
    finally:
        for server in servers:
            stop(server)
    confirmed, waitlisted, total = confirmed_in_database(rush_info["session"])
    print(
        f"\nRush: {args.rush_delegates} delegates for {args.rush_capacity} places in one "
        f"breakout, two app servers, arrivals within {args.rush_seconds:.0f} s, "
        f"load {load:.2f} before; done in {result.seconds:.1f} s"
    )
    print(
        f"  told: {result.confirmed} confirmed, {result.waitlisted} waitlisted, "
        f"{result.errors} errors; database: {confirmed} confirmed, {waitlisted} waitlisted, "
        f"{total} choices; POST statuses {dict(sorted(result.statuses.items()))}"
    )
    ok = (
        confirmed == result.confirmed == args.rush_capacity
        and waitlisted == result.waitlisted == args.rush_delegates - args.rush_capacity
        and total == args.rush_delegates
        and result.errors == 0
    )
    print("  rush: exact" if ok else "  rush: FAILED (not exactly the capacity, or errors)")
    return ok


def print_table(rows, registrations):
    by_name = {result.name: result for result, _ in rows}
    healthz = by_name["/healthz"].per_second or float("nan")
    print(
        "\n| target | req/s | × /healthz | p50 ms | p95 ms | p99 ms | errors | load before |"
        "\n|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    for result, load in rows:
        print(
            f"| {result.name} | {result.per_second:,.0f} | {result.per_second / healthz:.2f} "
            f"| {result.p50:.1f} | {result.p95:.1f} | {result.p99:.1f} "
            f"| {error_text(result.errors)} | {load:.2f} |"
        )
    stats, load = registrations
    print(
        f"| {stats.name} | {stats.per_second:,.1f} /s | — | {stats.percentile(0.5):.0f} "
        f"| {stats.percentile(0.95):.0f} | {stats.percentile(0.99):.0f} "
        f"| {error_text(stats.failures)} | {load:.2f} |"
    )
    print(
        f"\n/healthz × bare view: {healthz / by_name['bare Django view'].per_second:.2f}; "
        f"/healthz × SELECT 1 view: {healthz / by_name['SELECT 1 view'].per_second:.2f}"
    )


def error_text(errors):
    return ", ".join(f"{count} {kind}" for kind, count in errors.items()) or "0"


def print_targets(rows, registrations, emails):
    by_name = {result.name: result for result, _ in rows}
    healthz = by_name["/healthz"].per_second
    stats, _ = registrations
    pages = [by_name[name] for name in PUBLIC_PAGES]
    checks = [
        (
            "public pages ≥ 0.9 × /healthz",
            [f"{p.name} {p.per_second / healthz:.2f}" for p in pages],
            all(p.per_second >= 0.9 * healthz for p in pages),
        ),
        (
            "registration form GET ≥ 0.5 × /healthz",
            [f"{by_name[FORM_GET].per_second / healthz:.2f}"],
            by_name[FORM_GET].per_second >= 0.5 * healthz,
        ),
        (
            "p99 < 50 ms for the pages and the form",
            [f"{p.name} {p.p99:.0f}" for p in [*pages, by_name[FORM_GET]]],
            all(p.p99 < 50 for p in [*pages, by_name[FORM_GET]]),
        ),
        (
            "/healthz ≥ 0.8 × SELECT 1 view",
            [f"{healthz / by_name['SELECT 1 view'].per_second:.2f}"],
            healthz >= 0.8 * by_name["SELECT 1 view"].per_second,
        ),
        (
            "manage page ≥ 0.5 × /healthz",
            [f"{by_name[MANAGE].per_second / healthz:.2f}"],
            by_name[MANAGE].per_second >= 0.5 * healthz,
        ),
        (
            "every confirmation delivered within 120 s, exactly once",
            [f"{emails[1]} of {emails[0]} once, {emails[2]} repeated, {emails[3]} missing"],
            emails[1] == emails[0] and not emails[2] and not emails[3],
        ),
        (
            "≥ 150 registrations/s, p95 < 250 ms, 0 errors",
            [f"{stats.per_second:.1f}/s", f"p95 {stats.percentile(0.95):.0f} ms"],
            stats.per_second >= 150 and stats.percentile(0.95) < 250 and not stats.errors,
        ),
    ]
    print("\nTargets (issues 15 and 22):")
    for name, figures, met in checks:
        print(f"  {'met   ' if met else 'MISSED'} {name}: {', '.join(figures)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="Measured seconds per target.")
    parser.add_argument("--clients", type=int, default=16, help="Registering browsers.")
    parser.add_argument("--skip-build", action="store_true", help="Reuse the large event.")
    parser.add_argument("--gunicorn-config", default=str(ROOT / "symposium" / "gunicorn.conf.py"))
    parser.add_argument(
        "--tokens", default=str(Path(tempfile.gettempdir()) / "symposium-bench-tokens.json")
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="Task queue workers (they send the emails)."
    )
    parser.add_argument("--rush-delegates", type=int, default=1000)
    parser.add_argument("--rush-capacity", type=int, default=40)
    parser.add_argument("--rush-seconds", type=float, default=20)
    parser.add_argument(
        "--only", choices=["pages", "registrations", "rush"], help="Run one part only."
    )
    parser.add_argument("--step", choices=["setup"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS)
    if args.step == "setup":
        child_setup(args)
        return
    wrk.ensure_installed()
    print(f"Load before the run: {os.getloadavg()} ({os.cpu_count()} cores)", flush=True)
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
    setup["tokens"] = json.loads(tokens_file.read_text())
    ok = True
    if args.only == "registrations":
        ok = run_registrations(args)
    if args.only in (None, "pages"):
        rows, registrations, emails = run_pages(setup, args)
        print(
            f"\nLarge event, {os.cpu_count()} cores: wrk -t2 -c16 -d{args.seconds}s a target; "
            f"registrations: {args.clients} browser-like clients for {args.seconds} s"
        )
        print_table(rows, registrations)
        print_targets(rows, registrations, emails)
        ok = not any(result.errors for result, _ in rows) and not registrations[0].errors
    if args.only in (None, "rush"):
        ok = run_rush(setup["rush"], args) and ok
    print(f"\nLoad after the run: {os.getloadavg()}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
