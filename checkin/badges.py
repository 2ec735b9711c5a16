"""Name badges as a PDF, drawn with ReportLab.

The sheet: A4 name-badge labels of 86 × 55 mm, 2 across and 4 down, 8 to a sheet (the
layout of Avery L7418). SHEET holds the geometry used here: 15 mm side margins with an
8 mm gap between the columns, rows 5 mm apart, centred on the page. Print at 100 %
("actual size"), and check one sheet against the labels' own template first; change
SHEET if a pack differs.

Each badge: the first name large, the last name, the organisation, the QR code of the
check-in code with the code beneath, and a band in the sector's colour with the sector's
name in it (the colour is never the only sign). Text is set in DejaVu Sans, embedded,
so accented, Greek and Cyrillic names print as written; without the font file (Debian's
fonts-dejavu-core, or BADGE_FONT in the settings) the badges fall back to Helvetica,
which has Latin-1 only, and say so in the log.
"""

import io
import logging
from dataclasses import dataclass
from pathlib import Path

import segno
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from breakouts.enums import ChoiceStatus
from checkin.codes import check_in_code
from checkin.models import BadgePrint
from symposium.enums import Sector
from symposium.models import Delegate, Event, by_name

logger = logging.getLogger(__name__)

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
FALLBACK_FONTS = ("Helvetica", "Helvetica-Bold")


@dataclass(frozen=True)
class Sheet:
    label_width: float = 86 * mm
    label_height: float = 55 * mm
    across: int = 2
    down: int = 4
    side_margin: float = 15 * mm
    column_gap: float = 8 * mm
    row_gap: float = 5 * mm

    @property
    def per_page(self) -> int:
        return self.across * self.down

    def origin(self, index: int) -> tuple[float, float]:
        """Bottom-left corner of the index-th label on its page (0 = top left)."""
        page_height = A4[1]
        column, row = index % self.across, index // self.across
        block = self.down * self.label_height + (self.down - 1) * self.row_gap
        top = (page_height + block) / 2
        x = self.side_margin + column * (self.label_width + self.column_gap)
        y = top - (row + 1) * self.label_height - row * self.row_gap
        return x, y


SHEET = Sheet()

# Colours with white text at WCAG AA contrast or better.
SECTOR_COLOURS = {
    Sector.NHS: "#005eb8",
    Sector.COUNCIL: "#4c2c92",
    Sector.POLICE: "#1d3a6e",
    Sector.VCSE: "#00703c",
    Sector.EDUCATION: "#8a1538",
    Sector.HOUSING: "#6b4e00",
    Sector.OTHER: "#505a5f",
}
SECTOR_SHORT = {Sector.VCSE: "VCSE"}


def fonts() -> tuple[str, str]:
    """(regular, bold) font names, registering DejaVu Sans once."""
    if "BadgeSans" in pdfmetrics.getRegisteredFontNames():
        return "BadgeSans", "BadgeSans-Bold"
    regular = Path(getattr(settings, "BADGE_FONT", DEJAVU / "DejaVuSans.ttf"))
    bold = Path(getattr(settings, "BADGE_FONT_BOLD", DEJAVU / "DejaVuSans-Bold.ttf"))
    if not (regular.is_file() and bold.is_file()):
        logger.warning(
            "Badge font %s not found: badges use Helvetica, which cannot print names "
            "outside Latin-1 (install fonts-dejavu-core or set BADGE_FONT)",
            regular,
        )
        return FALLBACK_FONTS
    pdfmetrics.registerFont(TTFont("BadgeSans", str(regular)))
    pdfmetrics.registerFont(TTFont("BadgeSans-Bold", str(bold)))
    return "BadgeSans", "BadgeSans-Bold"


