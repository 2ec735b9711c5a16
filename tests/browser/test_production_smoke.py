"""The portal as production runs it: gunicorn with DEBUG off, hashed static files from
`collectstatic`, PostgreSQL and Redis, HTTPS enforced behind a TLS-terminating balancer.

Three visitors, each in a browser of their own, register one after another through the
real pages with every field the form offers; their emails are owed, each with its task
queued for a worker (none runs here), and no web server built one; a member of
staff signs in and downloads the attendee list with their three names. Filling the form
from the page itself, not from a list of known fields, keeps the test honest as the
form changes.
"""

import csv
import io
import re
import urllib.error
import urllib.request

import pytest
from django.core.management import call_command
from mailer.models import Message
from playwright.sync_api import expect
from procrastinate.contrib.django.models import ProcrastinateJob

from demo import data as demo
from symposium.models import Event, OutboxEmail
from tests.browser.conftest import DESKTOP
from tests.helpers import staff_user
from tests.servers import collectstatic, forget_cached, free_port, gunicorn, production_env

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

# (given name, family name): the family names sort and spell differently on purpose.
VISITORS = [("Amara", "Osei"), ("Łukasz", "Wiśniewski"), ("Niamh", "O'Brien")]
STAFF_PASSWORD = "correct-horse-battery"
# Text for the fields that are neither a name nor an email, by a word in their name.
ANSWERS = {
    "organisation": "Kent Community Health NHS Foundation Trust",
    "job": "Community nurse",
    "dietary": "No nuts",
    "access": "A seat near the door",
}


@pytest.fixture
def site(tmp_path, settings):
    """The demo symposium served by two gunicorn workers in production settings; its URL.

    The balancer is stood in for by the X-Forwarded-Proto header each browser sends, as
    docs/deploy.md configures a host behind one; the browser's own origin is the
    trusted one for CSRF, as the public https origin would be.
    """
    call_command("loaddemo", verbosity=0)
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    env = production_env(
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO",
        CSRF_TRUSTED_ORIGINS=origin,
        SITE_URL=origin,
    )
    collectstatic(env)
    with gunicorn(env, [port]) as (url,):
        yield url
    forget_cached(env)


@pytest.fixture
def new_context(browser, site):
    """A browser context of its own (own cookies) on the site, behind the "balancer";
    `context.failures` lists every answer of 400 or more it got."""
    contexts = []

    def _new_context():
        context = browser.new_context(
            viewport=DESKTOP,
            base_url=site,
            locale="en-GB",
            extra_http_headers={"X-Forwarded-Proto": "https"},
            accept_downloads=True,
        )
        context.set_default_timeout(10_000)
        context.failures = []
        context.on("response", lambda response: note_failure(context, response))
        contexts.append(context)
        return context

    yield _new_context
    for context in contexts:
        context.close()


def note_failure(context, response):
    # Uploads are served by the balancer in production (docs/deploy.md), not by Django.
    if response.status >= 400 and "/media/" not in response.url:
        context.failures.append(f"{response.status} {response.request.method} {response.url}")


def text_for(name, input_type, visitor):
    """What a person would type into a field called `name`."""
    given, family = VISITORS[visitor]
    if input_type == "email" or "email" in name:
        return f"smoke.visitor{visitor}@example.org"
    if "first" in name or "given" in name:
        return given
    if "last" in name or "family" in name or "surname" in name:
        return family
    if "name" in name:
        return f"{given} {family}"
    if input_type == "tel":
        return "01632 960001"
    if input_type == "url":
        return "https://example.org/"
    if input_type == "number":
        return "1"
    return next((text for word, text in ANSWERS.items() if word in name), "Nothing to add")


def fill_every_field(form, visitor):
    """Answer every question the form offers: text typed to suit the field, each box
    ticked, one option chosen in each radio group and each list."""
    chosen_groups = set()
    for field in form.locator("input, select, textarea").all():
        name = field.get_attribute("name") or ""
        tag = field.evaluate("element => element.tagName.toLowerCase()")
        input_type = (field.get_attribute("type") or "text").lower()
        if field.is_disabled() or input_type in {"hidden", "submit", "button", "reset"}:
            continue
        if tag == "select":
            values = field.locator("option").evaluate_all("options => options.map(o => o.value)")
            field.select_option([value for value in values if value][-1])
        elif input_type == "checkbox":
            field.check()
        elif input_type == "radio":
            if name not in chosen_groups and field.get_attribute("value"):
                field.check()
                chosen_groups.add(name)
        else:
            text = text_for(name, input_type, visitor)
            limit = field.get_attribute("maxlength")
            field.fill(text[: int(limit)] if limit else text)


def register(context, event, visitor):
    page = context.new_page()
    page.goto(f"/events/{event.slug}/register/")
    form = page.locator("main form[method=post]")
    fill_every_field(form, visitor)
    form.get_by_role("button", name="Register").click()
    page.wait_for_load_state()
    assert context.failures == [], f"visitor {visitor + 1}: {context.failures}"
    expect(page.get_by_role("heading", level=1)).to_have_text("You are registered")


def download_attendees(context, event, user):
    page = context.new_page()
    page.goto(f"/admin/login/?next=/staff/events/{event.slug}/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Staff: {event.name}")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the list").click()
    assert context.failures == [], context.failures
    return download.value.path().read_text(encoding="utf-8-sig")


def assert_runs_as_production(site, context):
    """Hashed static files from the manifest, and plain HTTP sent to HTTPS: otherwise this
    would quietly be a test of the demo settings."""
    page = context.new_page()
    page.goto("/")
    stylesheet = page.locator("link[rel=stylesheet]").first.get_attribute("href")
    assert re.search(r"\.[0-9a-f]{12}\.css$", stylesheet), stylesheet
    page.close()
    no_redirects = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as answer:
        no_redirects.open(f"{site}/", timeout=5)
    assert (answer.value.code, answer.value.headers["Location"]) == (
        301,
        f"{site.replace('http:', 'https:')}/",
    )


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_three_visitors_register_and_staff_download_the_list(site, new_context):
    event = Event.objects.get(slug=demo.EVENT["slug"])
    assert_runs_as_production(site, new_context())

    for visitor in range(len(VISITORS)):
        register(new_context(), event, visitor)

    emails = {f"smoke.visitor{visitor}@example.org" for visitor in range(len(VISITORS))}
    owed = OutboxEmail.objects.filter(kind="registered").values_list("delegate__email", flat=True)
    assert sorted(owed) == sorted(emails)
    assert not Message.objects.exists()  # Nothing built in a request.
    assert ProcrastinateJob.objects.filter(
        task_name="symposium.tasks.deliver_email"
    ).count() == len(emails)

    user = staff_user("export_attendees")
    rows = list(csv.reader(io.StringIO(download_attendees(new_context(), event, user))))
    for given, family in VISITORS:
        assert any(given in " ".join(row) and family in " ".join(row) for row in rows), (
            f"{given} {family} is not in the attendee list"
        )
