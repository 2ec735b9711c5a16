"""What README.md and docs/deploy.md tell operators about the task worker is true: the
command is the one the tests run, the retries are background.RETRY's, and the systemd
unit (deploy/systemd/symposium-worker@.service) restarts the worker; it passes
`systemd-analyze verify` in tests/ops/test_deploy.py."""

import re

from procrastinate.jobs import Job
from procrastinate.utils import utcnow

from demo.management.commands.rundemo import WORKER
from symposium import background
from tests.servers import ROOT

README = (ROOT / "README.md").read_text()
DEPLOY = (ROOT / "docs" / "deploy.md").read_text()
UNIT = (ROOT / "deploy" / "systemd" / "symposium-worker@.service").read_text()


def test_the_documented_worker_command_is_the_one_that_runs():
    command = " ".join(["python", "manage.py", *WORKER[2:]])

    assert f"```sh\n{command}\n```" in README
    assert f"`{command}`" in DEPLOY
    assert f"ExecStart=/srv/symposium/current/.venv/bin/{command}\n" in UNIT
    assert "Restart=always\n" in UNIT


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
