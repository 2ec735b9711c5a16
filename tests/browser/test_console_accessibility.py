"""Every admin and staff page an organiser uses has no serious or critical axe-core
violation (WCAG 2.2 A and AA) in Chromium at 1,280 px: the dashboard, each registered
model's list, add and change pages (walked from the admin site's registry, so a model
added later is checked too), the agenda editor (the event's page), the mailing's
compose, filters and preview, the console's own pages and every staff page. The
organiser is a staff account in the Organisers group, not a superuser."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse

from checkin.models import CheckIn
from mailings.models import Mailing
from tests.breakouts.test_admin import MAKERS as BREAKOUT_MAKERS
from tests.browser.conftest import WCAG_TAGS
from tests.console.test_admin import MAKERS as SYMPOSIUM_MAKERS
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    DelegateNeedsFactory,
    EventFactory,
    RoomFactory,
    UserFactory,
    event_day_at,
)
from tests.helpers import admin_url
from tests.outcomes.test_admin import MAKERS as OUTCOME_MAKERS
from tests.speakers.test_admin import MAKERS as SPEAKER_MAKERS

pytestmark = [pytest.mark.postgres]
PASSWORD = "correct-horse-battery"
BLOCKING = {"serious", "critical"}
# Every migration that grants the Organisers group something: a live-server test's
# flush removes the groups, so they are made again here as the migrations leave them.
GRANTS = [
    ("symposium.migrations.0003_groups", "create_groups"),
    ("symposium.migrations.0008_organisers_manage_staff_accounts", "grant"),
    ("breakouts.migrations.0004_allocation_permissions", "add_permissions"),
    ("checkin.migrations.0002_check_in_permission_for_staff", "grant"),
    ("mailings.migrations.0002_organisers_can_email_delegates", "grant"),
    ("outcomes.migrations.0002_facilitator_link_and_publishing", "grant"),
]
MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)


def organiser_account():
    if not Group.objects.filter(name="Organisers").exists():
        editor = SimpleNamespace(connection=connection)
        for module, function in GRANTS:
            getattr(importlib.import_module(module), function)(apps, editor)
    user = UserFactory(username="olu", is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name="Organisers"))
    return user


def sign_in(page, user):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def an_event_on_the_day():
    """An event with rooms, a breakout round, delegates with needs and places, check-ins
    and a mailing: every chart and table drawn."""
    room = RoomFactory(name="Nave", capacity=40)
    event = room.event
    session = BreakoutSessionFactory(theme__event=event, room=room, capacity=2)
    for index in range(3):
        delegate = DelegateFactory(event=event)
        DelegateNeedsFactory(delegate=delegate)
        BreakoutChoiceFactory(session=session, delegate=delegate)
        CheckIn.objects.create(delegate=delegate, at=event_day_at(event, 9, 10 * index))
    Mailing.objects.create(event=event, subject="Joining instructions", body="See you there.")
    return event


def blocking_violations(axe, page):
    results = axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + "; ".join(f"{node['target']} {node['html'][:120]}" for node in violation["nodes"][:4])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
    ]


def check(page, axe, urls, *, allowed=(200,)):
    """Open each URL; axe every page that opens. Returns the problems, one a line."""
    problems = []
    for url in urls:
        response = page.goto(url)
        if response.status not in allowed:
            problems.append(f"{url}: HTTP {response.status}")
            continue
        if response.status != 200:
            continue
        problems += [f"{url}: {problem}" for problem in blocking_violations(axe, page)]
    return problems


def model_urls(model, user):
    """The list, add and change pages of a model, those the organiser may open."""
    opts = model._meta
    urls = []
    if user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
        f"{opts.app_label}.change_{opts.model_name}"
    ):
        urls.append(admin_url(model, "changelist"))
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            urls.append(admin_url(model, "change", obj.pk))
    if user.has_perm(f"{opts.app_label}.add_{opts.model_name}"):
        urls.append(admin_url(model, "add"))
    return urls


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_model_pages_have_no_serious_axe_violation(model, page, axe, transactional_db):
    user = organiser_account()
    an_event_on_the_day()
    maker = (SYMPOSIUM_MAKERS | SPEAKER_MAKERS | BREAKOUT_MAKERS | OUTCOME_MAKERS).get(model)
    if maker is not None:
        maker()
    sign_in(page, user)

    urls = model_urls(model, user)

    # Read-only models answer 403 to "add" though the permission exists.
    problems = check(page, axe, urls, allowed=(200, 403))
    assert not problems, "\n".join(problems)


def test_dashboard_and_console_pages_have_no_serious_axe_violation(page, axe, transactional_db):
    user = organiser_account()
    event = an_event_on_the_day()
    EventFactory(name="A second event")
    mailing = Mailing.objects.get(event=event, subject="Joining instructions")
    sign_in(page, user)

    problems = check(
        page,
        axe,
        [
            reverse("admin:index"),
            admin_url(type(event), "change", event.pk),  # the agenda editor
            reverse("admin:console-copy-event", args=[event.pk]),
            reverse("admin:console-move-delegates", args=[event.pk]),
            admin_url(Mailing, "add") + f"?event={event.pk}",  # compose and filters
            admin_url(Mailing, "change", mailing.pk),
            reverse("admin:mailings_mailing_send", args=[mailing.pk]),
            admin_url(type(event), "changelist") + "?is_published__exact=1",
            admin_url(Mailing, "changelist") + f"?event__id__exact={event.pk}",
        ],
    )
    assert not problems, "\n".join(problems)


def test_staff_pages_have_no_serious_axe_violation(page, axe, transactional_db):
    user = organiser_account()
    event = an_event_on_the_day()
    session = event.themes.get().sessions.get()
    sign_in(page, user)

    problems = check(
        page,
        axe,
        [
            reverse("staff:event-list"),
            reverse("staff:event", args=[event.slug]),
            reverse("staff:overview", args=[event.slug]),
            reverse("staff:catering", args=[event.slug]),
            reverse("staff:sign-in-desk", args=[event.slug]),
            reverse("staff:sign-in-breakouts", args=[event.slug]),
            reverse("staff:sign-in-session", args=[event.slug, session.pk]),
        ],
    )
    assert not problems, "\n".join(problems)
