"""The check-in code as a QR code (segno): SVG for pages, PNG for emails."""

import io

import segno
from django.core.cache import cache

from checkin.codes import check_in_code
from symposium.models import Delegate

# Referred to as <img src="cid:checkin-qr"> in the HTML email.
EMAIL_CONTENT_ID = "checkin-qr"


def _qr(delegate: Delegate) -> segno.QRCode:
    return segno.make(check_in_code(delegate), error="m", micro=False)


# Drawing the code costs ~10 ms of CPU, most of a manage page's; the drawing of a code
# never changes, so it is kept a day in the shared cache (it holds only the code).
SVG_TIMEOUT = 24 * 60 * 60


def svg_data_uri(delegate: Delegate) -> str:
    """For an <img src>: the Content-Security-Policy allows data: images, and an <img>
    needs no inline style."""
    code = check_in_code(delegate)
    key = f"checkin-qr-svg:{code}"
    uri = cache.get(key)
    if uri is None:
        uri = segno.make(code, error="m", micro=False).svg_data_uri(scale=6, border=4)
        cache.set(key, uri, SVG_TIMEOUT)
    return uri


def png_bytes(delegate: Delegate, *, scale: int = 8) -> bytes:
    out = io.BytesIO()
    _qr(delegate).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
