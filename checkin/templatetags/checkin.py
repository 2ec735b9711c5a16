from django import template
from django.conf import settings

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


@register.inclusion_tag("checkin/_attendance.html")
def checkin_attendance(event):
    """Live attendance: drawn here, then refreshed by static/checkin/attendance.js."""
    from checkin.selectors import attendance

    every = getattr(settings, "CHECKIN_ATTENDANCE_REFRESH_SECONDS", 15)
    return {"event": event, "attendance": attendance(event=event), "every": every}
