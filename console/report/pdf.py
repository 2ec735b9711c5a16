"""The report for the board as a PDF (ReportLab, as the badges): the same figures and
words as the HTML page, its charts drawn as vectors (reportlab.graphics), never images.
Set in DejaVu Sans when installed (checkin.badges.fonts), so names print as written."""

import io
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether

from checkin.badges import fonts
from console.report import presentation as words

DATA = colors.HexColor("#1d4e89")
MUTED = colors.HexColor("#595959")
WIDTH = A4[0] - 36 * mm


class _Styles:
    def __init__(self):
        found = fonts()
        self.regular, self.bold = found.regular, found.bold
        self.body = ParagraphStyle("body", fontName=self.regular, fontSize=10, leading=13)
        self.small = ParagraphStyle("small", parent=self.body, fontSize=8.5, leading=11)
        self.title = ParagraphStyle("title", fontName=self.bold, fontSize=20, leading=24)
        self.h2 = ParagraphStyle("h2", fontName=self.bold, fontSize=14, leading=18, spaceBefore=10)
        self.h3 = ParagraphStyle("h3", fontName=self.bold, fontSize=11, leading=14, spaceBefore=6)
        self.quote = ParagraphStyle("quote", parent=self.body, leftIndent=12, textColor=MUTED)


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def bar_drawing(rows, *, styles: _Styles, top: float | None = None) -> Drawing:
    """Horizontal bars, a label above each and its figure after it; a hidden figure (given
    as words, presentation.bars) has no bar, only its words."""
    gap, bar = 26, 9
    height = max(len(rows), 1) * gap + 4
    drawing = Drawing(WIDTH, height)
    values = [value for _, value in rows if not isinstance(value, str)]
    scale = top or max(values, default=0) or 1
    span = WIDTH - 90
    for index, (label, value) in enumerate(rows):
        y = height - (index + 1) * gap
        drawing.add(String(0, y + 13, str(label), fontName=styles.regular, fontSize=8.5))
        if isinstance(value, str):
            drawing.add(
                String(0, y + 2, value, fontName=styles.regular, fontSize=8.5, fillColor=MUTED)
            )
            continue
        length = max(span * value / scale, 1)
        drawing.add(Rect(0, y + 1, length, bar, fillColor=DATA, strokeColor=None))
        drawing.add(
            String(length + 4, y + 2, words.number(value), fontName=styles.bold, fontSize=8.5)
        )
    return drawing


def _table(rows, *, styles: _Styles, widths=None) -> Table:
    data = [[_p(cell, styles.small) for cell in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), styles.bold),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#bbbbbb")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _section(story, heading, styles):
    story.append(_p(heading, styles.h2))


def report_pdf(figures: dict) -> bytes:
    """The PDF of a report's figures (console.report.selectors.report_figures)."""
    styles = _Styles()
    story = []
    event = figures["event"]
    story.append(_p(f"Report for the board: {event['name']}", styles.title))
    story.append(_p(words.subtitle(figures), styles.body))
    story.append(_p(words.SUPPRESSION_NOTE, styles.small))
    story.append(Spacer(1, 4 * mm))

    _section(story, "Attendance and no-shows", styles)
    story.append(_p(words.attendance_summary(figures), styles.body))
    for key, heading in words.ATTENDANCE_TABLES:
        table = figures["attendance"][key]
        story.append(_p(heading, styles.h3))
        story.append(_table(words.attendance_rows(table), styles=styles))
        if key == "by_sector":
            story.append(_p("Attended, by sector", styles.h3))
            story.append(
                bar_drawing(
                    words.bars((row["label"], row["attended"]) for row in table["rows"]),
                    styles=styles,
                )
            )

    _section(story, "Breakout uptake and sector mix", styles)
    for session in figures["breakouts"]:
        story.append(
            KeepTogether(
                [
                    _p(words.session_heading(session), styles.h3),
                    _table(words.session_rows(session), styles=styles),
                ]
            )
        )
    if not figures["breakouts"]:
        story.append(_p("No breakout sessions.", styles.body))

    _section(story, "Feedback", styles)
    answers = figures.get("feedback")
    if answers is None:
        story.append(_p(words.NO_SURVEY, styles.body))
    else:
        story.append(_p(words.feedback_summary(answers), styles.body))
        story.append(_p("Scores out of 5", styles.h3))
        story.append(_table(words.score_rows(answers), styles=styles))
        story.append(_p("Mean scores out of 5", styles.h3))
        story.append(bar_drawing(words.score_bars(answers), styles=styles, top=5))
        story.append(_p("Overall score: how many gave each", styles.h3))
        story.append(
            bar_drawing(
                words.bars(
                    (f"{row['score']} out of 5", row["count"])
                    for row in answers["overall"]["scores"]
                ),
                styles=styles,
            )
        )
        for key, heading in words.QUOTE_KINDS:
            story.append(_p(heading, styles.h3))
            quotes = answers["quotes"][key]
            if not quotes:
                story.append(_p(words.no_quotes(answers), styles.body))
            for quote in quotes:
                story.append(_p(f"“{quote}”", styles.quote))

    _section(story, "Outcomes, actions and pledges", styles)
    story.append(_p(words.outcomes_summary(figures["outcomes"]), styles.body))
    for session in figures["outcomes"]["sessions"]:
        story.append(_p(f"{session['theme']} ({session['round']})", styles.h3))
        if session["key_points"]:
            story.append(_p(session["key_points"], styles.body))
        if session["actions"]:
            story.append(_table(words.action_rows(session), styles=styles))
        for pledge in session["pledges"]:
            story.append(_p(f"Pledge: {pledge['text']} ({pledge['owner']})", styles.body))

    _section(story, "Year on year", styles)
    story.append(_p(words.YEAR_ON_YEAR_NOTE, styles.small))
    story.append(_table(words.year_rows(figures["year_on_year"]), styles=styles))
    story.append(_p("Attended, year on year", styles.h3))
    story.append(bar_drawing(words.year_bars(figures["year_on_year"]), styles=styles))

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"Report for the board: {event['name']}",
    )
    document.build(story)
    return buffer.getvalue()
