"""The check-in QR code in the emails that confirm a place: an inline PNG the HTML
refers to by Content-ID, the short code in both parts."""

from email.mime.image import MIMEImage

from checkin import qr
from checkin.codes import check_in_code
from symposium import outbox
from symposium.enums import RegistrationStatus
from symposium.models import Delegate

# The emails that tell a delegate they have a place.
KINDS = {"registered", "event_place"}


def wanted(kind: str, delegate: Delegate) -> bool:
    return kind in KINDS and delegate.status == RegistrationStatus.CONFIRMED


def context(delegate: Delegate) -> dict:
    return {"checkin_code": check_in_code(delegate), "checkin_qr_cid": qr.EMAIL_CONTENT_ID}


# Messages already in django-mailer's queue are pickles that name this module.
HtmlEmail = outbox.HtmlEmail


def attach(message: HtmlEmail, delegate: Delegate) -> None:
    image = MIMEImage(qr.png_bytes(delegate), "png")
    image.add_header("Content-ID", f"<{qr.EMAIL_CONTENT_ID}>")
    image.add_header("Content-Disposition", "inline")
    message.inline_images.append(image)
