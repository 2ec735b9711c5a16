"""Speaker photos uploaded by organisers: what is refused, and what is stored instead."""

import re
import struct
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from speakers.models import Speaker
from tests.factories import SpeakerFactory

# Also: no DecompressionBombWarning escapes while a large image is refused.
pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("error")]

NOT_A_PHOTO = "Upload a JPEG, PNG or WebP photo. This file is not one of those."
DAMAGED = "This photo is damaged or incomplete. Save it again and upload the new file."
TOO_BIG = "This file is larger than 5 MB. Upload a smaller photo."
TOO_MANY_PIXELS = (
    "This photo is larger than 25 megapixels (for example 5000 × 5000 pixels). "
    "Upload a smaller photo."
)
FIVE_MB = 5 * 1024 * 1024


# Files ---------------------------------------------------------------------------------------


def image_bytes(image_format, size=(400, 300), mode="RGB", **options):
    out = BytesIO()
    Image.new(mode, size, "teal" if mode == "RGB" else 0).save(out, image_format, **options)
    return out.getvalue()


def png_claiming_size(width, height):
    """A 1×1 PNG whose header claims `width`×`height`: a decompression bomb in ~70 bytes."""
    data = bytearray(image_bytes("PNG", size=(1, 1), mode="L"))
    ihdr = b"IHDR" + struct.pack(">II", width, height) + data[24:29]
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(ihdr))
    return bytes(data)


