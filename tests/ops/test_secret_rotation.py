"""Rotating SECRET_KEY (docs/running.md): with the old key in SECRET_KEY_FALLBACKS, what
was signed with it still works (a manage link, a check-in code, an organiser's session);
once the old key is dropped from the list, none of it does."""

import pytest
from django.test import Client

from checkin.codes import check_in_code, delegate_id_for_code
from tests.factories import DelegateFactory
from tests.helpers import manage_url

OLD_KEY = "old-secret-key-" + "o" * 40
NEW_KEY = "new-secret-key-" + "n" * 40


@pytest.fixture
def signed_with_the_old_key(db, settings, organiser):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD_KEY, []
    delegate = DelegateFactory()
    staff = Client()
    staff.force_login(organiser)
    assert staff.get("/admin/").status_code == 200
    return delegate, manage_url(delegate), check_in_code(delegate), staff


def test_after_rotation_the_old_keys_links_codes_and_sessions_still_work(
    settings, signed_with_the_old_key, client
):
    delegate, link, code, staff = signed_with_the_old_key
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]

    assert client.get(link).status_code == 200
    assert delegate_id_for_code(event_id=delegate.event_id, code=code) == delegate.pk
    assert staff.get("/admin/").status_code == 200
    # What is made now is signed with the new key, and works too.
    assert manage_url(delegate) != link
    assert client.get(manage_url(delegate)).status_code == 200
    assert check_in_code(delegate) != code
    assert delegate_id_for_code(event_id=delegate.event_id, code=check_in_code(delegate))


def test_once_the_old_key_is_dropped_they_stop_working(settings, signed_with_the_old_key, client):
    delegate, link, code, staff = signed_with_the_old_key
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, []

    assert client.get(link).status_code == 404
    assert delegate_id_for_code(event_id=delegate.event_id, code=code) is None
    signed_out = staff.get("/admin/")
    assert signed_out.status_code == 302
    assert signed_out["Location"].startswith("/admin/login/")
