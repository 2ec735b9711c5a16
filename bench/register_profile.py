"""One registration in-process, profiled: where the register POST's CPU goes, and the
building of the confirmation email it owes.

    .venv/bin/python -u bench/register_profile.py [--count 200] [--top 30]

Runs on the database bench/load.py built (DATABASE_URL, by default symposium_bench; run
`bench/load.py` once first), production settings with the cache and sessions in Redis
(REDIS_URL), rate limits on. Each registration is a new visitor (Django's test client,
CSRF checks on): GET the large event's register page, read its form as a browser does
(bench/browser_form.py), POST every field and token. Prints the wall time and queries of
each step (median), then the cProfile of the POSTs alone (by own time and by
cumulative time) and of `deliver_email` for the emails they owe (sent to a dummy
backend). Nothing is faked: the same view, services and middleware gunicorn serves.
"""

import argparse
import cProfile
import io
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import BIG, DEFAULT_DB, DEFAULT_REDIS, server_env  # noqa: E402


def print_profile(profile, title, top):
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(top)
        lines = out.getvalue().splitlines()
        start = next(i for i, line in enumerate(lines) if "ncalls" in line)
        print(f"\n{title}, by {order}:")
        print("\n".join(lines[start - 2 : start + top + 1]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS)
    os.environ.update(server_env(8000, ALLOWED_HOSTS="testserver,127.0.0.1"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "symposium.settings"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench import driver
    from bench.browser_form import browser_post_data
    from symposium import tasks
    from symposium.models import OutboxEmail

    rng = random.Random(7)
    url = f"{BIG}/register/"
    get_ms, post_ms, get_queries, post_queries, post_cpu = [], [], [], [], []
    # CPU time, not wall: on a shared machine waiting is not this process's cost.
    profile = cProfile.Profile(time.process_time)
    for number in range(2 * args.count + 5):  # The first five fill caches: not counted.
        client = Client(
            enforce_csrf_checks=True, REMOTE_ADDR=f"198.18.{number // 250}.{number % 250 + 1}"
        )
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as got:
            page = client.get(url)
        got_in = time.perf_counter() - started
        assert page.status_code == 200, page.status_code
        html = page.content.decode()
        options = driver.round_options(html)
        answers = driver.delegate_answers({name: rng.choice(pks) for name, pks in options.items()})
        data = browser_post_data(html, answers)
        started, cpu_started = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as posted:
            # Every other POST profiled; the figures are of the others (cProfile's own
            # overhead would double them).
            profiled = number >= 5 and number % 2
            if profiled:
                profile.enable()
            response = client.post(url, data)
            profile.disable()
        posted_in = time.perf_counter() - started
        posted_cpu = time.process_time() - cpu_started
        assert response.status_code == 302, response.content.decode()[:3000]
        if number >= 5 and not profiled:
            get_ms.append(got_in * 1000)
            post_ms.append(posted_in * 1000)
            get_queries.append(len(got))
            post_queries.append(len(posted))
            post_cpu.append(posted_cpu * 1000)
    print(
        f"{2 * args.count} registrations in-process at {BIG}, half of them profiled "
        f"(load average {os.getloadavg()[0]:.2f}):"
        f"\n  GET  median {statistics.median(get_ms):.2f} ms, "
        f"{statistics.median(get_queries):.0f} queries (median)"
        f"\n  POST median {statistics.median(post_ms):.2f} ms, p90 "
        f"{statistics.quantiles(post_ms, n=10)[-1]:.2f} ms wall; this process's CPU "
        f"{statistics.mean(post_cpu):.2f} ms on average (the database's not included); "
        f"{max(post_queries)} queries at most (BEGIN and COMMIT included)"
    )
    print("  the queries of the last POST:")
    for query in posted.captured_queries:
        print(f"    {query['time']} s  {query['sql'][:150]}")
    print_profile(
        profile, "The POSTs (cProfile of CPU time; its own overhead inflates small calls)", args.top
    )

    owed = list(OutboxEmail.objects.order_by("-pk").values_list("pk", flat=True)[: args.count])
    connection.close()
    emails = cProfile.Profile(time.process_time)
    started = time.process_time()
    emails.enable()
    for pk in owed:
        tasks.deliver_email(owed_pk=pk)  # The task's function, run here.
    emails.disable()
    took = time.process_time() - started
    print(
        f"\n{len(owed)} confirmation emails built and sent (dummy backend): "
        f"{1000 * took / max(len(owed), 1):.2f} ms each with the profiler on"
    )
    print_profile(emails, "deliver_email", args.top)


if __name__ == "__main__":
    main()