def jpeg_with_exif():
    """A JPEG that says where it was taken, on what camera, who by, and to turn it upright."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Orientation] = 6  # rotate 90° clockwise to display
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 0.0)
    return image_bytes("JPEG", size=(400, 300), exif=exif, comment="Priya Nair, at home")


def noisy_jpeg():
    """A photo-like JPEG (about 60 kB) whose pixel data is most of the file."""
    out = BytesIO()
    Image.effect_noise((400, 300), 64).save(out, "JPEG")
    return out.getvalue()


def padded_to(data, size):
    return data + b"\0" * (size - len(data))


def upload(data, name, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


BAD_FILES = {
    "bomb": (lambda: upload(png_claiming_size(40_000, 40_000), "bomb.png"), TOO_MANY_PIXELS),
    # Between Pillow's warning (89 MP) and its own refusal (179 MP).
    "bomb_pillow_warns": (
        lambda: upload(png_claiming_size(10_000, 10_000), "bomb.png"),
        TOO_MANY_PIXELS,
    ),
    # Under Pillow's limits: only our header check stops it. Decoding the missing pixels
    # would have said "damaged" instead.
    "bomb_36_mp": (lambda: upload(png_claiming_size(6000, 6000), "bomb.png"), TOO_MANY_PIXELS),
    "pdf_renamed_jpg": (
        lambda: upload(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n", "cv.jpg"),
        NOT_A_PHOTO,
    ),
    "truncated_jpeg": (
        lambda: upload(noisy_jpeg()[:10_000], "portrait.jpg"),
        DAMAGED,
    ),
    "svg": (
        lambda: upload(
            b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
            b"<script>alert(1)</script></svg>",
            "portrait.svg",
            "image/svg+xml",
        ),
        NOT_A_PHOTO,
    ),
    "gif": (lambda: upload(image_bytes("GIF"), "portrait.gif", "image/gif"), NOT_A_PHOTO),
    "over_5_mb": (
        lambda: upload(padded_to(image_bytes("JPEG"), FIVE_MB + 1), "portrait.jpg"),
        TOO_BIG,
    ),
    "over_25_mp": (
        lambda: upload(image_bytes("PNG", size=(5000, 5001), mode="L"), "portrait.png"),
        TOO_MANY_PIXELS,
    ),
}


def stored_files(settings):
    media = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


# Through the admin ---------------------------------------------------------------------------


def change_url(speaker):
    return reverse("admin:speakers_speaker_change", args=[speaker.pk])


def change_form(speaker, **changes):
    data = {
        "name": speaker.name,
        "slug": speaker.slug,
        "role": speaker.role,
        "organisation": speaker.organisation,
        "biography": speaker.biography,
    }
    return {**data, **changes}


@pytest.mark.parametrize("bad_file", BAD_FILES)
def test_admin_refuses_bad_photo_next_to_the_field_and_saves_nothing(
    organiser_client, settings, bad_file
):
    make_file, message = BAD_FILES[bad_file]
    speaker = SpeakerFactory(name="Priya Nair")

    response = organiser_client.post(
        change_url(speaker), change_form(speaker, name="Dr Priya Nair", photo=make_file())
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"photo": [message]}
    assert (
        f'<ul class="errorlist" id="id_photo_error"><li>{message}</li></ul>'
        in response.content.decode()
    )
    # The rest of what was typed is kept for the next attempt.
    assert response.context["adminform"].form["name"].value() == "Dr Priya Nair"
    speaker.refresh_from_db()
    assert speaker.name == "Priya Nair"
    assert (speaker.photo.name, speaker.photo_thumbnail.name) == ("", "")
    assert stored_files(settings) == []


def test_admin_accepts_jpeg_and_stores_a_clean_upright_copy_under_a_random_name(
    organiser_client, settings
):
    original = jpeg_with_exif()
    with Image.open(BytesIO(original)) as uploaded:
        exif = uploaded.getexif()
        assert (exif[ExifTags.Base.Make], exif[ExifTags.Base.Orientation]) == ("Canon", 6)
        assert exif.get_ifd(ExifTags.IFD.GPSInfo) == {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (51.0, 30.0, 0.0),
        }
        assert uploaded.info["comment"] == b"Priya Nair, at home"
    speaker = SpeakerFactory()

    response = organiser_client.post(
        change_url(speaker),
        change_form(speaker, photo=upload(original, "Priya at home, Maidstone.JPEG")),
    )

    assert response.status_code == 302
    speaker.refresh_from_db()
    assert re.fullmatch(r"speakers/[0-9a-f]{32}\.jpg", speaker.photo.name)
    with Image.open(speaker.photo.path) as stored:
        assert stored.format == "JPEG"
        assert dict(stored.getexif()) == {}
        assert "exif" not in stored.info
        assert "comment" not in stored.info
        assert stored.size == (300, 400)  # turned upright before the EXIF was dropped
    assert stored_files(settings) == sorted([speaker.photo.name, speaker.photo_thumbnail.name])


@pytest.mark.parametrize(
    ("image_format", "mode", "uploaded_name", "extension"),
    [
        ("PNG", "RGB", "portrait.png", "png"),
        ("PNG", "RGBA", "portrait.jpg", "png"),
        ("WEBP", "RGB", "portrait.webp", "webp"),
        ("WEBP", "RGB", "portrait.png", "webp"),
    ],
)
def test_admin_accepts_png_and_webp_stored_with_their_own_extension(
    organiser_client, image_format, mode, uploaded_name, extension
):
    speaker = SpeakerFactory()
    data = image_bytes(image_format, mode=mode)

    response = organiser_client.post(
        change_url(speaker), change_form(speaker, photo=upload(data, uploaded_name))
    )

    assert response.status_code == 302
    speaker.refresh_from_db()
    assert re.fullmatch(rf"speakers/[0-9a-f]{{32}}\.{extension}", speaker.photo.name)
    with Image.open(speaker.photo.path) as stored:
        assert (stored.format, stored.mode, stored.size) == (image_format, mode, (400, 300))
    assert speaker.photo_thumbnail.width == speaker.photo_thumbnail.height == 240


def test_admin_stores_photo_without_anything_appended_to_it(organiser_client):
    speaker = SpeakerFactory()
    payload = b"<?php system($_GET['c']); ?>"

    response = organiser_client.post(
        change_url(speaker),
        change_form(speaker, photo=upload(image_bytes("JPEG") + payload, "portrait.jpg")),
    )

    assert response.status_code == 302
    speaker.refresh_from_db()
    assert payload not in Path(speaker.photo.path).read_bytes()


def test_admin_keeps_stored_photo_when_other_fields_change(organiser_client):
    speaker = SpeakerFactory(photo=upload(image_bytes("PNG"), "portrait.png"))
    photo_name = speaker.photo.name

    response = organiser_client.post(change_url(speaker), change_form(speaker, role="Chair"))

    assert response.status_code == 302
    speaker.refresh_from_db()
    assert (speaker.role, speaker.photo.name) == ("Chair", photo_name)


def test_admin_file_picker_offers_only_accepted_formats(organiser_client):
    response = organiser_client.get(reverse("admin:speakers_speaker_add"))

    assert 'accept="image/jpeg,image/png,image/webp"' in response.content.decode()


# Through the model ---------------------------------------------------------------------------


@pytest.mark.parametrize("bad_file", BAD_FILES)
def test_full_clean_refuses_bad_photo(bad_file):
    make_file, message = BAD_FILES[bad_file]
    speaker = SpeakerFactory.build(photo=make_file())

    with pytest.raises(ValidationError) as refused:
        speaker.full_clean()

    assert refused.value.message_dict == {"photo": [message]}


def test_full_clean_accepts_photo_of_exactly_5_mb_and_25_megapixels():
    at_limit = padded_to(image_bytes("PNG", size=(5000, 5000), mode="L"), FIVE_MB)
    speaker = SpeakerFactory.build(photo=upload(at_limit, "portrait.png"))

    speaker.full_clean()


def test_saving_bad_photo_without_a_form_is_refused_and_stores_nothing(settings):
    speaker = SpeakerFactory.build(photo=upload(b"%PDF-1.4\n%%EOF\n", "cv.jpg"))

    with pytest.raises(ValidationError) as refused:
        speaker.save()

    assert refused.value.messages == [NOT_A_PHOTO]
    assert Speaker.objects.count() == 0
    assert stored_files(settings) == []


def test_image_pillow_only_warns_about_is_refused_without_a_warning(recwarn):
    speaker = SpeakerFactory.build(photo=upload(png_claiming_size(10_000, 10_000), "bomb.png"))

    with pytest.raises(ValidationError) as refused:
        speaker.full_clean()

    assert refused.value.messages == [TOO_MANY_PIXELS]
    assert [str(warning.message) for warning in recwarn] == []
