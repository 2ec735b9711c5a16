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
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import segno
from bidi import get_display
from django.conf import settings
from django.db import transaction
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
from checkin.models import BadgePrint, BadgeRun
from symposium import background
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


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str
    # BADGE_FONT: for text the regular font has no glyphs for (CJK names, say).
    extra: str | None = None

    def for_text(self, text: str, *, bold: bool = False) -> str:
        main = self.bold if bold else self.regular
        if self.extra is None or _covers(main, text) or not _covers(self.extra, text):
            return main
        return self.extra


def _covers(font: str, text: str) -> bool:
    face = getattr(pdfmetrics.getFont(font), "face", None)
    if face is None:  # a standard PDF font: Latin-1
        return all(ord(char) < 256 for char in text)
    return all(char.isspace() or ord(char) in face.charToGlyph for char in text)


def _register(path: Path) -> str:
    name = f"Badge-{path.stem}"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(path)))
    return name


def fonts() -> Fonts:
    """DejaVu Sans and Sans Bold (registered once), and BADGE_FONT for what they cannot
    set; Helvetica when DejaVu is missing."""
    regular = Path(getattr(settings, "BADGE_FONT_REGULAR", "") or DEJAVU / "DejaVuSans.ttf")
    bold = Path(getattr(settings, "BADGE_FONT_BOLD", "") or DEJAVU / "DejaVuSans-Bold.ttf")
    extra = getattr(settings, "BADGE_FONT", "")
    extra_name = _register(Path(extra)) if extra and Path(extra).is_file() else None
    if not (regular.is_file() and bold.is_file()):
        logger.warning(
            "Badge font %s not found: badges use Helvetica, which cannot print names "
            "outside Latin-1 (install fonts-dejavu-core)",
            regular,
        )
        return Fonts(*FALLBACK_FONTS, extra=extra_name)
    return Fonts(_register(regular), _register(bold), extra=extra_name)


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


@dataclass(frozen=True)
class Box:
    """A rectangle on a label, in points from the label's bottom-left corner."""

    x: float
    y: float
    width: float
    height: float

    def moved(self, dx: float, dy: float) -> "Box":
        return Box(self.x + dx, self.y + dy, self.width, self.height)


# The label's boxes (86 x 55 mm). They do not overlap, whatever the text: the name and
# the organisation wrap, shrink and at worst are cut with an ellipsis inside their own
# box; the QR code has a fixed box of its own, quiet zone included (4 modules).
PAD = 4 * mm
BAND = Box(0, 0, SHEET.label_width, 10 * mm)
QR_BOX = Box(SHEET.label_width - PAD - 27 * mm, 14 * mm, 27 * mm, 27 * mm)
CODE_BOX = Box(QR_BOX.x, 10.8 * mm, QR_BOX.width, 3 * mm)
TEXT_WIDTH = QR_BOX.x - 2 * mm - PAD
NAME_BOX = Box(PAD, 31 * mm, TEXT_WIDTH, SHEET.label_height - PAD - 31 * mm)
ORGANISATION_BOX = Box(PAD, 12 * mm, TEXT_WIDTH, 18 * mm)
QUIET_ZONE = 4  # modules, as ISO/IEC 18004 asks
LEADING = 1.15
NAME_SIZES = (22, 8)  # points: largest, smallest
ORGANISATION_SIZES = (10, 7)
ORGANISATION_LINES = 2
ELLIPSIS = "…"


def _words(text: str) -> list[str]:
    """Words to wrap at: at spaces, and between characters of scripts written without
    spaces (CJK)."""
    words = []
    for word in text.split():
        if any(ord(char) >= 0x2E80 for char in word):
            words.extend(word)
        else:
            words.append(word)
    return words


def _wrap(words: list[str], font: str, size: float, width: float) -> list[str] | None:
    """Lines of at most `width`, or None if a word alone is wider."""
    lines: list[str] = []
    for word in words:
        if pdfmetrics.stringWidth(word, font, size) > width:
            return None
        joiner = "" if lines and _no_space(lines[-1][-1:], word[:1]) else " "
        candidate = f"{lines[-1]}{joiner}{word}" if lines else word
        if lines and pdfmetrics.stringWidth(candidate, font, size) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def _no_space(before: str, after: str) -> bool:
    return bool(before and after and ord(before) >= 0x2E80 and ord(after) >= 0x2E80)


