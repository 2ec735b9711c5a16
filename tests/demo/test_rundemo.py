"""`make demo` serves with `manage.py rundemo`: on PostgreSQL a task worker runs beside the
development server, and Ctrl-C in the terminal stops both."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from django.db import connection

from tests.servers import ROOT, free_port, production_env


def workers():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM procrastinate_workers")
        return cursor.fetchone()[0]


def healthz(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
        return json.load(response)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_demo_runs_a_worker_beside_the_server_and_ctrl_c_stops_both():
    port = free_port()
    env = production_env(DEBUG="true", REDIS_URL="", HOST="127.0.0.1", PORT=str(port))
    # As a terminal runs `make demo`: its own process group, which Ctrl-C signals.
    demo = subprocess.Popen(
        [sys.executable, "manage.py", "rundemo", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline and not isinstance(health, dict):
            with contextlib.suppress(OSError):  # not serving yet
                health = healthz(port)["worker"]
            time.sleep(0.5)
        assert isinstance(health, dict), health  # the worker's heartbeat, not "stopped"
        assert workers() == 1  # one worker, though the autoreloader runs the command twice

        os.killpg(demo.pid, signal.SIGINT)
        demo.wait(timeout=45)
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()

    assert workers() == 0  # stopped cleanly: it removed its heartbeat
