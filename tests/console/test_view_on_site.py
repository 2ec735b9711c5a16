"""Django's view-on-site redirect (/admin/r/<content type>/<pk>/) calls
`get_absolute_url()` with no argument: every model with a public page follows that
contract, and the redirect leads to a page that opens."""

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from speakers.models import Speaker
from symposium.models import Event
from tests.factories import PresentationSpeakerFactory, SpeakerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
PROJECT_APPS = ("symposium", "speakers", "breakouts", "mailings", "checkin")


def shortcut_url(obj):
    content_type = ContentType.objects.get_for_model(obj)
    return reverse("admin:view_on_site", args=[content_type.pk, obj.pk])


@pytest.fixture
def objects_with_pages():
    """One saved object of every project model that has a public page."""
    booking = PresentationSpeakerFactory(presentation__agenda_item__event__is_published=True)
    made = {Event: booking.presentation.agenda_item.event, Speaker: booking.speaker}
    models = [
        model
        for app in PROJECT_APPS
        for model in apps.get_app_config(app).get_models()
        if hasattr(model, "get_absolute_url")
    ]
    assert set(models) == set(made), "a new model with a public page: add it here"
    return list(made.values())


def test_the_view_on_site_redirect_opens_every_public_page(organiser_client, objects_with_pages):
    for obj in objects_with_pages:
        response = organiser_client.get(shortcut_url(obj))

        assert response.status_code == 302, obj
        assert response["Location"].endswith(obj.get_absolute_url())
        page = organiser_client.get(obj.get_absolute_url())
        assert page.status_code == 200, obj
        assert obj.name in page.content.decode()


def test_a_speaker_is_shown_at_the_latest_event_they_present_at(organiser_client):
    speaker = SpeakerFactory()
    earlier = PresentationSpeakerFactory(
        speaker=speaker, presentation__agenda_item__event__is_published=True
    ).presentation.agenda_item.event
    later = PresentationSpeakerFactory(
        speaker=speaker,
        presentation__agenda_item__event__is_published=True,
        presentation__agenda_item__event__starts_on=earlier.starts_on.replace(
            year=earlier.starts_on.year + 1
        ),
    ).presentation.agenda_item.event

    response = organiser_client.get(shortcut_url(speaker), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith(
        reverse("speakers:speaker-detail", args=[later.slug, speaker.slug])
    )


def test_a_speaker_at_no_event_is_not_found_rather_than_an_error(organiser_client):
    speaker = SpeakerFactory()

    assert organiser_client.get(shortcut_url(speaker)).status_code == 404
