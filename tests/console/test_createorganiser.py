"""`manage.py createorganiser`: the first organiser's account, staff and in the group."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from symposium import teams
from symposium.models import Team
from tests.factories import EventFactory, UserFactory

PASSWORD = "a long enough passphrase 42"


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv("CREATEORGANISER_PASSWORD", PASSWORD)


def test_it_makes_a_staff_account_in_the_organisers_group(db, password, client):
    call_command("createorganiser", "alex", "--email=alex@example.org", "--noinput")

    user = get_user_model().objects.get(username="alex")
    assert user.is_staff
    assert user.is_active
    assert not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Organisers"]
    assert user.email == "alex@example.org"
    assert user.check_password(PASSWORD)
    # The account opens the organisers' admin and may add events.
    signed_in = client.post(
        "/admin/login/?next=/admin/", {"username": "alex", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/admin/"
    assert user.has_perm("symposium.add_event")
    assert client.get("/admin/").status_code == 200


def test_run_again_it_restores_an_account_and_keeps_its_password(db, password):
    user = UserFactory(username="sam", is_staff=False, is_active=False)
    user.set_password("the old one, unchanged 7")
    user.save()

    call_command("createorganiser", "sam", "--noinput")

    user.refresh_from_db()
    assert user.is_staff
    assert user.is_active
    assert user.groups.filter(name="Organisers").exists()
    assert user.check_password("the old one, unchanged 7")

    call_command("createorganiser", "sam", "--noinput", "--set-password")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_weak_or_missing_password_is_refused(db, monkeypatch):
    monkeypatch.delenv("CREATEORGANISER_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="CREATEORGANISER_PASSWORD"):
        call_command("createorganiser", "kim", "--noinput")
    monkeypatch.setenv("CREATEORGANISER_PASSWORD", "password")
    with pytest.raises(CommandError, match="too common"):
        call_command("createorganiser", "kim", "--noinput")
    assert not get_user_model().objects.filter(username="kim").exists()


def test_by_default_the_account_sees_every_event(db, password):
    event = EventFactory()

    call_command("createorganiser", "alex", "--noinput")

    user = get_user_model().objects.get(username="alex")
    assert list(user.event_teams.values_list("name", flat=True)) == [teams.ALL_EVENTS_TEAM]
    assert list(teams.events_for(user)) == [event]


def test_with_events_the_account_sees_only_those(db, password):
    ours, theirs = EventFactory(slug="kent-2026"), EventFactory(slug="medway-2026")
    UserFactory(username="sam", is_staff=True)  # in the All events team, as before teams

    call_command("createorganiser", "sam", "--noinput", "--event=kent-2026")

    user = get_user_model().objects.get(username="sam")
    assert list(user.event_teams.values_list("name", flat=True)) == ["Team: kent-2026"]
    assert list(teams.events_for(user)) == [ours]
    assert not teams.can_see_event(user, theirs)


def test_a_named_team_is_made_or_joined(db, password):
    event = EventFactory(slug="kent-2026")
    call_command("createorganiser", "ann", "--noinput", "--team=Kent desk", "--event=kent-2026")
    call_command("createorganiser", "bea", "--noinput", "--team=Kent desk")

    team = Team.objects.get(name="Kent desk")
    assert set(team.members.values_list("username", flat=True)) == {"ann", "bea"}
    assert list(team.limit_events.all()) == [event]


def test_an_unknown_event_or_team_is_refused_and_nothing_made(db, password):
    with pytest.raises(CommandError, match="No event with the slug nowhere"):
        call_command("createorganiser", "ann", "--noinput", "--event=nowhere")
    with pytest.raises(CommandError, match="No team 'Ghosts'"):
        call_command("createorganiser", "ann", "--noinput", "--team=Ghosts")

    assert not get_user_model().objects.filter(username="ann").exists()