def _cut(text: str, font: str, size: float, width: float) -> str:
    """The text cut to the width with an ellipsis."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text.rstrip() + ELLIPSIS, font, size) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def fit_lines(
    text: str, font: str, sizes: tuple[float, float], box: Box, max_lines: int
) -> tuple[float, list[str]]:
    """The largest size (by half points) at which the text wraps into at most
    `max_lines` lines within the box; at the smallest, what does not fit is cut with an
    ellipsis. Returns the size and the lines."""
    largest, smallest = sizes
    words = _words(text)
    size = largest
    while size >= smallest:
        lines = _wrap(words, font, size, box.width)
        tall = len(lines or []) * size * LEADING
        if lines is not None and len(lines) <= max_lines and tall <= box.height:
            return size, lines
        size -= 0.5
    size = smallest
    lines_fit = max(1, min(max_lines, int(box.height // (size * LEADING))))
    lines: list[str] = []
    rest = list(words)
    while rest and len(lines) < lines_fit:
        line = rest.pop(0)
        while rest:
            joiner = "" if _no_space(line[-1:], rest[0][:1]) else " "
            if pdfmetrics.stringWidth(line + joiner + rest[0], font, size) > box.width:
                break
            line += joiner + rest.pop(0)
        lines.append(line)
    if rest:
        lines[-1] = lines[-1] + " " + " ".join(rest)
    lines = [_cut(line, font, size, box.width) for line in lines]
    if rest and not lines[-1].endswith(ELLIPSIS):
        lines[-1] = _cut(lines[-1] + ELLIPSIS * 40, font, size, box.width)
    return size, lines


def _right_to_left(line: str) -> bool:
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in line)


def _draw_lines(canvas: Canvas, lines: list[str], font: str, size: float, box: Box) -> None:
    """From the top of the box down, left-aligned; a right-to-left line (Arabic,
    Hebrew) right-aligned and in visual order (python-bidi; letters are not joined)."""
    canvas.setFont(font, size)
    baseline = box.y + box.height - size
    for line in lines:
        if _right_to_left(line):
            canvas.drawRightString(box.x + box.width, baseline, get_display(line))
        else:
            canvas.drawString(box.x, baseline, line)
        baseline -= size * LEADING


def _draw_qr(canvas: Canvas, code: str, box: Box) -> None:
    """The QR as filled rectangles, one per run of dark modules: sharp at any size;
    the quiet zone is the box's margin, which nothing else is drawn in."""
    qr = segno.make(code, error="m", micro=False)
    matrix = [list(row) for row in qr.matrix_iter(border=0)]
    module = box.width / (len(matrix) + 2 * QUIET_ZONE)
    x = box.x + QUIET_ZONE * module
    top = box.y + box.height - QUIET_ZONE * module
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        start = None
        for c, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = c
            elif not dark and start is not None:
                path.rect(x + start * module, top - (r + 1) * module, (c - start) * module, module)
                start = None
    canvas.drawPath(path, stroke=0, fill=1)


