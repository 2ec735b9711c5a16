"""In-process server times of the delegate's manage page and of /healthz against the
benchmark's `SELECT 1` view (issue 22), on the 5,000-delegate bench event.

    .venv/bin/python -u bench/manage_page.py [--requests 300] [--skip-build]

Needs PostgreSQL (DATABASE_URL, as bench/admin_pages.py) and Redis (REDIS_URL, by default
database 14: the cache is the production one, so /healthz pings it as it does in
service). Each URL is requested through Django's test client with DEBUG off and
bench.urls (the anchors), warmed up, then timed --requests times round-robin, so that
what else the machine does weighs on each alike: the medians, their ratios to
/healthz, and each page's query count (the last request's). The manage page is asked
for several delegates in turn, each with their own link.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.admin_pages import bench_event, setup  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--delegates", type=int, default=20)
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument(
        "--health-only", action="store_true", help="/healthz and SELECT 1 alone, interleaved"
    )
    args = parser.parse_args()
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    os.environ["RATELIMIT_ENABLE"] = "0"  # one client asks many times
    setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from symposium.models import Delegate
    from symposium.tokens import make_manage_token

    settings.ROOT_URLCONF = "bench.urls"
    event = bench_event(args.skip_build)
    delegates = Delegate.objects.filter(event=event).order_by("pk")[: args.delegates]
    manage = [f"/events/{event.slug}/manage/{make_manage_token(d)}/" for d in delegates]
    targets = {
        "SELECT 1 view": ["/bench/select-1"],
        "/healthz": ["/healthz"],
        "manage page": manage,
    }
    if args.health_only:
        del targets["manage page"]
    client = Client()
    for paths in targets.values():
        for path in paths:
            for _ in range(3):
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
    times = {name: [] for name in targets}
    for n in range(args.requests):
        for name, paths in targets.items():
            path = paths[n % len(paths)]
            started = time.perf_counter()
            response = client.get(path)
            times[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
    print(f"Load average {os.getloadavg()[0]:.2f}; {args.requests} requests each, in process")
    health = statistics.median(times["/healthz"])
    for name, paths in targets.items():
        with CaptureQueriesContext(connection) as queries:
            client.get(paths[-1])
        median = statistics.median(times[name])
        print(
            f"  {name:<16} median {median:7.2f} ms   p90 "
            f"{statistics.quantiles(times[name], n=10)[-1]:7.2f} ms   "
            f"{len(queries)} queries   × /healthz time {median / health:5.2f}"
        )


if __name__ == "__main__":
    main()
