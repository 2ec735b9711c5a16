"""Bad input is a clear 4xx, never a 500: public forms refuse large bodies and files,
and a NUL in a query string (or an admin form) is a 400 before anything queries
PostgreSQL, which refuses NUL in text."""

import os
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from speakers.models import Speaker
from symposium.models import Delegate
from symposium.web.public_posts import MAX_PUBLIC_BODY_BYTES
from tests.factories import DelegateFactory, EventFactory, SpeakerFactory
from tests.helpers import admin_url, manage_url

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def event():
    return EventFactory(slug="kent-medway")


def register_url(event):
    return reverse("registration:register", kwargs={"event_slug": event.slug})


def resend_url(event):
    return reverse("registration:resend-link", kwargs={"event_slug": event.slug})


def padding(size):
    return "x" * size


# Large bodies and files on the public forms ------------------------------------------------


def test_a_registration_over_the_body_limit_gets_the_413_page(client, event):
    response = client.post(
        register_url(event),
        {"email": "sam@example.org", "access_needs": padding(MAX_PUBLIC_BODY_BYTES)},
    )
    assert response.status_code == 413
    assert "Sorry, that was too much to send" in response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert not Delegate.objects.exists()


def test_a_manage_post_over_the_body_limit_gets_the_413_page(client, event):
    delegate = DelegateFactory(event=event, job_title="Public health officer")
    response = client.post(manage_url(delegate), {"job_title": padding(100_000)})
    assert response.status_code == 413
    delegate.refresh_from_db()
    assert delegate.job_title == "Public health officer"


def test_a_resend_link_post_over_the_body_limit_gets_the_413_page(client, event, mailoutbox):
    DelegateFactory(event=event, email="sam@example.org")
    response = client.post(
        resend_url(event), {"email": "sam@example.org", "note": padding(MAX_PUBLIC_BODY_BYTES)}
    )
    assert response.status_code == 413
    assert mailoutbox == []


def test_a_public_post_under_the_body_limit_goes_through(post, event, mailoutbox):
    DelegateFactory(event=event, email="sam@example.org")
    response = post(resend_url(event), {"email": "sam@example.org", "note": padding(60_000)})
    assert response.status_code == 302
    assert len(mailoutbox) == 1


def test_a_registration_carrying_a_file_gets_the_400_page(client, event):
    attachment = SimpleUploadedFile("cv.pdf", b"%PDF-1.4 small", content_type="application/pdf")
    response = client.post(
        register_url(event), {"email": "sam@example.org", "attachment": attachment}
    )
    assert response.status_code == 400
    assert "Sorry, we could not read that request" in response.content.decode()
    assert not Delegate.objects.exists()


def test_a_manage_post_carrying_a_file_gets_the_400_page(client, event):
    delegate = DelegateFactory(event=event)
    photo = SimpleUploadedFile("me.png", b"\x89PNG", content_type="image/png")
    response = client.post(manage_url(delegate), {"photo": photo})
    assert response.status_code == 400


def incompressible_png(side=200):
    out = BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


def test_the_admin_keeps_its_own_limits_for_speaker_photos(organiser_client):
    speaker = SpeakerFactory()
    photo = incompressible_png()
    assert len(photo) > MAX_PUBLIC_BODY_BYTES
    response = organiser_client.post(
        admin_url(Speaker, "change", speaker.pk),
        {
            "name": speaker.name,
            "slug": speaker.slug,
            "role": speaker.role,
            "organisation": speaker.organisation,
            "biography": speaker.biography,
            "photo": SimpleUploadedFile("portrait.png", photo, content_type="image/png"),
        },
    )
    assert response.status_code == 302
    speaker.refresh_from_db()
    assert speaker.photo.name.endswith(".png")


# NUL characters --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "organisation=%00",
        "organisation=Kent%00",
        "sector=%00",
        "status=%00",
        "event__id__exact=%00",
        "q=%00",
        "q=Kent%00Council",
        "%00=1",
    ],
)
def test_a_nul_in_an_admin_changelist_filter_or_search_gets_a_400(organiser_client, query):
    DelegateFactory(organisation="Kent County Council")
    response = organiser_client.get(f"{admin_url(Delegate, 'changelist')}?{query}")
    assert response.status_code == 400
    assert "Sorry, we could not read that request" in response.content.decode()


def test_a_nul_in_an_admin_autocomplete_search_gets_a_400(organiser_client):
    DelegateFactory()
    response = organiser_client.get(
        "/admin/autocomplete/?term=%00&app_label=symposium&model_name=delegate&field_name=event"
    )
    assert response.status_code == 400


def test_a_nul_in_an_admin_actions_selection_gets_a_400(organiser_client):
    delegate = DelegateFactory()
    response = organiser_client.post(
        admin_url(Delegate, "changelist"),
        {"action": "delete_selected", "_selected_action": [str(delegate.pk), "\x00"]},
    )
    assert response.status_code == 400
    assert Delegate.objects.filter(pk=delegate.pk).exists()


def test_the_admin_changelist_filters_still_work_without_a_nul(organiser_client):
    DelegateFactory(organisation="Kent County Council")
    response = organiser_client.get(
        f"{admin_url(Delegate, 'changelist')}?organisation=Kent+County+Council"
    )
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_a_nul_in_a_public_pages_query_string_gets_a_400(client, event):
    assert client.get(f"{event.get_absolute_url()}?utm_source=%00").status_code == 400


def test_a_nul_in_a_public_form_is_the_forms_own_error(client, event):
    response = client.post(resend_url(event), {"email": "sam\x00@example.org"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
