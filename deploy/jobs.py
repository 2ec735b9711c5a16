"""The periodic jobs (deploy/jobs.toml) written out where an operator reads them.

    python deploy/jobs.py          # rewrite the units and the two tables
    python deploy/jobs.py --check  # exit 1 if any of them differs (the tests do this)

Writes deploy/systemd/symposium-<job>.service and .timer for each job, and the table
between the `<!-- jobs -->` markers in README.md and docs/deploy.md.
"""

import re
import sys
import tomllib
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
ROOT = DEPLOY.parent
SYSTEMD = DEPLOY / "systemd"
DOCUMENTS = [ROOT / "README.md", ROOT / "docs" / "deploy.md", ROOT / "docs" / "running.md"]
APP = "/srv/symposium/current"
BEGIN = "<!-- jobs: written by deploy/jobs.py from deploy/jobs.toml -->"
END = "<!-- /jobs -->"
TABLE = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)


def jobs():
    return tomllib.loads((DEPLOY / "jobs.toml").read_text())["job"]


def exec_start(job):
    program, _, arguments = job["command"].partition(" ")
    if program == "manage.py":
        return f"{APP}/.venv/bin/python manage.py {arguments}".rstrip()
    return f"{APP}/{job['command']}"


def service(job):
    return f"""\
# Written by deploy/jobs.py from deploy/jobs.toml: edit those, then run it.
[Unit]
Description=Symposium job: {job["name"]}
After=network-online.target
Wants=network-online.target
# A failure is reported to ADMINS (and Sentry), not only to the journal.
OnFailure=symposium-failed@%N.service

[Service]
Type=oneshot
User=symposium
Group=symposium
WorkingDirectory={APP}
EnvironmentFile=/etc/symposium/environment
ExecStart={exec_start(job)}
"""


def timer(job):
    return f"""\
# Written by deploy/jobs.py from deploy/jobs.toml: edit those, then run it.
# systemctl enable --now symposium-{job["name"]}.timer (on one host)
[Unit]
Description=Symposium job: {job["name"]}, {job["when"]}

[Timer]
OnCalendar={job["schedule"]}
# A run missed while the host was down is made up when it starts.
Persistent=true
RandomizedDelaySec=60

[Install]
WantedBy=timers.target
"""


def units():
    written = {}
    for job in jobs():
        written[f"symposium-{job['name']}.service"] = service(job)
        written[f"symposium-{job['name']}.timer"] = timer(job)
    return written


def table():
    rows = [
        f"| `{job['name']}` | {job['when']} | `{job['command']}` | {job['what']} |"
        for job in jobs()
    ]
    return "\n".join(
        [
            BEGIN,
            "| job (systemd timer `symposium-<job>.timer`) | when | runs | what |",
            "|---|---|---|---|",
            *rows,
            END,
        ]
    )


def expected_files():
    """Every file this writes, with what it should hold."""
    files = {SYSTEMD / name: text for name, text in units().items()}
    for document in DOCUMENTS:
        text = document.read_text()
        if not TABLE.search(text):
            raise SystemExit(f"{document}: no {BEGIN} … {END} markers")
        files[document] = TABLE.sub(lambda _: table(), text)
    return files


def stale_job_units():
    """Job units in deploy/systemd for jobs no longer in the list."""
    keep = set(units()) | {path.name for path in SYSTEMD.glob("symposium-web*")}
    keep |= {path.name for path in SYSTEMD.glob("symposium-worker*")}
    keep |= {path.name for path in SYSTEMD.glob("symposium-failed*")}
    return sorted(path for path in SYSTEMD.glob("symposium-*") if path.name not in keep)


def main(argv):
    check = "--check" in argv
    differ = [
        path
        for path, text in expected_files().items()
        if not path.exists() or path.read_text() != text
    ]
    stale = stale_job_units()
    if check:
        for path in differ + stale:
            print(f"out of date: {path.relative_to(ROOT)} (run python deploy/jobs.py)")
        return 1 if differ or stale else 0
    for path in differ:
        path.write_text(expected_files()[path])
        print(f"wrote {path.relative_to(ROOT)}")
    for path in stale:
        path.unlink()
        print(f"removed {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
