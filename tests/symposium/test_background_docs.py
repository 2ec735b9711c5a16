"""What README.md and docs/deploy.md tell operators about the task worker is true: the
command is the one the tests run, the retries are background.RETRY's, and the systemd
unit restarts the worker and passes `systemd-analyze verify`."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from procrastinate.jobs import Job
from procrastinate.utils import utcnow

from demo.management.commands.rundemo import WORKER
from symposium import background
from tests.servers import ROOT

README = (ROOT / "README.md").read_text()
DEPLOY = (ROOT / "docs" / "deploy.md").read_text()
UNIT = re.search(r"```ini\n(# /etc/systemd/system/symposium-worker@\.service.*?)```", DEPLOY, re.S)


def test_the_documented_worker_command_is_the_one_that_runs():
    command = " ".join(["python", "manage.py", *WORKER[2:]])

    assert f"```sh\n{command}\n```" in README
    assert f"`{command}`" in DEPLOY
    assert f"ExecStart=/srv/symposium/.venv/bin/{command}\n" in UNIT.group(1)
    assert "Restart=always\n" in UNIT.group(1)


def test_the_readme_states_the_retries_the_tasks_get():
    told = re.search(r"retried (\d+) times over about (\d+) minutes", README)
    job = Job(id=1, queue="default", lock=None, queueing_lock=None, task_name="t", attempts=0)
    waits = []
    while decision := background.RETRY.get_retry_decision(
        exception=RuntimeError(), job=job.evolve(attempts=len(waits))
    ):
        waits.append(round((decision.retry_at - utcnow()).total_seconds()))

    assert int(told.group(1)) == len(waits)
    assert int(told.group(2)) == round(sum(waits) / 60)


def test_the_worker_unit_passes_systemd_analyze(tmp_path):
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    # The paths of a real host, swapped for ones this machine has.
    unit = (
        UNIT.group(1)
        .replace("/srv/symposium/.venv/bin/python", shutil.which("python3"))
        .replace("WorkingDirectory=/srv/symposium", f"WorkingDirectory={tmp_path}")
        .replace("EnvironmentFile=/etc/symposium/environment", "EnvironmentFile=-/nonexistent")
        .replace("User=symposium", "User=root")
        .replace("Group=symposium", "Group=root")
    )
    path = Path(tmp_path / "symposium-worker@1.service")
    path.write_text(unit)

    result = subprocess.run(
        ["systemd-analyze", "verify", str(path)], capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
