"""Speaker photos: the upload rules, the clean copy that is stored, and square thumbnails."""

import warnings
from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

THUMBNAIL_SIZE = 240

# Pillow's name for each accepted format, and the extension its clean copy is stored under.
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
PHOTO_SAVE_OPTIONS = {"JPEG": {"quality": 90}, "PNG": {}, "WEBP": {"quality": 90}}
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_MEGAPIXELS = 25
MAX_PHOTO_PIXELS = MAX_PHOTO_MEGAPIXELS * 1_000_000

NOT_A_PHOTO = "Upload a JPEG, PNG or WebP photo. This file is not one of those."
DAMAGED_PHOTO = "This photo is damaged or incomplete. Save it again and upload the new file."
PHOTO_TOO_BIG = f"This file is larger than {MAX_PHOTO_BYTES // 2**20} MB. Upload a smaller photo."
PHOTO_TOO_MANY_PIXELS = (
    f"This photo is larger than {MAX_PHOTO_MEGAPIXELS} megapixels "
    "(for example 5000 × 5000 pixels). Upload a smaller photo."
)


def open_photo(file):
    """Return an uploaded photo decoded and turned upright, or raise ValidationError.

    The file's size and the dimensions in the image header are checked before any pixel
    is decoded, so a decompression bomb is refused without being expanded. Only the
    JPEG, PNG and WebP parsers ever see the file.
    """
    if file.size > MAX_PHOTO_BYTES:
        raise ValidationError(PHOTO_TOO_BIG, code="photo_too_big")
    file.seek(0)
    try:
        # Pillow warns (rather than refuses) between 89 and 179 megapixels.
        with warnings.catch_warnings(action="error", category=Image.DecompressionBombWarning):
            image = Image.open(file, formats=list(PHOTO_FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(PHOTO_TOO_MANY_PIXELS, code="photo_too_many_pixels") from None
    except Exception:
        raise ValidationError(NOT_A_PHOTO, code="not_a_photo") from None
    with image:
        if image.width * image.height > MAX_PHOTO_PIXELS:
            raise ValidationError(PHOTO_TOO_MANY_PIXELS, code="photo_too_many_pixels")
        try:
            upright = ImageOps.exif_transpose(image)  # decodes every pixel
        except Exception:
            raise ValidationError(DAMAGED_PHOTO, code="damaged_photo") from None
        upright.format = image.format
    return upright


def validate_speaker_photo(file):
    """Model field validator for a new photo; one already stored was checked on upload."""
    if getattr(file, "_committed", False):
        return
    open_photo(file).close()


def reencoded_photo(file):
    """A clean copy of an uploaded photo to store in its place, named `photo.<extension>`.

    Upright, in the upload's format, with no metadata (EXIF, XMP, comments, colour
    profile) and nothing after the image data. Raises ValidationError as open_photo does.
    """
    image = open_photo(file)
    image_format = image.format
    has_alpha = image_format != "JPEG" and image.has_transparency_data
    clean = image.convert("RGBA" if has_alpha else "RGB")
    clean.info.clear()
    out = BytesIO()
    clean.save(out, format=image_format, **PHOTO_SAVE_OPTIONS[image_format])
    return ContentFile(out.getvalue(), name=f"photo.{PHOTO_FORMATS[image_format]}")


def square_thumbnail(image_file, size=THUMBNAIL_SIZE):
    image_file.seek(0)
    with Image.open(image_file) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
        thumb = ImageOps.fit(image, (size, size), method=Image.Resampling.LANCZOS)
    out = BytesIO()
    thumb.save(out, format="JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue())
