"""A network fault between one app server and Redis, for the tests of what a server
does when it alone cannot reach Redis while the other one can.

`Relay` is a TCP relay the test puts between server A and Redis: `cut()` drops every
connection through it and refuses new ones (as a broken link or a firewall would),
`restore()` lets them through again; Redis itself keeps running and keeps its data.
`two_servers` starts server A behind the relay and server B straight on Redis, both
gunicorn in production settings on the test database, sharing their cache prefix.
"""

import contextlib
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from django.db import connection

from tests.conftest import missing_service
from tests.redis_server import RedisServer
from tests.servers import collectstatic, free_port, gunicorn, plain_http_env

# Server A looks at Redis again this soon after a failure.
RETRY_SECONDS = 0.2


class Relay:
    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._lock = threading.Lock()
        self._open = []
        self._cut = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            with self._lock:
                if self._cut:
                    client.close()
                    continue
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
                self._open += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def cut(self):
        with self._lock:
            self._cut = True
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._open.clear()

    def restore(self):
        with self._lock:
            self._cut = False
        time.sleep(RETRY_SECONDS * 2)

    def close(self):
        self.cut()
        self.listener.close()


@pytest.fixture(scope="module")
def redis_behind_relay():
    """A Redis of the module's own and a relay to it; (redis server, relay)."""
    binary = shutil.which("redis-server")
    if binary is None:
        missing_service("needs redis-server on PATH to start a Redis of its own")
    server = RedisServer(binary)
    server.start()
    relay = Relay(server.port)
    yield server, relay
    relay.close()
    server.kill()


@pytest.fixture(scope="module")
def two_servers(django_db_setup, django_db_blocker, redis_behind_relay):
    """Server A (through the relay) and server B (straight to Redis); their base URLs,
    and the relay. One gunicorn worker each: a worker is what holds what it knows."""
    # Module-scoped, so it runs before the per-test check of the markers.
    if connection.vendor != "postgresql":
        missing_service("needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1/…")
    server, relay = redis_behind_relay
    with django_db_blocker.unblock():
        env = plain_http_env(WEB_CONCURRENCY="1", REDIS_RETRY_SECONDS=str(RETRY_SECONDS))
    collectstatic(env)
    with (
        gunicorn(env | {"REDIS_URL": relay.url}, [free_port()]) as (a,),
        gunicorn(env | {"REDIS_URL": server.url}, [free_port()]) as (b,),
    ):
        yield a, b, relay


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    """One browser's cookies, sent to whichever server it is pointed at (cookies do not
    tell ports apart, and a balancer sends a browser anywhere)."""

    def __init__(self, cookies=None):
        self.cookies = dict(cookies or {})
        self._opener = urllib.request.build_opener(_NoRedirect)

    def request(self, url, data=None):
        """(status, page, Location) of one request; redirects are not followed."""
        body = urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body)
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self._opener.open(request, timeout=15)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return response.status, response.read().decode(), response.headers.get("Location")

    def csrf_token(self, url):
        status, page, _ = self.request(url)
        assert status == 200, (url, status)
        marker = 'name="csrfmiddlewaretoken" value="'
        return page.split(marker, 1)[1].split('"', 1)[0]

    def sign_in(self, base, username, password):
        login = f"{base}/admin/login/"
        token = self.csrf_token(login)
        data = {
            "csrfmiddlewaretoken": token,
            "username": username,
            "password": password,
            "next": "/admin/",
        }
        status, _, location = self.request(f"{login}?next=/admin/", data)
        assert (status, location) == (302, "/admin/"), status
        return self.cookies["sessionid"]

    def sign_out(self, base):
        token = self.csrf_token(f"{base}/admin/")
        status, page, _ = self.request(f"{base}/admin/logout/", {"csrfmiddlewaretoken": token})
        assert status == 200, status
        assert "Logged out" in page

    def change_password(self, base, old, new):
        url = f"{base}/admin/password_change/"
        data = {
            "csrfmiddlewaretoken": self.csrf_token(url),
            "old_password": old,
            "new_password1": new,
            "new_password2": new,
        }
        status, _, location = self.request(url, data)
        assert (status, location) == (302, "/admin/password_change/done/"), status


def admits(base, session_cookie) -> bool:
    """Whether the admin opens for a browser that has only this session cookie."""
    status, _, location = Visitor({"sessionid": session_cookie}).request(f"{base}/admin/")
    if status == 302:
        assert location.startswith("/admin/login/"), location
        return False
    assert status == 200, status
    return True
