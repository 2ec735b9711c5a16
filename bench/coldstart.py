"""What a fresh gunicorn worker's first request costs: the share of p99 that recycling
workers adds, with one gunicorn configuration against another.

    .venv/bin/python -u bench/coldstart.py [--config symposium/gunicorn.conf.py] [--path /healthz]

Run after bench/load.py has built its database (same DATABASE_URL and REDIS_URL). One
worker, replaced after every second request (GUNICORN_MAX_REQUESTS=2): each pair of
requests is the first and the second of a newly forked worker, with a pause before each
pair for the fork. The difference is what a cold worker costs a visitor.
"""

import argparse
import http.client
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import DEFAULT_DB, DEFAULT_REDIS, free_port, start_server, stop  # noqa: E402


def get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    elapsed = (time.perf_counter() - started) * 1000
    connection.close()
    if response.status != 200:
        sys.exit(f"GET {path} answered {response.status}")
    return elapsed


def worker_pairs(port, path, count):
    """Milliseconds of the first and of the second request of `count` new workers."""
    first, second = [], []
    for _ in range(count):
        time.sleep(1.5)
        first.append(get(port, path))
        second.append(get(port, path))
    return first, second


def median(timings):
    return sorted(timings)[len(timings) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(ROOT / "symposium" / "gunicorn.conf.py"))
    parser.add_argument("--path", default="/healthz")
    parser.add_argument("--count", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS)
    port = free_port()
    server = start_server(
        port, args.config, WEB_CONCURRENCY="1", GUNICORN_MAX_REQUESTS="2", RATELIMIT_ENABLE="0"
    )
    try:
        get(port, args.path)  # the worker that answered start_server's /healthz
        first, second = worker_pairs(port, args.path, args.count)
    finally:
        stop(server)
    print(
        f"{args.path} ({args.config}, load {os.getloadavg()[0]:.2f}), {args.count} new "
        f"workers, median ms: first request {median(first):.1f}, second {median(second):.1f}, "
        f"difference {median([a - b for a, b in zip(first, second, strict=True)]):.1f}"
    )


if __name__ == "__main__":
    main()
