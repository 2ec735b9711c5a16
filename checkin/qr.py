"""The check-in code as a QR code (segno): SVG for pages, PNG for emails."""

import io

import segno

from checkin.codes import check_in_code
from symposium.models import Delegate

# Referred to as <img src="cid:checkin-qr"> in the HTML email.
EMAIL_CONTENT_ID = "checkin-qr"


def _qr(delegate: Delegate) -> segno.QRCode:
    return segno.make(check_in_code(delegate), error="m", micro=False)


def svg_data_uri(delegate: Delegate) -> str:
    """For an <img src>: the Content-Security-Policy allows data: images, and an <img>
    needs no inline style."""
    return _qr(delegate).svg_data_uri(scale=6, border=4)


def png_bytes(delegate: Delegate, *, scale: int = 8) -> bytes:
    out = io.BytesIO()
    _qr(delegate).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
