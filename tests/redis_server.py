"""A Redis server of a test's own, on a free port, for tests that stop it (the shared
one must never be stopped)."""

import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis

from tests.conftest import missing_service


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


NO_PERSISTENCE = ("--save", "", "--appendonly", "no")


class RedisServer:
    """`redis-server` without persistence: killed, it comes back empty."""

    def __init__(self, binary):
        self.binary = binary
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, *("--port", str(self.port), "--bind", "127.0.0.1"), *NO_PERSISTENCE],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.answers():
                return
            time.sleep(0.05)
        pytest.fail(f"redis-server on port {self.port} did not start")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def answers(self):
        try:
            return self.client().ping()
        except redis.RedisError:
            return False

    def client(self):
        return redis.Redis.from_url(self.url, socket_timeout=1, socket_connect_timeout=1)

    def stored_keys(self):
        return self.client().keys("*")


@pytest.fixture
def own_redis():
    """A started RedisServer, killed after the test."""
    binary = shutil.which("redis-server")
    if binary is None:
        missing_service("needs redis-server on PATH to start and stop a Redis of its own")
    server = RedisServer(binary)
    server.start()
    yield server
    if server.process.poll() is None:
        server.kill()
