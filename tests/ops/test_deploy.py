"""The production files in deploy/, as an operator installs them (docs/running.md):

- the periodic jobs are one list (deploy/jobs.toml), and the units and the tables in
  README.md, docs/deploy.md and docs/running.md are what deploy/jobs.py writes from it;
- every systemd unit passes `systemd-analyze verify`;
- the nginx server block passes `nginx -t`, and run in front of a stand-in app it
  redirects HTTP to HTTPS, sends the proxy headers, serves /static/ and /media/, refuses
  a body over the limit, goes on through a dead instance, and logs no manage token.
"""

import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import tomllib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SYSTEMD = DEPLOY / "systemd"
JOBS = tomllib.loads((DEPLOY / "jobs.toml").read_text())["job"]
TOKEN = "eyJkIjo0Mn0:1u9XyZ:SECRETtokenPART"
IN_CI = os.environ.get("CI", "").lower() == "true"


def needs(program):
    if not shutil.which(program):
        # CI installs nginx (.ci/run); systemd-analyze comes with Debian's systemd.
        if IN_CI:
            pytest.fail(f"{program} is not installed (CI=true: this must not be skipped)")
        pytest.skip(f"{program} is not installed")
    return shutil.which(program)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The list of jobs -----------------------------------------------------------------------


def test_the_units_and_the_documents_are_written_from_the_one_list_of_jobs():
    result = subprocess.run(
        [sys.executable, str(DEPLOY / "jobs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_job_runs_a_command_that_exists():
    commands = get_commands()
    for job in JOBS:
        program, _, arguments = job["command"].partition(" ")
        if program == "manage.py":
            assert arguments.split()[0] in commands, job
        else:
            assert os.access(ROOT / program, os.X_OK), job


def test_no_cron_lines_and_no_separate_mail_processes_are_documented():
    for document in ("README.md", "docs/deploy.md", "docs/running.md"):
        text = (ROOT / document).read_text()
        assert "```cron" not in text, document
        assert "* * * * *" not in text, document
    units = " ".join(path.read_text() for path in SYSTEMD.iterdir())
    for gone in ("run_mail_worker", "send_outbox", "send_mailings", "runmailer"):
        assert gone not in units


def test_every_service_shares_the_environment_file_and_the_long_running_ones_restart():
    for path in SYSTEMD.glob("*.service"):
        text = path.read_text()
        assert "EnvironmentFile=/etc/symposium/environment\n" in text, path.name
        if path.name.startswith(("symposium-web@", "symposium-worker@")):
            assert "Restart=always\n" in text, path.name
    for job in JOBS:
        assert (SYSTEMD / f"symposium-{job['name']}.timer").exists()


# systemd --------------------------------------------------------------------------------


def installed_units(tmp_path):
    """The units with a real host's paths swapped for ones this machine has."""
    app = tmp_path / "current"
    (app / ".venv" / "bin").mkdir(parents=True)
    (app / "deploy").mkdir()
    for program in ("python", "gunicorn"):
        (app / ".venv" / "bin" / program).symlink_to(sys.executable)
    (app / "deploy" / "backup.sh").symlink_to(DEPLOY / "backup.sh")
    units = tmp_path / "units"
    units.mkdir()
    for path in SYSTEMD.iterdir():
        text = (
            path.read_text()
            .replace("/srv/symposium/current", str(app))
            .replace("EnvironmentFile=/etc/symposium/environment", "EnvironmentFile=-/nonexistent")
            .replace("User=symposium", "User=root")
            .replace("Group=symposium", "Group=root")
        )
        (units / path.name).write_text(text)
    return units


def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    analyze = needs("systemd-analyze")
    units = installed_units(tmp_path)
    names = [
        "symposium-web@8001.service",
        "symposium-worker@1.service",
        "symposium-failed@symposium-backup.service",
    ]
    for job in JOBS:
        names += [f"symposium-{job['name']}.service", f"symposium-{job['name']}.timer"]

    result = subprocess.run(
        [analyze, "verify", *(str(units / name) for name in names)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SYSTEMD_UNIT_PATH": f"{units}:"},
        cwd=units,
    )

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


# nginx ----------------------------------------------------------------------------------


class Upstream(BaseHTTPRequestHandler):
    """Stands in for gunicorn: answers with the headers nginx sent."""

    def do_GET(self):
        body = json.dumps({"path": self.path, "headers": dict(self.headers)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def nginx_site(tmp_path):
    """deploy/nginx/symposium.conf in a prefix of its own, on free ports, with a
    self-signed certificate; the first app instance a stand-in, the second not running."""
    nginx = needs("nginx")
    needs("openssl")
    for folder in ("logs", "static", "media", "temp"):
        (tmp_path / folder).mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=symposium.example.org",
         "-keyout", str(tmp_path / "privkey.pem"), "-out", str(tmp_path / "fullchain.pem")],
        check=True,
        capture_output=True,
    )  # fmt: skip
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    ports = {"http": free_port(), "https": free_port(), "dead": free_port()}
    site = (
        (DEPLOY / "nginx" / "symposium.conf")
        .read_text()
        .replace("listen 80;", f"listen 127.0.0.1:{ports['http']};")
        .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{ports['https']} ssl http2;")
        .replace("listen [::]:80;", "")
        .replace("listen [::]:443 ssl http2;", "")
        .replace("127.0.0.1:8001", f"127.0.0.1:{upstream.server_port}")
        .replace("127.0.0.1:8002", f"127.0.0.1:{ports['dead']}")
        .replace("/etc/ssl/symposium/", f"{tmp_path}/")
        .replace("/var/log/nginx/", f"{tmp_path}/logs/")
        .replace("/srv/symposium/current/staticfiles/", f"{tmp_path}/static/")
        .replace("/srv/symposium/media/", f"{tmp_path}/media/")
    )
    (tmp_path / "symposium.conf").write_text(site)
    temp = tmp_path / "temp"
    (tmp_path / "nginx.conf").write_text(
        f"""
        {"user root;" if os.geteuid() == 0 else ""}
        pid {tmp_path}/nginx.pid;
        error_log {tmp_path}/logs/error.log;
        events {{}}
        http {{
            include /etc/nginx/mime.types;
            client_body_temp_path {temp}/body;
            proxy_temp_path {temp}/proxy;
            fastcgi_temp_path {temp}/fastcgi;
            uwsgi_temp_path {temp}/uwsgi;
            scgi_temp_path {temp}/scgi;
            include {tmp_path}/symposium.conf;
        }}
        """
    )
    command = [nginx, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")]
    yield tmp_path, command, ports
    upstream.shutdown()


def test_the_nginx_server_block_passes_nginx_t(nginx_site):
    _, command, _ = nginx_site
    result = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def https(port):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)


def get(connection, path, **headers):
    connection.request("GET", path, headers={"Host": "symposium.example.org", **headers})
    response = connection.getresponse()
    return response, response.read()


def test_nginx_in_front_of_the_app_does_what_running_md_says(nginx_site):
    prefix, command, ports = nginx_site
    (prefix / "static" / "app.abc123.css").write_text("body{}")
    (prefix / "media" / "speaker.jpg").write_bytes(b"\xff\xd8photo")
    server = subprocess.Popen([*command, "-g", "daemon off;"], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", ports["https"]), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline
                time.sleep(0.05)

        plain = http.client.HTTPConnection("127.0.0.1", ports["http"], timeout=10)
        response, _ = get(plain, "/events/e/register/")
        assert response.status == 301
        assert response.headers["Location"] == "https://symposium.example.org/events/e/register/"

        # Every request reaches the app, though the second instance is down.
        for _ in range(6):
            response, body = get(https(ports["https"]), f"/events/e/manage/{TOKEN}/?step=2")
            assert response.status == 200
        seen = json.loads(body)
        assert seen["path"] == f"/events/e/manage/{TOKEN}/?step=2"
        assert seen["headers"]["X-Forwarded-Proto"] == "https"
        assert seen["headers"]["X-Forwarded-For"] == "127.0.0.1"
        assert seen["headers"]["Host"] == "symposium.example.org"

        response, body = get(https(ports["https"]), "/static/app.abc123.css")
        assert (response.status, body) == (200, b"body{}")
        assert "immutable" in response.headers["Cache-Control"]
        response, body = get(https(ports["https"]), "/media/speaker.jpg")
        assert (response.status, body) == (200, b"\xff\xd8photo")

        too_big = https(ports["https"])
        too_big.putrequest("POST", "/admin/speakers/speaker/add/", skip_host=True)
        too_big.putheader("Host", "symposium.example.org")
        too_big.putheader("Content-Length", str(11 * 1024 * 1024))
        too_big.endheaders()
        assert too_big.getresponse().status == 413
    finally:
        server.terminate()
        server.wait(timeout=10)

    log = (prefix / "logs" / "symposium.access.log").read_text()
    assert "/events/e/manage/[redacted]/?step=2" in log
    assert "SECRETtoken" not in log


def test_the_docs_say_how_gunicorn_loads_new_code():
    import runpy

    config = runpy.run_path(str(ROOT / "symposium" / "gunicorn.conf.py"))
    running = (ROOT / "docs" / "running.md").read_text()
    unit = (SYSTEMD / "symposium-web@.service").read_text()
    if config["preload_app"]:
        # HUP keeps the preloaded code: a release restarts, or upgrades with USR2.
        assert "keeps the code already loaded" in " ".join(running.split())
        assert "`kill -USR2`" in running
        assert "ExecReload" not in unit
    else:
        assert "ExecReload=/bin/kill -s HUP $MAINPID" in unit
