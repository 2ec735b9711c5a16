"""Gunicorn settings for every app server: `gunicorn -c symposium/gunicorn.conf.py symposium.wsgi`.

Each is read from the environment so one file serves a laptop, the benchmark and several
hosts behind a load balancer (docs/deploy.md).

- GUNICORN_BIND (or PORT): where to listen, by default 0.0.0.0:8000 behind the balancer.
- WEB_CONCURRENCY: worker processes, by default 2 × CPU cores + 1. Sync workers: each
  handles one request at a time with its own persistent database connection
  (CONN_MAX_AGE), so PostgreSQL needs max_connections ≥ hosts × workers + the jobs.
- GUNICORN_TIMEOUT: seconds before a stuck worker is killed and replaced.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
graceful_timeout = 30
# Import Django and the project once in the master: workers fork with the URLconf,
# templates' modules and settings already loaded, and start faster after a restart.
preload_app = True
# Recycle each worker after about a thousand requests, not all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 1000)
max_requests_jitter = max_requests // 10
# The balancer keeps its own access log; errors still go to stderr.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
# Behind a proxy on another host, set FORWARDED_ALLOW_IPS to its address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
