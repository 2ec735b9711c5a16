from django import template

from checkin import qr
from checkin.codes import check_in_code
from symposium.enums import RegistrationStatus

register = template.Library()


@register.inclusion_tag("checkin/_code.html")
def checkin_qr(delegate):
    """The delegate's check-in QR code and short code, once they have a place."""
    if delegate.status != RegistrationStatus.CONFIRMED:
        return {"show": False}
    return {"show": True, "code": check_in_code(delegate), "src": qr.svg_data_uri(delegate)}
