"""App servers for the tests that run the portal as production does: gunicorn with DEBUG
off, on the test database (which such a test commits to: transaction=True) and Redis."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.db import connection

from tests.conftest import TEST_REDIS_URL

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GUNICORN = [BIN / "gunicorn", "-c", "symposium/gunicorn.conf.py"]
# Under pytest-xdist each test process collects the static files into a folder of its own:
# two `collectstatic` writing one manifest at once would leave a server reading half of it.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
STATIC_ROOT = {"STATIC_ROOT": str(ROOT / "staticfiles" / XDIST_WORKER)} if XDIST_WORKER else {}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(name=None):
    """The test database (or database `name` on its server) as a URL, for another
    process. The host may be a Unix socket's directory (scripts/embedded_pg.py's server)."""
    db = connection.settings_dict
    host = quote(db["HOST"] or "127.0.0.1", safe="") + (f":{db['PORT']}" if db["PORT"] else "")
    return f"postgres://{db['USER']}@{host}/{name or db['NAME']}"


def pg_tools_env():
    """The environment with pg_dump and pg_restore of the server's own version first on
    the PATH: the embedded server (PostgreSQL 18) brings its own, which Debian's older
    pg_dump cannot dump."""
    if not (connection.settings_dict["HOST"] or "").startswith("/"):
        return dict(os.environ)
    from pgserver._commands import POSTGRES_BIN_PATH

    return {**os.environ, "PATH": f"{POSTGRES_BIN_PATH}{os.pathsep}{os.environ['PATH']}"}


def production_env(**overrides):
    """The environment of an app host (docs/deploy.md) on the test database, with a
    cache key prefix of its own so that nothing it caches meets another test's."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": TEST_REDIS_URL,
        "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
        "CONN_MAX_AGE": "0",
        "DEBUG": "false",
        "SECRET_KEY": "production-test-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "WEB_CONCURRENCY": "2",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        **STATIC_ROOT,
        **overrides,
    }


def plain_http_env(**overrides):
    """Production behind one load balancer that appends the client's address, spoken to
    over plain HTTP by clients that are not browsers (no HTTPS redirect, no secure-only
    cookies)."""
    return production_env(
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        RATELIMIT_ENABLE="true",
        TRUSTED_PROXY_COUNT="1",
        **overrides,
    )


def collectstatic(env):
    """Production serves hashed static files: the manifest must exist in STATIC_ROOT."""
    subprocess.run(
        [BIN / "python", "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def health_check(port):
    # As the balancer asks: HTTPS-only production redirects a plain-HTTP request.
    url = f"http://127.0.0.1:{port}/healthz"
    return urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})


def wait_for(port, process):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(health_check(port), timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"gunicorn on port {port} did not start")


@contextlib.contextmanager
def gunicorn(env, ports):
    """gunicorn on each port; their base URLs. Stopped on leaving, even after a failure."""
    processes = [
        subprocess.Popen(
            [*GUNICORN, "--bind", f"127.0.0.1:{port}", "symposium.wsgi"], cwd=ROOT, env=env
        )
        for port in ports
    ]
    try:
        for port, process in zip(ports, processes, strict=True):
            wait_for(port, process)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def forget_cached(env):
    """Delete what the servers cached under their prefix: the Redis is shared."""
    client = redis.Redis.from_url(env["REDIS_URL"])
    keys = list(client.scan_iter(match=f"{env['CACHE_KEY_PREFIX']}:*"))
    if keys:
        client.delete(*keys)
