import time

from django.conf import settings
from django.core.cache import cache
from django.db import Error, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from symposium.background.selectors import worker_health

_cache_seen = (float("-inf"), None)  # (when, what): this process's last reading.


def cache_status() -> str:
    """Redis answering or not, asked at most once every HEALTH_CACHE_SECONDS by each
    process: the ping is a round trip of its own, the largest part of what /healthz
    cost beyond the database's `SELECT 1` (docs/performance.md), and the load balancer
    asks many times a second. Only Redis can be away; the memory cache of the demo and
    the tests always answers."""
    global _cache_seen
    seen_at, status = _cache_seen
    now = time.monotonic()
    if now - seen_at >= settings.HEALTH_CACHE_SECONDS:
        ping = getattr(cache, "ping", None)
        status = "ok" if ping is None or ping() else "down"
        _cache_seen = (now, status)
    return status


@never_cache
@require_GET
def healthz(request):
    """For the load balancer and monitoring. Redis down is reported but still 200: the
    app serves without it (symposium.web.cache), so the server stays in service. So is a
    stopped background worker ("worker": "stopped"): the pages do not need it."""
    cache_state = cache_status()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Error:  # OperationalError, or InterfaceError on a connection already lost
        return JsonResponse(
            {"status": "unavailable", "database": "down", "cache": cache_state}, status=503
        )
    return JsonResponse(
        {"status": "ok", "database": "ok", "cache": cache_state, "worker": worker_status()}
    )


_worker_seen = (float("-inf"), None)  # (when, what): this process's last reading.


def worker_status():
    """The queue's health (symposium.background.selectors), read at most once every
    HEALTH_WORKER_SECONDS by each process: the load balancer asks many times a second,
    and a heartbeat is written every 10 s, so reading it each time only costs a query
    (the database itself is checked on every request). Without a queue (SQLite) tasks
    run in the web process; a stopped worker is reported, never a reason to take this
    server out of service."""
    global _worker_seen
    if not settings.BACKGROUND_QUEUE:
        return "in-process"
    seen_at, status = _worker_seen
    now = time.monotonic()
    if now - seen_at >= settings.HEALTH_WORKER_SECONDS:
        status = worker_health()
        _worker_seen = (now, status)
    return status
