"""The load benchmark's own parts (bench/): wrk's figures, the browser-like client, the
bench-only anchors, and the gunicorn settings it measures."""

import asyncio
import http.server
import random
import runpy
import shutil
import threading
from collections import Counter
from pathlib import Path

import pytest
from aiohttp import web
from django.template import engines
from django.test import override_settings
from django.urls import Resolver404, clear_url_caches, get_resolver, resolve

from bench import driver, wrk
from tests.conftest import missing_service

ROOT = Path(__file__).resolve().parent.parent

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8100/healthz
  2 threads and 16 connections
  20224 requests in 10.00s, 5.10MB read
Requests/sec:   2022.40
BENCH-FIGURES requests=20224 duration_us=10000512 p50_us=7012 p95_us=15377 p99_us=78210 \
max_us=120001 connect=0 read=0 write=0 status=3 timeout=1
"""


def test_wrk_figures_are_read_from_the_line_the_lua_script_writes():
    result = wrk.parse("/healthz", WRK_OUTPUT)

    assert result.requests == 20224
    assert result.per_second == pytest.approx(2022.3, abs=0.1)
    assert (result.p50, result.p95, result.p99) == (7.012, 15.377, 78.21)
    assert result.errors == {"status": 3, "timeout": 1}
    assert result.error_count == 4


def test_wrk_output_without_figures_is_an_error():
    with pytest.raises(ValueError, match="no figures"):
        wrk.parse("/healthz", "unable to connect to 127.0.0.1:8100 Connection refused")


class _Pages(http.server.BaseHTTPRequestHandler):
    paths: Counter

    def do_GET(self):
        self.paths[self.path] += 1
        self.send_response(404 if self.path == "/missing" else 200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def page_server():
    if not shutil.which("wrk"):
        missing_service("needs wrk (Debian package 'wrk')")
    _Pages.paths = Counter()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Pages.paths
    server.shutdown()
    server.server_close()


def test_wrk_asks_for_each_path_in_turn_and_counts_failed_statuses(page_server):
    base, paths = page_server

    result = wrk.run("two pages", f"{base}/a", paths=["/a", "/b"], seconds=1, connections=2)
    failing = wrk.run("missing", f"{base}/missing", seconds=1, connections=2)

    assert result.requests > 0
    assert result.errors == {}
    assert set(paths) == {"/a", "/b", "/missing"}
    assert abs(paths["/a"] - paths["/b"]) <= 4  # each of the 4 connections alternates
    assert 0 < result.p50 <= result.p95 <= result.p99
    assert failing.errors["status"] == failing.requests > 0


FORM = """<html><body>
<form method="get" action="/search/"><input name="q" value="not this form"></form>
<form method="post">
  <input type="hidden" name="csrfmiddlewaretoken" value="token-1">
  <input type="hidden" name="csrfmiddlewaretoken" value="token-2">
  <input type="hidden" name="form_version" value="7">
  <input name="first_name"><input name="last_name"><input type="email" name="email">
  <input type="checkbox" name="privacy_consent">
  <input type="radio" name="round_11" value="5"><input type="radio" name="round_11" value="6">
  <input type="radio" name="round_12" value="8">
  <input type="radio" name="round_13" value="" checked>
  <input type="radio" name="round_13" value="9">
</form></body></html>"""


async def register_with(handler_log, choose):
    async def form(request):
        response = web.Response(text=FORM, content_type="text/html")
        response.set_cookie("csrftoken", "cookie-token")
        return response

    async def post(request):
        handler_log.append((await request.post(), request.cookies.get("csrftoken")))
        raise web.HTTPFound("/register/done/")

    app = web.Application()
    app.router.add_get("/register/", form)
    app.router.add_post("/register/", post)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    conn = driver.connector()
    try:
        return await driver.register(conn, f"http://127.0.0.1:{port}/register/", choices=choose)
    finally:
        await conn.close()
        await runner.cleanup()


def test_the_client_posts_every_token_and_field_of_the_form_with_its_cookies():
    posted = []
    offered = []

    def choose(options):
        offered.append(options)
        return {name: options[name][-1] for name in ("round_11", "round_12")}

    status, _ = asyncio.run(register_with(posted, choose))

    assert status == 302
    assert offered == [{"round_11": ["5", "6"], "round_12": ["8"], "round_13": ["9"]}]
    ((data, cookie),) = posted
    assert data.getall("csrfmiddlewaretoken") == ["token-1", "token-2"]
    assert data["form_version"] == "7"
    assert (data["round_11"], data["round_12"]) == ("6", "8")
    assert data.getall("round_13") == [""]  # left on the option the page ticks
    assert data["first_name"] == "Bench"
    assert data["email"].endswith("@bench.example.org")
    assert data["privacy_consent"] == "on"
    assert "q" not in data
    assert cookie == "cookie-token"


def test_any_answer_but_the_expected_one_is_a_counted_failure():
    answers = iter([302, 403, 302, 500])

    async def action():
        return next(answers, 302)

    stats = asyncio.run(driver.sustained("reg", action, seconds=0.01, concurrency=1, warmup=0))

    assert stats.failures == Counter({403: 1, 500: 1})
    assert stats.errors == 2


def test_the_anchors_exist_only_in_the_bench_urlconf():
    assert resolve("/bench/bare", urlconf="bench.urls").url_name == "bench-bare"
    assert resolve("/bench/select-1", urlconf="bench.urls").url_name == "bench-select-1"
    assert resolve("/healthz", urlconf="bench.urls").url_name == "healthz"
    with pytest.raises(Resolver404):
        resolve("/bench/bare", urlconf="symposium.urls")
    with pytest.raises(Resolver404):
        resolve("/bench/select-1", urlconf="symposium.urls")


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="bench.urls")
def test_the_anchors_answer_under_the_bench_urlconf(client):
    assert client.get("/bench/bare").content == b"ok"
    assert client.get("/bench/select-1").content == b"ok"


def gunicorn_config():
    return runpy.run_path(str(ROOT / "symposium" / "gunicorn.conf.py"))


def test_gunicorn_workers_are_not_replaced_every_few_seconds(monkeypatch):
    monkeypatch.delenv("GUNICORN_MAX_REQUESTS", raising=False)
    config = gunicorn_config()

    # 16 clients at ~3,000 req/s on 5 workers: 1,000 requests was a new worker every 2 s.
    assert config["max_requests"] >= 100_000
    assert config["max_requests_jitter"] >= config["max_requests"] // 10
    assert config["preload_app"] is True


def test_gunicorn_loads_the_urlconf_and_templates_before_the_fork():
    config = gunicorn_config()
    clear_url_caches()
    loader = engines["django"].engine.template_loaders[0]
    loader.reset()

    config["when_ready"](server=None)

    assert get_resolver()._populated
    assert {"base.html", "symposium/event_detail.html"} <= set(loader.get_template_cache)


def test_the_directory_benchmark_has_5000_distinct_names_and_typed_queries():
    from bench import partners as partners_bench

    names = partners_bench.directory_names(5000)
    queries = partners_bench.queries(random.Random(5))

    assert len(set(names)) == 5000
    assert len(queries) == 200
    assert all(2 <= len(query) <= 8 for query in queries)
