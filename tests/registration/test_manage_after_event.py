"""After the event the manage link in every email still opens: a page that says the
event is over and offers the delegate's own data, a copy to download or deleted now.
Nothing can be changed or cancelled any more, and deleting tells nobody anything."""

import datetime as dt
import json
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from bench.browser_form import browser_post_data
from symposium.enums import RegistrationStatus
from symposium.models import Delegate
from tests.factories import DelegateFactory, EventFactory
from tests.helpers import delegate_details, manage_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def event():
    ended = timezone.localdate() - dt.timedelta(days=2)
    return EventFactory(
        name="Kent and Medway ICS symposium",
        starts_on=ended,
        ends_on=ended,
        registration_opens_at=timezone.now() - dt.timedelta(days=30),
        registration_closes_at=timezone.now() - dt.timedelta(days=3),
        delegate_capacity=1,
    )


@pytest.fixture
def sam(event):
    return DelegateFactory(
        event=event, first_name="Sam", last_name="Okafor", email="sam.okafor@medway.gov.uk"
    )


@pytest.fixture
def visitor():
    return Client(enforce_csrf_checks=True)


def link(html, text):
    [href] = re.findall(rf'<a href="([^"]+)">{re.escape(text)}', html)
    return href


def test_the_manage_link_opens_a_page_saying_the_event_is_over(visitor, sam):
    response = visitor.get(manage_url(sam))

    assert response.status_code == 200
    html = response.text
    assert "<h1>Kent and Medway ICS symposium is over</h1>" in html
    assert "can no longer be changed or cancelled" in html
    assert "<form" not in html
    assert link(html, "Download your information (JSON file)")
    assert link(html, "Delete your registration and your information now")


def test_its_download_gives_the_delegate_their_data(visitor, sam):
    page = visitor.get(manage_url(sam)).text

    response = visitor.get(link(page, "Download your information (JSON file)"))

    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["registration"]["email"] == "sam.okafor@medway.gov.uk"


def test_its_delete_erases_the_registration_and_emails_nobody(visitor, event, sam):
    waiting = DelegateFactory(event=event, status=RegistrationStatus.WAITLISTED)
    page = visitor.get(manage_url(sam)).text
    confirm = visitor.get(link(page, "Delete your registration and your information now"))
    assert "will be given to the people waiting" not in confirm.text

    response = visitor.post(confirm.request["PATH_INFO"], browser_post_data(confirm.text, {}))

    assert response.status_code == 302
    assert not Delegate.objects.filter(pk=sam.pk).exists()
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.WAITLISTED
    assert mail.outbox == []
    assert visitor.get(manage_url(sam)).status_code == 404


def test_nothing_can_be_changed_after_the_event(visitor, sam):
    page = visitor.get(manage_url(sam))
    visitor.get(link(page.text, "Delete your registration and your information now"))
    token = visitor.cookies["csrftoken"].value  # A real one, from the page with a form.

    response = visitor.post(
        manage_url(sam),
        delegate_details(sam, last_name="Changed") | {"csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    sam.refresh_from_db()
    assert sam.last_name == "Okafor"
    assert page.status_code == 200
