"""deploy/backup.sh and the restore drill of docs/running.md: the nightly backup is
encrypted (not a readable dump), restores into a new database with the data in it, keeps
the media, deletes copies past BACKUP_KEEP_DAYS, and a dump that fails leaves nothing
that looks like a backup."""

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.conftest import IN_CI
from tests.factories import EventFactory
from tests.servers import database_url, pg_tools_env

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
RECIPIENT = "backups@example.org"


def url(name):
    return database_url(name)


@pytest.fixture
def gnupg(tmp_path):
    tools = pg_tools_env()
    for program in ("gpg", "pg_dump", "pg_restore"):
        if not shutil.which(program, path=tools["PATH"]):
            if IN_CI:
                pytest.fail(f"{program} is not installed (CI=true: this must not be skipped)")
            pytest.skip(f"{program} is not installed")
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    env = {**tools, "GNUPGHOME": str(home)}
    subprocess.run(
        ["gpg", "--batch", "--passphrase", "", "--quick-gen-key", RECIPIENT,
         "default", "default", "never"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    return env


def backup(env, tmp_path, database_url):
    return subprocess.run(
        [str(ROOT / "deploy" / "backup.sh")],
        env={
            **env,
            "DATABASE_URL": database_url,
            "BACKUP_DIR": str(tmp_path / "backups"),
            "BACKUP_GPG_RECIPIENT": RECIPIENT,
            "BACKUP_KEEP_DAYS": "35",
            "MEDIA_ROOT": str(tmp_path / "media"),
        },
        capture_output=True,
        text=True,
        check=False,
    )


def decrypt(env, path):
    return subprocess.run(
        ["gpg", "--batch", "--quiet", "--decrypt", str(path)],
        env=env,
        capture_output=True,
        check=True,
    ).stdout


def test_the_backup_is_encrypted_and_restores(gnupg, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    EventFactory(name="Restored symposium")
    (tmp_path / "media" / "speakers").mkdir(parents=True)
    (tmp_path / "media" / "speakers" / "ana.jpg").write_bytes(b"\xff\xd8photo")
    backups = tmp_path / "backups"
    backups.mkdir()
    old = backups / "symposium-2000-01-01T023000Z.dump.gpg"
    old.write_bytes(b"old")
    forty_days_ago = time.time() - 40 * 86400
    os.utime(old, (forty_days_ago, forty_days_ago))

    result = backup(gnupg, tmp_path, url(connection.settings_dict["NAME"]))

    assert result.returncode == 0, result.stderr
    [database] = backups.glob("symposium-2*.dump.gpg")
    [media] = backups.glob("symposium-media-*.tar.gz.gpg")
    assert not old.exists()
    assert b"PGDMP" not in database.read_bytes()[:64]
    assert b"Restored symposium" not in database.read_bytes()
    assert oct(database.stat().st_mode & 0o777) == "0o600"

    # The drill: decrypt, restore into a new database, read the event back.
    dump = tmp_path / "symposium.dump"
    dump.write_bytes(decrypt(gnupg, database))
    restored = f"test_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{restored}"')
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={url(restored)}", dump],
            env=gnupg,
            check=True,
            capture_output=True,
        )
        with psycopg.connect(url(restored)) as conn:
            names = conn.execute("SELECT name FROM symposium_event").fetchall()
        assert names == [("Restored symposium",)]
    finally:
        with psycopg.connect(url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')

    (tmp_path / "restored-media").mkdir()
    subprocess.run(
        ["tar", "-xzf", "-", "-C", str(tmp_path / "restored-media")],
        input=decrypt(gnupg, media),
        check=True,
    )
    assert (tmp_path / "restored-media" / "speakers" / "ana.jpg").read_bytes() == b"\xff\xd8photo"


def test_a_failed_dump_leaves_no_backup(gnupg, tmp_path):
    result = backup(gnupg, tmp_path, url("no_such_database_here"))

    assert result.returncode != 0
    assert not list((tmp_path / "backups").glob("*.gpg"))
