"""The organisers' console in Chromium: the admin pages organisers use most have no
critical axe violation."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection

from breakouts.models import Theme
from symposium.models import Event
from tests.browser.conftest import WCAG_TAGS
from tests.factories import (
    AgendaItemFactory,
    BreakoutChoiceFactory,
    BreakoutSessionFactory,
    DelegateNeedsFactory,
    RoomFactory,
    UserFactory,
)
from tests.helpers import admin_url

pytestmark = [pytest.mark.postgres]
PASSWORD = "correct-horse-battery"


def organiser_account():
    """The groups come from data migrations, which a live-server test's flush removes."""
    if not Group.objects.filter(name="Organisers").exists():
        editor = SimpleNamespace(connection=connection)
        importlib.import_module("symposium.migrations.0003_groups").create_groups(apps, editor)
        importlib.import_module("symposium.migrations.0008_organisers_manage_staff_accounts").grant(
            apps, editor
        )
    user = UserFactory(username="olu", is_staff=True)
    user.groups.add(Group.objects.get(name="Organisers"))
    return user


def sign_in(page, user):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def critical_violations(axe, page):
    results = axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    return [
        f"{violation['id']}: {violation['help']} at "
        + "; ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
        if violation["impact"] == "critical"
    ]


def test_busiest_admin_pages_have_no_critical_axe_violation(page, axe):
    room = RoomFactory(name="Nave", capacity=40)
    event = room.event
    AgendaItemFactory(event=event, room=room, title="Welcome")
    session = BreakoutSessionFactory(theme__event=event, room=room, capacity=20)
    choice = BreakoutChoiceFactory(session=session)
    DelegateNeedsFactory(delegate=choice.delegate)
    sign_in(page, organiser_account())

    problems = []
    for url in (
        "/admin/",
        admin_url(Event, "change", event.pk),
        admin_url(Theme, "change", session.theme.pk),
        admin_url(type(choice.delegate), "change", choice.delegate.pk),
        admin_url(type(choice.delegate), "changelist"),
    ):
        assert page.goto(url).status == 200, url
        problems += [f"{url}: {problem}" for problem in critical_violations(axe, page)]
    assert not problems, "\n".join(problems)


def fill_row(page, prefix, **values):
    for name, value in values.items():
        field = page.locator(f'[name="{prefix}{name}"]')
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)


# Building an event from nothing, counted: tests/browser/test_build_event.py (issue 24).
