"""Operations settings read from the environment (docs/running.md), each in a new
process as a server starts: SECRET_KEY_FALLBACKS, ADMINS, SENTRY_DSN and LOG_FORMAT=json,
whose lines still carry no manage-link token."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "eyJkIjo0MiwiayI6InNlY3JldCJ9:1u9XyZ:abcdefSECRETtoken"


def run_django(code, **env):
    """Run `code` after django.setup() in a new process with only `env` (and DEBUG on,
    so that no production secret is needed); its stdout and stderr."""
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "symposium.settings",
            "DEBUG": "true",
            **env,
        },
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout, result.stderr


def test_the_old_keys_come_from_secret_key_fallbacks():
    out, _ = run_django(
        "from django.conf import settings; print(settings.SECRET_KEY_FALLBACKS)",
        SECRET_KEY_FALLBACKS="older-one, oldest-one",
    )
    assert out.strip() == "['older-one', 'oldest-one']"


def test_admins_come_from_the_environment():
    out, _ = run_django(
        "from django.conf import settings; print(settings.ADMINS)",
        ADMINS="Ops Team <ops@example.org>, oncall@example.org",
    )
    assert (
        out.strip()
        == "[('Ops Team', 'ops@example.org'), ('oncall@example.org', 'oncall@example.org')]"
    )


def test_sentry_is_on_only_with_a_dsn():
    check = "import sentry_sdk; print(sentry_sdk.get_client().is_active())"
    assert run_django(check)[0].strip() == "False"
    out, _ = run_django(check, SENTRY_DSN="https://public@127.0.0.1:9/1")
    assert out.strip() == "True"


def test_json_logs_are_one_object_a_line_without_tokens():
    _, err = run_django(
        "import logging\n"
        "from django.test import RequestFactory\n"
        f"request = RequestFactory().get('/events/e/manage/{TOKEN}/')\n"
        "logging.getLogger('django.request').warning("
        "'Not Found: %s', request.path, extra={'status_code': 404, 'request': request})\n"
        "try:\n"
        f"    raise ValueError('/events/e/manage/{TOKEN}/cancel/')\n"
        "except ValueError:\n"
        "    logging.getLogger('symposium').exception('Failed')\n"
        "logging.getLogger('symposium').error('done\\nwith a second line')\n",
        LOG_FORMAT="json",
    )
    lines = err.splitlines()
    records = [json.loads(line) for line in lines]
    assert [(r["level"], r["logger"], r["message"]) for r in records] == [
        ("WARNING", "django.request", "Not Found: /events/e/manage/[redacted]/"),
        ("ERROR", "symposium", "Failed"),
        ("ERROR", "symposium", "done\nwith a second line"),
    ]
    assert "time" in records[0]
    assert records[0]["status_code"] == 404
    assert records[0]["request"] is None  # dropped: its URL holds the token
    assert "/manage/[redacted]/cancel/" in records[1]["exc_info"]
    assert TOKEN not in err


def test_text_logs_stay_the_default():
    _, err = run_django("import logging; logging.getLogger('symposium').warning('plain')")
    assert err.strip() == "plain"
