from io import BytesIO

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from speakers.models import Presentation, PresentationSpeaker, Speaker
from tests.factories import (
    AgendaItemFactory,
    PresentationFactory,
    PresentationSpeakerFactory,
    SpeakerFactory,
)


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def organiser(organiser):
    # UserFactory leaves the password unsaved; a session made before saving logs out.
    organiser.save()
    return organiser


def photo_upload():
    out = BytesIO()
    Image.new("RGB", (400, 300), "teal").save(out, format="PNG")
    return SimpleUploadedFile("portrait.png", out.getvalue(), content_type="image/png")


def make_speaker():
    return SpeakerFactory(photo=photo_upload())


def make_presentation():
    presentation = PresentationFactory()
    PresentationSpeakerFactory(presentation=presentation, order=1)
    PresentationSpeakerFactory(presentation=presentation, order=2)
    return presentation


MAKERS = {Speaker: make_speaker, Presentation: make_presentation}


def test_speakers_models_are_registered_or_inline():
    models = set(apps.get_app_config("speakers").get_models())

    assert models == {*MAKERS, PresentationSpeaker}
    assert all(admin.site.is_registered(model) for model in MAKERS)
    # Speaker bookings are edited inside their presentation.
    assert not admin.site.is_registered(PresentationSpeaker)


@pytest.mark.parametrize("model", MAKERS, ids=lambda m: m.__name__)
def test_changelist_loads_for_organiser(organiser_client, model):
    MAKERS[model]()

    response = organiser_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


@pytest.mark.parametrize("model", MAKERS, ids=lambda m: m.__name__)
def test_add_page_loads_for_organiser(organiser_client, model):
    response = organiser_client.get(admin_url(model, "add"))

    assert response.status_code == 200


@pytest.mark.parametrize("model", MAKERS, ids=lambda m: m.__name__)
def test_change_page_loads_for_organiser(organiser_client, model):
    obj = MAKERS[model]()

    response = organiser_client.get(admin_url(model, "change", obj.pk))

    assert response.status_code == 200
    assert response.context["original"] == obj


@pytest.mark.parametrize("model", MAKERS, ids=lambda m: m.__name__)
def test_changelist_query_count_is_the_same_for_one_and_five_rows(
    organiser_client, django_assert_num_queries, model
):
    url = admin_url(model, "changelist")
    MAKERS[model]()
    organiser_client.get(url)  # warm per-process caches (content types, sessions)
    with CaptureQueriesContext(connection) as one_row:
        response = organiser_client.get(url)
    assert response.context["cl"].result_count == 1
    for _ in range(4):
        MAKERS[model]()

    with django_assert_num_queries(len(one_row)):
        response = organiser_client.get(url)

    assert response.context["cl"].result_count == 5


def test_speaker_changelist_shows_thumbnail_with_alt_text(organiser_client):
    speaker = make_speaker()

    response = organiser_client.get(admin_url(Speaker, "changelist"))

    image = (
        f'<img src="{speaker.photo_thumbnail.url}" alt="Photo of {speaker.name}" '
        'width="60" height="60">'
    )
    assert image in response.content.decode()


def test_speaker_change_page_shows_thumbnail_as_read_only_field(organiser_client):
    speaker = make_speaker()

    response = organiser_client.get(admin_url(Speaker, "change", speaker.pk))

    image = f'<img src="{speaker.photo_thumbnail.url}" alt="Photo of {speaker.name}"'
    assert image in response.content.decode()
    assert "photo_preview" in response.context["adminform"].readonly_fields


def test_speaker_without_photo_says_so(organiser_client):
    speaker = SpeakerFactory()

    response = organiser_client.get(admin_url(Speaker, "change", speaker.pk))

    assert '<div class="readonly">No photo</div>' in response.content.decode()


def test_presentation_changelist_lists_speakers_in_billing_order(organiser_client):
    presentation = PresentationFactory()
    PresentationSpeakerFactory(presentation=presentation, speaker__name="Zara Ahmed", order=1)
    PresentationSpeakerFactory(presentation=presentation, speaker__name="Anna Brown", order=2)

    response = organiser_client.get(admin_url(Presentation, "changelist"))

    assert '<td class="field-speaker_names">Zara Ahmed, Anna Brown</td>' in (
        response.content.decode()
    )


def test_speaker_autocomplete_finds_speaker_by_organisation(organiser_client):
    speaker = SpeakerFactory(name="Priya Shah", organisation="Kent Police")
    SpeakerFactory(name="Tom Jones", organisation="Medway Council")

    response = organiser_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "police",
            "app_label": "speakers",
            "model_name": "presentationspeaker",
            "field_name": "speaker",
        },
    )

    assert response.status_code == 200
    assert response.json()["results"] == [{"id": str(speaker.pk), "text": "Priya Shah"}]


def test_presentation_admin_saves_speakers_in_order(organiser_client):
    item = AgendaItemFactory()
    first, second = SpeakerFactory(), SpeakerFactory()
    data = {
        "agenda_item": item.pk,
        "title": "Working together on prevention",
        "kind": "talk",
        "order": 0,
        "abstract": "",
        "speaker_bookings-TOTAL_FORMS": 2,
        "speaker_bookings-INITIAL_FORMS": 0,
        "speaker_bookings-0-speaker": second.pk,
        "speaker_bookings-0-order": 2,
        "speaker_bookings-1-speaker": first.pk,
        "speaker_bookings-1-order": 1,
    }

    response = organiser_client.post(admin_url(Presentation, "add"), data)

    assert response.status_code == 302
    presentation = Presentation.objects.get()
    bookings = presentation.speaker_bookings.all()
    assert [(b.speaker, b.agenda_item, b.starts_at) for b in bookings] == [
        (first, item, item.starts_at),
        (second, item, item.starts_at),
    ]
