"""The check-in code as a QR code: on the manage page, after registering and in the
confirmation email (an inline PNG by Content-ID), with the short code beneath."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from checkin.codes import check_in_code
from registration import emails
from symposium.enums import RegistrationStatus
from symposium.models import Delegate
from tests.factories import DelegateFactory, EventFactory
from tests.helpers import manage_url

pytestmark = pytest.mark.django_db

REGISTRATION = {
    "first_name": "Zoë",
    "last_name": "Ångström",
    "email": "zoe@example.org",
    "organisation": "Kent and Medway ICB",
    "sector": "nhs",
    "privacy_consent": "on",
}


def test_the_manage_page_shows_the_qr_code_and_the_short_code(client):
    delegate = DelegateFactory()
    body = client.get(manage_url(delegate)).content.decode()
    code = check_in_code(delegate)
    assert f"Code: <strong>{code}</strong>" in body
    assert 'src="data:image/svg+xml' in body
    assert f'alt="QR code for check-in code {code}"' in body


def test_a_waitlisted_delegate_has_no_check_in_code_yet(client):
    delegate = DelegateFactory(status=RegistrationStatus.WAITLISTED)
    body = client.get(manage_url(delegate)).content.decode()
    assert "check-in code" not in body.lower()


def test_the_page_after_registering_shows_the_qr_code(post, client):
    event = EventFactory()
    post(reverse("registration:register", args=[event.slug]), REGISTRATION)
    body = client.get(reverse("registration:register-done", args=[event.slug])).content.decode()
    assert check_in_code(Delegate.objects.get()) in body
    assert 'src="data:image/svg+xml' in body


def test_the_confirmation_email_carries_the_qr_inline_by_content_id(post, mailoutbox):
    event = EventFactory()
    post(reverse("registration:register", args=[event.slug]), REGISTRATION)
    [message] = mailoutbox
    code = check_in_code(Delegate.objects.get())
    assert code in message.body
    html = message.alternatives[0][0]
    assert 'src="cid:checkin-qr"' in html
    assert code in html
    mime = message.message()
    [image] = [part for part in mime.walk() if part.get_content_type() == "image/png"]
    assert image["Content-ID"] == "<checkin-qr>"
    assert image.get_content_disposition() == "inline"
    assert message.attachments == [
        (f"{event.slug}.ics", message.attachments[0][1], "text/calendar")
    ]
    [related] = [p for p in mime.walk() if p.get_content_type() == "multipart/related"]
    assert [p.get_content_type() for p in related.get_payload()] == ["text/html", "image/png"]
    assert Image.open(io.BytesIO(image.get_payload(decode=True))).format == "PNG"


def test_an_email_to_a_waitlisted_delegate_has_no_code(db):
    delegate = DelegateFactory(status=RegistrationStatus.WAITLISTED)
    message = emails.build("registered", delegate.pk, None)
    assert "check-in code" not in message.body
    assert not [p for p in message.message().walk() if p.get_content_type() == "image/png"]
