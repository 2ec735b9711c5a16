"""The portal's URLs plus the benchmark's anchors: what Django itself costs under the same
gunicorn and middleware, without the portal's work. /healthz and the pages are measured
against them (docs/performance.md)."""

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    """Django's floor: the middleware and a response, nothing else."""
    return HttpResponse(b"ok", content_type="text/plain")


def select_one(request):
    """The floor of any page that reads the database: one round trip to PostgreSQL."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare", bare, name="bench-bare"),
    path("bench/select-1", select_one, name="bench-select-1"),
    path("", include("symposium.urls")),
]
