from io import BytesIO

from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from speakers.models import Presentation, PresentationSpeaker, Speaker
from tests.factories import (
    AgendaItemFactory,
    PresentationFactory,
    PresentationSpeakerFactory,
    SpeakerFactory,
)
from tests.helpers import admin_url


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
