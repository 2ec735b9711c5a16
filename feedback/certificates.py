"""Certificates of attendance as a PDF, drawn with ReportLab in the badges' fonts
(checkin.badges: DejaVu Sans embedded, BADGE_FONT for scripts it cannot set).

A certificate is for a delegate the desk checked in (a standing check-in), from the
moment their manage link says the event is over (the day after its last day). It shows
their name, the event, its date and venue, the sessions attended (the plenary
programme and each breakout session they held a place in) and the CPD time by the rule
in feedback.selectors.attendance.
"""

import io

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from checkin.badges import Box, fit_lines, fonts
from feedback import selectors
from symposium.enums import RegistrationStatus
from symposium.models import Delegate, clock
from symposium.tokens import manage_link_expires_at

MARGIN = 22 * mm
WIDTH = A4[0] - 2 * MARGIN


def _day(event) -> str:
    first, last = event.starts_on, event.ends_on
    if first == last:
        return f"{first:%A} {first.day} {first:%B %Y}"
    return f"{first.day} {first:%B %Y} to {last.day} {last:%B %Y}"


def _centred(canvas, text, font, size, y, *, sizes=None):
    size, lines = fit_lines(text, font, sizes or (size, 9), Box(0, 0, WIDTH, size * 3), 2)
    canvas.setFont(font, size)
    for line in lines:
        canvas.drawCentredString(A4[0] / 2, y, line)
        y -= size * 1.25
    return y


def certificate_pdf(delegate: Delegate) -> bytes:
    """The delegate's certificate, one A4 page. No side effects; two queries."""
    event, face = delegate.event, fonts()
    attendance = selectors.attendance(delegate)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"Certificate of attendance: {event.name}")
    canvas.setAuthor(event.name)
    canvas.setLineWidth(1.5)
    canvas.rect(12 * mm, 12 * mm, A4[0] - 24 * mm, A4[1] - 24 * mm)
    y = A4[1] - 45 * mm
    y = _centred(canvas, "Certificate of attendance", face.bold, 26, y) - 8 * mm
    y = _centred(canvas, "This is to certify that", face.regular, 12, y) - 4 * mm
    name = delegate.full_name
    y = _centred(canvas, name, face.for_text(name, bold=True), 22, y, sizes=(22, 12)) - 2 * mm
    if delegate.organisation:
        y = _centred(canvas, delegate.organisation, face.for_text(delegate.organisation), 12, y)
    y = _centred(canvas, "attended", face.regular, 12, y - 4 * mm) - 2 * mm
    y = _centred(canvas, event.name, face.for_text(event.name, bold=True), 16, y) - 1 * mm
    where = f"{_day(event)}, {event.venue_name}"
    y = _centred(canvas, where, face.for_text(where), 11, y) - 8 * mm
    canvas.setFont(face.bold, 12)
    canvas.drawString(MARGIN, y, "Sessions attended")
    y -= 7 * mm
    size = 10 if len(attendance.sessions) <= 20 else 8
    several_days = event.starts_on != event.ends_on
    for session in attendance.sessions:
        line = f"{clock(session.starts_at)} to {clock(session.ends_at)}   {session.label}"
        if several_days:  # Which day, too.
            day = timezone.localtime(session.starts_at)
            line = f"{day:%a} {day.day} {day:%b}, {line}"
        font = face.for_text(line)
        _size, [line] = fit_lines(line, font, (size, size), Box(0, 0, WIDTH, size * 2), 1)
        canvas.setFont(font, size)
        canvas.drawString(MARGIN, y, line)
        y -= size * 1.5
    y -= 6 * mm
    canvas.setFont(face.bold, 12)
    canvas.drawString(MARGIN, y, f"Continuing professional development: {attendance.hours} hours")
    canvas.setFont(face.regular, 8.5)
    note = (
        "The time of the plenary programme (breaks not counted) and of the breakout "
        "sessions attended, to the quarter hour below."
    )
    _size, lines = fit_lines(note, face.regular, (8.5, 7), Box(0, 0, WIDTH, 30 * mm), 3)
    y -= 4
    for line in lines:
        y -= 11
        canvas.drawString(MARGIN, y, line)
    canvas.setFont(face.regular, 8.5)
    canvas.drawString(MARGIN, 20 * mm, "Attendance recorded at the registration desk.")
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def certificate_url(delegate: Delegate, token: str) -> str:
    return reverse(
        "feedback:certificate", kwargs={"event_slug": delegate.event.slug, "token": token}
    )


def manage_section(delegate: Delegate, token: str, event_over: bool) -> str:
    """What the manage page says of the certificate (registration.manage_sections):
    before the event is over, when it will be there (no query); after, the link for an
    attendee, or why there is none (one query)."""
    if delegate.status == RegistrationStatus.CANCELLED and not event_over:
        return ""
    context = {
        "delegate": delegate,
        "event": delegate.event,
        "event_over": event_over,
        # When the manage link turns to "the event is over" (symposium.tokens).
        "available_from": timezone.localtime(manage_link_expires_at(delegate.event)).date(),
        "attended": event_over and selectors.attended(delegate),
        "url": certificate_url(delegate, token),
    }
    # render_to_string gives a SafeString: the template escaped what it shows.
    return render_to_string("feedback/_manage_certificate.html", context)
