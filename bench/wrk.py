"""Throughput and latency of one URL with wrk, a C load generator (Debian's `wrk`).

A Python client on the same two cores as the server takes CPU from it and caps what it
can measure (aiohttp topped out near 1,000 req/s on /healthz); wrk does not.
"""

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("wrk.lua")
FIGURES = re.compile(r"^BENCH-FIGURES (.*)$", re.MULTILINE)


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    p50: float  # milliseconds
    p95: float
    p99: float
    errors: dict

    @property
    def per_second(self):
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_count(self):
        return sum(self.errors.values())


def ensure_installed():
    """wrk on PATH, installed from Debian's package when missing and we are root."""
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.exit("The benchmark needs wrk: install Debian's package (apt-get install wrk).")
    print("Installing wrk (Debian package) for the benchmark")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    installed = subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, check=False)
    if installed.returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, check=True)
    if not shutil.which("wrk"):
        sys.exit("apt-get installed wrk, but it is not on PATH.")


def parse(name, output):
    """The figures bench/wrk.lua wrote at the end of wrk's output."""
    found = FIGURES.search(output)
    if not found:
        raise ValueError(f"no figures in wrk's output for {name}:\n{output}")
    figures = {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", found.group(1))}
    errors = {kind: figures[kind] for kind in ("connect", "read", "write", "status", "timeout")}
    return Result(
        name=name,
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        p50=figures["p50_us"] / 1000,
        p95=figures["p95_us"] / 1000,
        p99=figures["p99_us"] / 1000,
        errors={kind: count for kind, count in errors.items() if count},
    )


def run(name, url, *, paths=(), seconds=10, threads=2, connections=16):
    """`wrk -t2 -c16 -d10s` on `url` (cycling through `paths` when given). A status of 400
    or more counts as an error ("status"); the caller checks beforehand that each page
    answers 200."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    command += ["-s", str(SCRIPT), url]
    command += ["--", *paths] if paths else []
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse(name, done.stdout)
