from django.conf import settings
from django.core.cache import cache
from django.db import Error, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from symposium.background.selectors import worker_health


def cache_status() -> str:
    # Only Redis can be away; the memory cache of the demo and the tests always answers.
    ping = getattr(cache, "ping", None)
    return "ok" if ping is None or ping() else "down"


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


def worker_status():
    # Without a queue (SQLite) tasks run in the web process; a stopped worker is
    # reported, never a reason to take this server out of service.
    return worker_health() if settings.BACKGROUND_QUEUE else "in-process"
