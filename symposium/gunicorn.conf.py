"""Gunicorn settings for every app server: `gunicorn -c symposium/gunicorn.conf.py symposium.wsgi`.

Each is read from the environment so one file serves a laptop, the benchmark and several
hosts behind a load balancer (docs/deploy.md).

- GUNICORN_BIND (or PORT): where to listen, by default 0.0.0.0:8000 behind the balancer.
- WEB_CONCURRENCY: worker processes, by default 2 × CPU cores + 1. Sync workers: each
  handles one request at a time with its own persistent database connection
  (CONN_MAX_AGE), so PostgreSQL needs max_connections ≥ hosts × workers + the jobs.
- GUNICORN_TIMEOUT: seconds before a stuck worker is killed and replaced.
- GUNICORN_MAX_REQUESTS: requests before a worker is replaced (0: never).
"""

import multiprocessing
import os
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
graceful_timeout = 30
# Import Django and the project once in the master, and with it (when_ready below) the
# URLconf, the views and the compiled templates, which Django would otherwise load on a
# worker's first requests: every worker forks ready, and the first visitors after a
# restart do not wait for it. So `kill -HUP` replaces the workers with the code already
# loaded: a release restarts the server instead (docs/running.md, two instances per host
# restarted in turn; gunicorn's USR2 upgrade is the other way).
preload_app = True
# Recycling bounds a slow leak, nothing more: the app keeps no per-request state. At
# 1,000 requests each worker was replaced every 2-3 s under load, and every replacement
# cost a visitor a cold start (p99 of /healthz 78 ms against 8.5 ms without). 200,000
# requests is minutes at the benchmark's full load and days at an event's real traffic;
# the jitter (up to a quarter more) keeps the workers from being replaced together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 200_000)
max_requests_jitter = max_requests // 4
# The balancer keeps its own access log; errors still go to stderr.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
# Behind a proxy on another host, set FORWARDED_ALLOW_IPS to its address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def warm_up():
    """Load what Django loads lazily on a worker's first requests: the cache backends
    (importing redis alone took ~115 ms), the URLconf with every view module, the
    reverse map, and each project template compiled into the cached loader. Nothing here
    opens a database or Redis connection, which the forked workers would share."""
    from django.conf import settings
    from django.template import engines
    from django.urls import get_resolver, reverse
    from django.utils.module_loading import import_string

    for cache in settings.CACHES.values():
        import_string(cache["BACKEND"])

    get_resolver().url_patterns  # noqa: B018 (imports the URLconf and the views)
    reverse("healthz")
    for engine in engines.all():
        for directory in settings.TEMPLATES[0]["DIRS"]:
            for template in sorted(Path(directory).rglob("*.html")):
                engine.get_template(str(template.relative_to(directory)))


def when_ready(server):
    # In the master, once the app is loaded and before any worker forks.
    if preload_app:
        warm_up()


def post_worker_init(worker):
    # Without preload_app each worker loads its own app: warm it before it accepts.
    if not preload_app:
        warm_up()
