"""Tasks for tests/symposium/test_background.py. Worker processes started by the tests
load them through PROCRASTINATE_IMPORT_PATHS. Each writes what it did, one line at a
time, to the file it is given, so the test reads what ran, where and how often."""

import os
import time
from pathlib import Path

from procrastinate import RetryStrategy

from symposium.background import task


def note(path, line):
    with Path(path).open("a") as file:
        file.write(f"{line}\n")


def lines(path):
    path = Path(path)
    return path.read_text().splitlines() if path.exists() else []


@task()
def write_line(*, path, line):
    note(path, line)


@task(retry=RetryStrategy(max_attempts=3))
def fail_twice_then_write(*, path):
    """Fails on its first two attempts, retried at once (no backoff, for the test)."""
    attempts = len(lines(path)) + 1
    note(path, f"attempt {attempts}")
    if attempts < 3:
        raise RuntimeError(f"failure on attempt {attempts}")


@task()
def always_fail(*, path):
    note(path, "attempt")
    raise RuntimeError("this task always fails")


@task()
def sleep_then_write(*, path, seconds):
    note(path, f"started in {os.getpid()}")
    time.sleep(seconds)
    note(path, f"finished in {os.getpid()}")


@task(retry=False)
def fail_for_good(*, path):
    note(path, "attempt")
    raise RuntimeError("the badge printer is out of paper")
