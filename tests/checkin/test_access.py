"""Who may use the desk, and what a check-in code can and cannot open."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from checkin.codes import check_in_code, delegate_id_for_code
from tests.checkin.helpers import desk_url
from tests.factories import DelegateFactory, EventFactory
from tests.helpers import manage_url, staff_user

pytestmark = pytest.mark.django_db

DESK_PAGES = ["desk", "list", "walk-in", "badges"]


@pytest.mark.parametrize("group", ["Organisers", "Event staff"])
def test_organisers_and_event_staff_can_check_in(group):
    assert Group.objects.get(name=group).permissions.filter(codename="check_in").exists()


@pytest.mark.parametrize("name", DESK_PAGES)
def test_staff_without_the_permission_get_403(client, name):
    event = EventFactory()
    client.force_login(staff_user("export_attendees", "view_delegate"))
    assert client.get(desk_url(event, name)).status_code == 403
    assert client.post(desk_url(event, "scans"), "{}", "application/json").status_code == 403
    assert client.post(desk_url(event, "undo"), "{}", "application/json").status_code == 403


@pytest.mark.parametrize("name", DESK_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(desk_url(EventFactory(), name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_desk_page_may_use_the_camera_no_other_page_may(client):
    event = EventFactory()
    client.force_login(staff_user(groups=["Event staff"]))
    desk = client.get(desk_url(event))
    assert desk.status_code == 200
    assert "camera=(self)" in desk["Permissions-Policy"]
    assert (
        "camera=()" in client.get(reverse("staff:event", args=[event.slug]))["Permissions-Policy"]
    )
    assert "no-store" in desk["Cache-Control"]


def test_a_check_in_code_cannot_open_the_manage_pages(client):
    delegate = DelegateFactory()
    code = check_in_code(delegate)
    for name in [
        "registration:manage",
        "registration:cancel",
        "registration:delete",
        "registration:delegate-ics",
        "registration:my-data",
    ]:
        assert client.get(manage_url(delegate, name, token=code)).status_code == 404
    assert client.post(manage_url(delegate, token=code), {}).status_code == 404


def test_a_manage_token_is_not_a_check_in_code(db):
    from symposium.tokens import make_manage_token

    delegate = DelegateFactory()
    token = make_manage_token(delegate)
    assert delegate_id_for_code(event_id=delegate.event_id, code=token) is None
    assert delegate_id_for_code(event_id=delegate.event_id, code=check_in_code(delegate)) == (
        delegate.pk
    )


def test_sign_out_ends_the_session_and_tells_the_browser_to_forget_the_list(client):
    client.force_login(staff_user(groups=["Event staff"]))
    response = client.post(reverse("checkin-sign-out"))
    assert response["Clear-Site-Data"] == '"storage"'
    assert client.get(desk_url(EventFactory())).status_code == 302