def _draw_badge(canvas: Canvas, delegate: Delegate, x: float, y: float, fonts: Fonts) -> None:
    name = f"{delegate.first_name} {delegate.last_name}".strip()
    name_font = fonts.for_text(name, bold=True)
    size, lines = fit_lines(name, name_font, NAME_SIZES, NAME_BOX, 2)
    _draw_lines(canvas, lines, name_font, size, NAME_BOX.moved(x, y))
    # The organisation starts under the name's lines, down to its box's floor.
    organisation = delegate.organisation
    org_font = fonts.for_text(organisation)
    org_top = NAME_BOX.y + NAME_BOX.height - len(lines) * size * LEADING - 1.5 * mm
    org_box = Box(PAD, ORGANISATION_BOX.y, TEXT_WIDTH, org_top - ORGANISATION_BOX.y)
    org_size, org_lines = fit_lines(
        organisation, org_font, ORGANISATION_SIZES, org_box, ORGANISATION_LINES
    )
    _draw_lines(canvas, org_lines, org_font, org_size, org_box.moved(x, y))
    code = check_in_code(delegate)
    _draw_qr(canvas, code, QR_BOX.moved(x, y))
    canvas.setFont(fonts.regular, 6.5)
    canvas.drawCentredString(x + CODE_BOX.x + CODE_BOX.width / 2, y + CODE_BOX.y + 0.6 * mm, code)
    canvas.setFillColor(HexColor(SECTOR_COLOURS.get(delegate.sector, "#505a5f")))
    canvas.rect(x + BAND.x, y + BAND.y, BAND.width, BAND.height, stroke=0, fill=1)
    canvas.setFillColor(white)
    label = SECTOR_SHORT.get(delegate.sector) or Sector(delegate.sector).label
    label_size, [label] = fit_lines(
        label, fonts.bold, (11, 7), Box(0, 0, BAND.width - 2 * PAD, 6 * mm), 1
    )
    canvas.setFont(fonts.bold, label_size)
    canvas.drawString(x + PAD, y + 3.3 * mm, label)
    canvas.setFillColorRGB(0, 0, 0)


def badge_pdf(
    *, event: Event, delegates: list[Delegate], progress: Callable[[int], None] | None = None
) -> bytes:
    """The badges, SHEET.per_page to an A4 page, in the order given; `progress(n)` is
    told how many are drawn after each page."""
    badge_fonts = fonts()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"Name badges: {event.name}")
    canvas.setAuthor("Symposium portal")
    for index, delegate in enumerate(delegates):
        slot = index % SHEET.per_page
        if index and slot == 0:
            canvas.showPage()
            if progress is not None:
                progress(index)
        _draw_badge(canvas, delegate, *SHEET.origin(slot), badge_fonts)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


# More badges than this in one request are made in the background (a BadgeRun): 2,460
# took 13 s over HTTP, and 5,000 came near gunicorn's 30 s timeout. Up to it, a PDF
# comes back at once (a breakout session, the latecomers, one delegate).
BACKGROUND_OVER = 200
PROGRESS_EVERY = 200  # badges between two saves of a run's progress


def start_badge_run(
    *, event: Event, scope: str, total: int, session_id: int | None = None, by=None
) -> BadgeRun:
    """Queue the badges of `scope` to be made in the background.

    Side effects: a BadgeRun; a job for checkin.tasks.make_badges, queued in this
    transaction (symposium.background)."""
    from checkin import tasks

    with transaction.atomic():
        run = BadgeRun.objects.create(
            event=event, scope=scope, session_id=session_id, by=by, total=total
        )
        background.defer(tasks.make_badges, run_id=run.pk)
    return run


def make_badge_run(*, run_id: int, now=None) -> None:
    """Make a run's badges: status and progress saved as it goes, then the PDF. A run
    of every badge is recorded as a print when done (`scope=new` counts from there).
    Run again after a worker died, it starts over. Side effects: updates the BadgeRun
    (progress in their own short transactions, so the desk sees them); a BadgePrint."""
    run = BadgeRun.objects.filter(pk=run_id).select_related("event").defer("pdf").first()
    if run is None or run.status == BadgeRun.Status.DONE:
        return
    runs = BadgeRun.objects.filter(pk=run_id)
    try:
        delegates = badge_delegates(event=run.event, scope=run.scope, session_id=run.session_id)
        runs.update(status=BadgeRun.Status.RUNNING, total=len(delegates), done=0)
        reported = [0]

        def progress(count: int) -> None:
            if count - reported[0] >= PROGRESS_EVERY:
                reported[0] = count
                runs.update(done=count)

        pdf = badge_pdf(event=run.event, delegates=delegates, progress=progress)
    except Exception:
        runs.update(status=BadgeRun.Status.FAILED)
        raise
    with transaction.atomic():
        runs.update(
            status=BadgeRun.Status.DONE,
            done=len(delegates),
            pdf=pdf,
            finished_at=now or timezone.now(),
        )
        if run.scope == "all":
            record_print(event=run.event, by=run.by, count=len(delegates))