def badge_delegates(
    *, event: Event, scope: str, session_id: int | None = None, delegate_id: int | None = None
) -> list[Delegate]:
    """Confirmed delegates, alphabetical: all, one breakout session's, those registered
    since the last print of all badges, or one."""
    delegates: QuerySet[Delegate] = Delegate.objects.filter(event=event).confirmed()
    if scope == "session":
        delegates = delegates.filter(
            breakout_choices__session_id=session_id,
            breakout_choices__status=ChoiceStatus.CONFIRMED,
            breakout_choices__replaces__isnull=True,
        )
    elif scope == "delegate":
        delegates = delegates.filter(pk=delegate_id)
    elif scope == "new":
        last = BadgePrint.objects.filter(event=event).order_by("-printed_at").first()
        if last is not None:
            delegates = delegates.filter(created_at__gt=last.printed_at)
    fields = ("event_id", "first_name", "last_name", "organisation", "sector")
    return list(delegates.only(*fields).order_by(*by_name()))


def record_print(*, event: Event, by, count: int) -> BadgePrint:
    return BadgePrint.objects.create(event=event, by=by, count=count, printed_at=timezone.now())


def _fit(canvas: Canvas, text: str, font: str, size: float, width: float) -> float:
    """The largest size up to `size` (down to 7 pt) at which the text fits the width."""
    measured = pdfmetrics.stringWidth(text, font, size)
    if measured <= width:
        return size
    return max(7.0, size * width / measured)


def _draw_qr(canvas: Canvas, code: str, x: float, y: float, side: float) -> None:
    """The QR as filled rectangles, one per run of dark modules: sharp at any size."""
    qr = segno.make(code, error="m", micro=False)
    matrix = [list(row) for row in qr.matrix_iter(border=0)]
    module = side / len(matrix)
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        start = None
        for c, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = c
            elif not dark and start is not None:
                top = y + side - (r + 1) * module
                path.rect(x + start * module, top, (c - start) * module, module)
                start = None
    canvas.drawPath(path, stroke=0, fill=1)


def _draw_badge(canvas: Canvas, delegate: Delegate, x: float, y: float, font, bold) -> None:
    w, h = SHEET.label_width, SHEET.label_height
    pad, band = 4 * mm, 10 * mm
    qr_side = 22 * mm
    text_width = w - 3 * pad - qr_side
    top = y + h - pad
    first = delegate.first_name or delegate.last_name
    size = _fit(canvas, first, bold, 26, text_width)
    canvas.setFont(bold, size)
    canvas.drawString(x + pad, top - size, first)
    line = top - size - 4 * mm
    if delegate.first_name:
        last_size = _fit(canvas, delegate.last_name, font, 14, text_width)
        canvas.setFont(font, last_size)
        canvas.drawString(x + pad, line - last_size, delegate.last_name)
        line -= last_size + 3 * mm
    org_size = _fit(canvas, delegate.organisation, font, 10, w - 2 * pad - qr_side - pad)
    canvas.setFont(font, org_size)
    canvas.drawString(x + pad, max(line - org_size, y + band + 2 * mm), delegate.organisation)
    code = check_in_code(delegate)
    qr_x, qr_y = x + w - pad - qr_side, y + band + 5 * mm
    _draw_qr(canvas, code, qr_x, qr_y, qr_side)
    canvas.setFont(font, 6.5)
    canvas.drawCentredString(qr_x + qr_side / 2, qr_y - 3 * mm, code)
    canvas.setFillColor(HexColor(SECTOR_COLOURS.get(delegate.sector, "#505a5f")))
    canvas.rect(x, y, w, band, stroke=0, fill=1)
    canvas.setFillColor(white)
    label = SECTOR_SHORT.get(delegate.sector) or Sector(delegate.sector).label
    canvas.setFont(bold, _fit(canvas, label, bold, 11, w - 2 * pad))
    canvas.drawString(x + pad, y + 3.3 * mm, label)
    canvas.setFillColorRGB(0, 0, 0)


def badge_pdf(*, event: Event, delegates: list[Delegate]) -> bytes:
    """The badges, SHEET.per_page to an A4 page, in the order given."""
    font, bold = fonts()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"Name badges: {event.name}")
    canvas.setAuthor("Symposium portal")
    for index, delegate in enumerate(delegates):
        slot = index % SHEET.per_page
        if index and slot == 0:
            canvas.showPage()
        _draw_badge(canvas, delegate, *SHEET.origin(slot), font, bold)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
