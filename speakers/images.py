"""Square thumbnails for speaker lists, made once when the photo changes."""

from io import BytesIO

from django.core.files.base import ContentFile
from PIL import Image, ImageOps

THUMBNAIL_SIZE = 240


def square_thumbnail(image_file, size=THUMBNAIL_SIZE):
    image_file.seek(0)
    with Image.open(image_file) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
        thumb = ImageOps.fit(image, (size, size), method=Image.Resampling.LANCZOS)
    out = BytesIO()
    thumb.save(out, format="JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue())
