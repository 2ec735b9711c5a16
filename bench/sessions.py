"""What sessions from the database cost, against cached_db, on a page that reads one.

    .venv/bin/python -u bench/sessions.py [--requests 300]

Needs PostgreSQL (DATABASE_URL, by default postgres://postgres@127.0.0.1:5432/symposium_bench,
created and migrated if need be) and Redis (REDIS_URL, by default redis://127.0.0.1:6379/14).
In this process, with DEBUG off and production's cache (symposium.web.cache on Redis), it
prints for each engine: the time to load one session (SessionStore.load, warm), and the
server time and query count of a staff page that reads the session, the admin's
password-change form (light: the session, the user, the form), through Django's test
client. The portal uses `db` (symposium/settings.py): the difference is its price.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ["django.contrib.sessions.backends.cached_db", "django.contrib.sessions.backends.db"]


def setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/symposium_bench")
    os.environ.update(
        DEBUG="false",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-key-" + "x" * 40),
        ALLOWED_HOSTS="testserver,127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"),
        CACHE_KEY_PREFIX="bench-sessions",
        DJANGO_SETTINGS_MODULE="symposium.settings",
    )
    from bench.export import create_database

    create_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def milliseconds(samples):
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def measure(engine, requests):
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.utils.module_loading import import_string

    user, _ = get_user_model().objects.get_or_create(
        username="bench-sessions", defaults={"is_staff": True, "is_superuser": True}
    )
    with override_settings(SESSION_ENGINE=engine):
        store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
        client = Client()
        client.force_login(user)
        key = client.cookies[settings.SESSION_COOKIE_NAME].value
        loads = []
        for _ in range(requests):
            started = time.perf_counter()
            store(key).load()
            loads.append(time.perf_counter() - started)
        pages = []
        for _ in range(3):
            client.get("/admin/password_change/")
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get("/admin/password_change/")
            pages.append(time.perf_counter() - started)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as queries:
            client.get("/admin/password_change/")
        client.logout()
    return milliseconds(loads), milliseconds(pages), len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    setup()
    print(f"{'engine':<12} {'load p50/p95 ms':>17} {'page p50/p95 ms':>17} {'queries':>8}")
    for engine in ENGINES:
        (load50, load95), (page50, page95), queries = measure(engine, args.requests)
        name = engine.rsplit(".", 1)[1]
        print(
            f"{name:<12} {load50:>8.3f}/{load95:<8.3f} {page50:>8.2f}/{page95:<8.2f} {queries:>8}"
        )


if __name__ == "__main__":
    main()
