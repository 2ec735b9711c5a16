"""`manage.py rundemo [addrport]` (what `make demo` serves with): the development server,
and on PostgreSQL a task worker beside it, so background work gets done. Ctrl-C stops
both. On SQLite there is no queue (tasks run in the server) and it is just runserver."""

import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

WORKER = [sys.executable, str(settings.BASE_DIR / "manage.py"), "procrastinate", "worker"]


class Command(BaseCommand):
    help = "runserver, with a task worker beside it when the database is PostgreSQL."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?")

    def handle(self, *, addrport, **options):
        # runserver's autoreloader runs this command again in a child process (RUN_MAIN)
        # at each code change: the first process alone starts the one worker.
        worker = None
        if settings.BACKGROUND_QUEUE and os.environ.get("RUN_MAIN") != "true":
            worker = subprocess.Popen(WORKER)  # noqa: S603 - our own command line
        try:
            call_command("runserver", *[addrport] if addrport else [])
        finally:
            if worker:
                stop(worker)


def stop(worker):
    # Ctrl-C reached the worker too, which is finishing its job: a second signal would
    # cut it short. Otherwise (the server failed to start) it is told now.
    # A worker that has stopped but does not exit (seen under load, once its heartbeat
    # was gone) is killed: Ctrl-C must give the terminal back.
    for hurry in (None, worker.terminate, worker.kill):
        if hurry:
            hurry()
        try:
            worker.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue
