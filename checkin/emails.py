"""The check-in QR code in the emails that confirm a place: an inline PNG the HTML
refers to by Content-ID, the short code in both parts."""

from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEMultipart

from checkin import qr
from checkin.codes import check_in_code
from symposium.enums import RegistrationStatus
from symposium.models import Delegate

# The emails that tell a delegate they have a place.
KINDS = {"registered", "event_place"}


def wanted(kind: str, delegate: Delegate) -> bool:
    return kind in KINDS and delegate.status == RegistrationStatus.CONFIRMED


def context(delegate: Delegate) -> dict:
    return {"checkin_code": check_in_code(delegate), "checkin_qr_cid": qr.EMAIL_CONTENT_ID}


class HtmlEmail(EmailMultiAlternatives):
    """An email whose HTML may show images by Content-ID: the HTML part goes into a
    multipart/related with its images, so mail programs show them in place and do not
    list them as attachments (the calendar stays the only attachment)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.inline_images: list[MIMEImage] = []

    def _create_alternatives(self, msg):
        msg = super()._create_alternatives(msg)
        if not self.inline_images or not msg.is_multipart():
            return msg
        parts = msg.get_payload()
        for index, part in enumerate(parts):
            if part.get_content_type() == "text/html":
                related = SafeMIMEMultipart(
                    _subtype="related", encoding=self.encoding or settings.DEFAULT_CHARSET
                )
                related.attach(part)
                for image in self.inline_images:
                    related.attach(image)
                parts[index] = related
        return msg


def attach_qr(message: HtmlEmail, delegate: Delegate) -> None:
    image = MIMEImage(qr.png_bytes(delegate), "png")
    image.add_header("Content-ID", f"<{qr.EMAIL_CONTENT_ID}>")
    image.add_header("Content-Disposition", "inline")
    message.inline_images.append(image)
