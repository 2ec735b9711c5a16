"""The desk's list: gzipped, and refreshed by what changed since the desk's version
(issue 20, point 7)."""

import gzip
import json
import uuid

import pytest

from checkin import services
from symposium.enums import RegistrationStatus
from tests.checkin.helpers import desk_url
from tests.factories import DelegateFactory, EventFactory
from tests.helpers import staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_client(client):
    client.force_login(staff_user("check_in"))
    return client


def get_list(client, event, **params):
    response = client.get(desk_url(event, "list", **params), HTTP_ACCEPT_ENCODING="gzip, br")
    assert response.status_code == 200
    # Django leaves answers under 200 bytes as they are.
    gzipped = response.get("Content-Encoding") == "gzip"
    body = gzip.decompress(response.content) if gzipped else response.content
    return json.loads(body), len(response.content), len(body)


def test_the_list_is_gzipped_for_a_browser_that_takes_it(desk_client):
    event = EventFactory()
    DelegateFactory.create_batch(40, event=event)
    data, sent, whole = get_list(desk_client, event)
    assert len(data["delegates"]) == 40
    response = desk_client.get(desk_url(event, "list"), HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert sent < whole / 3
    plain = desk_client.get(desk_url(event, "list"))
    assert "Content-Encoding" not in plain
    assert json.loads(plain.content)["delegates"] == data["delegates"]


def test_a_refresh_since_a_version_holds_only_changes_and_removals(desk_client):
    event = EventFactory()
    ana, bob, cat, *_ = DelegateFactory.create_batch(30, event=event)
    first, _, _ = get_list(desk_client, event)
    version = first["version"]

    same, _, _ = get_list(desk_client, event, since=version)
    assert (same["changed"], same["removed"], same["version"]) == ([], [], version)

    services.check_in(event=event, delegate_id=ana.pk, nonce=uuid.uuid4())
    bob.status = RegistrationStatus.CANCELLED
    bob.save()
    cat.organisation = "Kent Fire and Rescue"
    cat.save()
    dan = DelegateFactory(event=event)
    refresh, _, _ = get_list(desk_client, event, since=version)
    assert refresh["since"] == version
    assert refresh["version"] != version
    assert sorted(entry["id"] for entry in refresh["changed"]) == sorted([ana.pk, cat.pk, dan.pk])
    assert refresh["removed"] == [bob.pk]
    changed = {entry["id"]: entry for entry in refresh["changed"]}
    assert changed[ana.pk]["checked_in"]["desk"] == ""
    assert changed[cat.pk]["organisation"] == "Kent Fire and Rescue"
    assert "delegates" not in refresh

    # The list the desk rebuilds from its copy and the refresh is the server's list.
    rebuilt = {entry["id"]: entry for entry in first["delegates"]}
    for gone in refresh["removed"]:
        del rebuilt[gone]
    rebuilt.update(changed)
    full, _, _ = get_list(desk_client, event)
    assert rebuilt == {entry["id"]: entry for entry in full["delegates"]}


def test_a_version_the_server_no_longer_knows_gets_the_whole_list(desk_client):
    event = EventFactory()
    DelegateFactory.create_batch(3, event=event)
    for since in ["0123456789abcdef0123", "not a version!", ""]:
        data, _, _ = get_list(desk_client, event, since=since)
        assert len(data["delegates"]) == 3
        assert "changed" not in data


def test_the_list_takes_a_fixed_number_of_queries(desk_client, django_assert_max_num_queries):
    event = EventFactory()
    DelegateFactory.create_batch(5, event=event)
    get_list(desk_client, event)
    DelegateFactory.create_batch(50, event=event)
    # One more since teams: whether the user sees every event (symposium.teams).
    with django_assert_max_num_queries(9):
        get_list(desk_client, event)
