"""Pages that hold one delegate's details tell every cache, the browser's included, not
to keep them: Cache-Control: no-store."""

import pytest
from django.http import HttpResponse

from registration.views import remember_registration
from symposium.enums import RegistrationStatus
from tests.factories import DelegateFactory, EventFactory
from tests.helpers import manage_url

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def delegate():
    return DelegateFactory(event=EventFactory())


def assert_not_stored(response):
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives


@pytest.mark.parametrize(
    "page",
    [
        "registration:manage",
        "registration:cancel",
        "registration:delete",
        "registration:delegate-ics",
        "registration:my-data",
    ],
)
def test_manage_pages_are_never_stored(client, delegate, page):
    response = client.get(manage_url(delegate, page))
    assert response.status_code == 200
    assert_not_stored(response)


def test_a_refused_manage_link_is_never_stored(client, delegate):
    delegate.status = RegistrationStatus.CANCELLED
    delegate.save()
    response = client.get(manage_url(delegate, "registration:cancel"))
    assert response.status_code == 404
    assert_not_stored(response)


def test_the_manage_forms_answer_is_never_stored(client, delegate):
    response = client.post(manage_url(delegate), {})
    assert response.status_code == 200
    assert_not_stored(response)


def remember(client, event_pk, delegate_pk):
    """What the register POST leaves in the browser (a signed cookie)."""
    response = remember_registration(
        HttpResponse(), event_pk=event_pk, delegate_pk=delegate_pk, held=False
    )
    client.cookies.update(response.cookies)


def test_the_you_are_registered_page_is_never_stored(client, delegate):
    remember(client, delegate.event.pk, delegate.pk)
    response = client.get(f"/events/{delegate.event.slug}/register/done/")
    assert response.status_code == 200
    assert delegate.email in response.content.decode()
    assert_not_stored(response)


def test_the_check_your_email_page_is_never_stored(client, delegate):
    remember(client, delegate.event.pk, None)
    response = client.get(f"/events/{delegate.event.slug}/register/done/")
    assert response.status_code == 200
    assert_not_stored(response)
