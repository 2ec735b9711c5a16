"""Charts drawn on the server as SVG: no script, no library, nothing from another site.

Each chart is a `Chart`: a title, a one-sentence summary and the figures as a table, as
well as the picture. `templates/console/_chart.html` shows them together: the SVG is
one image (`role="img"`) named by the title and the summary, and the table (in a
<details>) gives a screen reader every figure. The colours pass WCAG 2.2's 3:1 for
graphics and 4.5:1 for text against the chart's own white ground, whatever the page's
theme, and no meaning rests on colour alone: the capacity line is dashed and labelled,
and every bar carries its number.

The builders take plain figures (dates, labels, counts), never querysets: the selectors
count in SQL, the charts only draw.
"""

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 560
INK = "#1f1f1f"  # text: 16:1 on white
MUTED = "#595959"  # axis labels, capacity line: 7:1
DATA = "#1d4e89"  # lines and bars: 8.3:1
TRACK = "#6e6e6e"  # a bar's outline (its capacity): 5.1:1
GRID = "#d0d0d0"  # grid lines: decoration only, every value is also written
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'


@dataclass(frozen=True)
class Table:
    headers: Sequence[str]
    rows: Sequence[Sequence[object]]  # the first cell of each row heads it


@dataclass(frozen=True)
class Chart:
    id: str  # unique on the page: the SVG and the table refer to it
    title: str
    summary: str
    svg: SafeString
    table: Table

    @property
    def title_id(self) -> str:
        return f"{self.id}-title"

    @property
    def summary_id(self) -> str:
        return f"{self.id}-summary"


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(x, y, text, *, size=13, anchor="start", fill=INK, weight="normal") -> str:
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}" font-weight="{weight}">{escape(text)}</text>'
    )


def _svg(chart_id: str, height: float, parts: list[str]) -> SafeString:
    """The picture alone: named by the chart's title and summary, its parts hidden
    from assistive technology (the table beside it reads them)."""
    return mark_safe(  # noqa: S308 - every text in `parts` went through escape()
        f'<svg class="chart__svg" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-summary" focusable="false" '
        f'viewBox="0 0 {WIDTH} {_num(height)}" width="{WIDTH}" height="{_num(height)}" '
        f'preserveAspectRatio="xMinYMin meet" {FONT}>'
        f'<rect width="{WIDTH}" height="{_num(height)}" fill="#ffffff"/>'
        + "".join(parts)
        + "</svg>"
    )


def nice_ceiling(value: float) -> int:
    """The axis's top: the next 1, 2, 5 or 10 times a power of ten at or above `value`,
    so the gridlines fall on round numbers."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return int(step * power) or 1
    return int(10 * power)


def _ticks(top: int) -> int:
    """Gridlines that fall on whole numbers: 5 for 10, 50 or 100, 4 for 20 or 200."""
    if top < 5:
        return top
    leading = top // 10 ** math.floor(math.log10(top))
    return 4 if leading == 2 else 5


def _y_axis(parts, *, top: int, left: float, right: float, y_of) -> None:
    ticks = _ticks(top)
    for index in range(ticks + 1):
        value = top * index / ticks
        y = y_of(value)
        parts.append(
            f'<line x1="{_num(left)}" x2="{_num(right)}" y1="{_num(y)}" y2="{_num(y)}" '
            f'stroke="{GRID if index else MUTED}" stroke-width="1"/>'
        )
        parts.append(_text(left - 6, y + 4, _num(value), size=12, anchor="end", fill=MUTED))


def registrations_over_time(
    *, chart_id: str, days: Sequence[tuple[dt.date, int]], capacity: int, until: dt.date
) -> Chart:
    """Registrations still standing (not cancelled), added up by the day they were
    made, as steps against the event's capacity (a dashed line)."""
    counts = dict(days)
    title = "Registrations over time against capacity"
    rows, running = [], 0
    for day in sorted(counts):
        running += counts[day]
        rows.append((day.strftime("%a %-d %b %Y"), counts[day], running))
    total = running
    if total:
        peak = max(counts, key=counts.get)
        summary = (
            f"{total} registrations not cancelled, against {capacity} places, made over "
            f"{len(rows)} days; the busiest was {peak:%-d %B} with {counts[peak]}."
        )
    else:
        summary = f"No registrations yet, against {capacity} places."
    if total > capacity:
        summary += f" {total - capacity} more than the places: the rest wait."

    height, left, right, top_pad, bottom = 220, 48, WIDTH - 120, 16, 190
    top = nice_ceiling(max(capacity, total, 1) * 1.05)

    def y_of(value):
        return bottom - (bottom - top_pad) * value / top

    parts: list[str] = []
    _y_axis(parts, top=top, left=left, right=right, y_of=y_of)
    first = min(counts) if counts else until
    last = max(until, max(counts)) if counts else until
    span = max((last - first).days, 1)

    def x_of(day):
        return left + (right - left) * (day - first).days / span

    path, running = [f"M{_num(left)},{_num(y_of(0))}"], 0
    for day in sorted(counts):
        running += counts[day]
        x = x_of(day)
        path.append(f"H{_num(x)}V{_num(y_of(running))}")
    path.append(f"H{_num(x_of(last))}")
    parts.append(
        f'<path d="{"".join(path)}" fill="none" stroke="{DATA}" stroke-width="3" '
        'stroke-linejoin="round"/>'
    )
    parts.append(_text(x_of(last) + 6, y_of(total) + 4, f"{total} registered", weight="bold"))
    cap_y = y_of(capacity)
    parts.append(
        f'<line x1="{_num(left)}" x2="{_num(right)}" y1="{_num(cap_y)}" y2="{_num(cap_y)}" '
        f'stroke="{MUTED}" stroke-width="2" stroke-dasharray="8 5"/>'
    )
    # Beside the line's end, or under it when the registered label would cover it.
    cap_label_y = cap_y + 4 if abs(cap_y - y_of(total)) > 14 else cap_y + 18
    parts.append(_text(right + 6, cap_label_y, f"{capacity} places", fill=MUTED))
    parts.append(_text(left, height - 8, f"{first:%-d %b}", size=12, fill=MUTED))
    parts.append(_text(right, height - 8, f"{last:%-d %b}", size=12, anchor="end", fill=MUTED))
    return Chart(
        id=chart_id,
        title=title,
        summary=summary,
        svg=_svg(chart_id, height, parts),
        table=Table(headers=("Day", "Registrations made", "Running total"), rows=rows),
    )


def horizontal_bars(
    *, chart_id: str, title: str, rows: Sequence[tuple[str, int]], what: str
) -> Chart:
    """One bar per row, its label above it and its count and share after it: labels
    as long as "Voluntary, community and social enterprise" fit."""
    total = sum(count for _, count in rows)
    shares = [(label, count, round(100 * count / total) if total else 0) for label, count in rows]
    if total:
        biggest = max(shares, key=lambda row: row[1])
        summary = (
            f"{total} {what} in {len(rows)} groups; the largest is {biggest[0]} with "
            f"{biggest[1]} ({biggest[2]} %)."
        )
    else:
        summary = f"No {what} yet."
    bar, gap, left, right = 16, 40, 8, WIDTH - 110
    height = max(len(rows), 1) * gap + 8
    top = max((count for _, count, _ in shares), default=0) or 1
    parts: list[str] = []
    for index, (label, count, share) in enumerate(shares):
        y = 8 + index * gap
        parts.append(_text(left, y + 12, label))
        length = (right - left) * count / top
        parts.append(
            f'<rect x="{left}" y="{_num(y + 17)}" width="{_num(max(length, 1))}" '
            f'height="{bar}" fill="{DATA}"/>'
        )
        parts.append(_text(left + length + 6, y + 30, f"{count} ({share} %)", weight="bold"))
    if not shares:
        parts.append(_text(left, 28, f"No {what} yet.", fill=MUTED))
    return Chart(
        id=chart_id,
        title=title,
        summary=summary,
        svg=_svg(chart_id, height, parts),
        table=Table(headers=("Group", "Number", "Share (%)"), rows=shares),
    )


@dataclass(frozen=True)
class SessionFill:
    round: str
    session: str
    taken: int
    capacity: int
    waitlist: int = 0


def breakout_fill(*, chart_id: str, sessions: Sequence[SessionFill]) -> Chart:
    """Per round, one bar per session: its outline the capacity, its fill the places
    taken, with "taken of capacity" written after it (and "full" when it is)."""
    title = "Breakout fill per round"
    full = [row for row in sessions if row.taken >= row.capacity]
    taken = sum(row.taken for row in sessions)
    capacity = sum(row.capacity for row in sessions)
    rounds = list(dict.fromkeys(row.round for row in sessions))
    if sessions:
        summary = (
            f"{taken} of {capacity} breakout places taken in {len(sessions)} sessions over "
            f"{len(rounds)} rounds; {len(full)} full."
        )
    else:
        summary = "No breakout sessions yet."
    bar, gap, left, right = 14, 36, 8, WIDTH - 200
    parts: list[str] = []
    y = 4
    for name in rounds:
        parts.append(_text(left, y + 16, name, size=14, weight="bold"))
        y += 24
        for row in (row for row in sessions if row.round == name):
            parts.append(_text(left, y + 12, row.session))
            fill = (right - left) * min(row.taken / row.capacity, 1) if row.capacity else 0
            parts.append(
                f'<rect x="{left}" y="{_num(y + 17)}" width="{right - left}" height="{bar}" '
                f'fill="#ffffff" stroke="{TRACK}" stroke-width="1.5"/>'
            )
            if fill:
                parts.append(
                    f'<rect x="{left}" y="{_num(y + 17)}" width="{_num(fill)}" '
                    f'height="{bar}" fill="{DATA}"/>'
                )
            label = f"{row.taken} of {row.capacity}"
            if row.taken >= row.capacity:
                label += ", full"
            if row.waitlist:
                label += f", {row.waitlist} waiting"
            parts.append(_text(right + 6, y + 29, label, size=12, weight="bold"))
            y += gap
        y += 4
    if not sessions:
        parts.append(_text(left, 28, summary, fill=MUTED))
        y = 40
    table_rows = [
        (f"{row.session} ({row.round})", row.taken, row.capacity, row.waitlist) for row in sessions
    ]
    return Chart(
        id=chart_id,
        title=title,
        summary=summary,
        svg=_svg(chart_id, y + 4, parts),
        table=Table(headers=("Session", "Places taken", "Capacity", "Waitlist"), rows=table_rows),
    )


def check_ins_over_the_day(
    *, chart_id: str, slots: Sequence[tuple[dt.datetime, int]], minutes: int
) -> Chart:
    """A column per `minutes` from the first check-in's slot to the last's on each day,
    empty slots included, so the gaps show; times in the event's zone."""
    title = f"Check-ins over the day, by {minutes} minutes"
    counts = dict(slots)
    filled: list[tuple[dt.datetime, int]] = []
    for day in sorted({start.date() for start in counts}):
        today = sorted(start for start in counts if start.date() == day)
        slot = today[0]
        while slot <= today[-1]:
            filled.append((slot, counts.get(slot, 0)))
            slot += dt.timedelta(minutes=minutes)
    total = sum(counts.values())
    several_days = len({start.date() for start, _ in filled}) > 1

    def when(start):
        return f"{start:%a %-d %b %H:%M}" if several_days else f"{start:%H:%M}"

    if total:
        busiest = max(filled, key=lambda row: row[1])
        summary = (
            f"{total} check-ins from {when(filled[0][0])} to "
            f"{when(filled[-1][0] + dt.timedelta(minutes=minutes))}; the busiest "
            f"{minutes} minutes began at {when(busiest[0])} with {busiest[1]}."
        )
    else:
        summary = "No check-ins yet."
    height, left, right, top_pad, bottom = 200, 40, WIDTH - 8, 20, 172
    top = nice_ceiling(max(counts.values(), default=1))

    def y_of(value):
        return bottom - (bottom - top_pad) * value / top

    parts: list[str] = []
    _y_axis(parts, top=top, left=left, right=right, y_of=y_of)
    step = (right - left) / max(len(filled), 1)
    label_every = max(1, math.ceil(len(filled) / 8))
    for index, (start, count) in enumerate(filled):
        x = left + index * step
        if count:
            parts.append(
                f'<rect x="{_num(x + 1)}" y="{_num(y_of(count))}" '
                f'width="{_num(max(step - 2, 1))}" height="{_num(bottom - y_of(count))}" '
                f'fill="{DATA}"/>'
            )
            if step >= 18:
                parts.append(
                    _text(
                        x + step / 2,
                        y_of(count) - 4,
                        str(count),
                        size=11,
                        anchor="middle",
                        weight="bold",
                    )
                )
        if index % label_every == 0:
            parts.append(_text(x, height - 8, f"{start:%H:%M}", size=12, fill=MUTED))
    if not filled:
        parts.append(_text(left + 8, bottom - 12, summary, fill=MUTED))
    rows = [(when(start), count) for start, count in filled]
    return Chart(
        id=chart_id,
        title=title,
        summary=summary,
        svg=_svg(chart_id, height, parts),
        table=Table(headers=(f"{minutes} minutes from", "Check-ins"), rows=rows),
    )


def suppressed_bars(
    *,
    chart_id: str,
    title: str,
    rows: Sequence[tuple[str, float | str]],
    what: str,
    top: float | None = None,
) -> Chart:
    """One bar per row, as `horizontal_bars`, for figures some of which are hidden
    (console.report.suppression): a hidden figure is given as the words to print
    ("fewer than 5"), written where its bar would be. `top` fixes the scale (5 for
    scores out of 5)."""
    values = [value for _, value in rows if not isinstance(value, str)]
    if values:
        biggest = max((row for row in rows if not isinstance(row[1], str)), key=lambda row: row[1])
        summary = f"{len(rows)} {what}; the highest is {biggest[0]} with {_num(biggest[1])}."
        if len(values) < len(rows):
            summary += f" {len(rows) - len(values)} not shown, to protect small groups."
    elif rows:
        summary = f"Every figure is hidden, to protect small groups ({len(rows)} {what})."
    else:
        summary = f"No {what} yet."
    bar, gap, left, right = 16, 40, 8, WIDTH - 110
    height = max(len(rows), 1) * gap + 8
    scale = top or max(values, default=0) or 1
    parts: list[str] = []
    for index, (label, value) in enumerate(rows):
        y = 8 + index * gap
        parts.append(_text(left, y + 12, label))
        if isinstance(value, str):
            parts.append(_text(left, y + 30, value, fill=MUTED))
            continue
        length = (right - left) * value / scale
        parts.append(
            f'<rect x="{left}" y="{_num(y + 17)}" width="{_num(max(length, 1))}" '
            f'height="{bar}" fill="{DATA}"/>'
        )
        parts.append(_text(left + length + 6, y + 30, _num(value), weight="bold"))
    if not rows:
        parts.append(_text(left, 28, summary, fill=MUTED))
    return Chart(
        id=chart_id,
        title=title,
        summary=summary,
        svg=_svg(chart_id, height, parts),
        table=Table(
            headers=("Group", "Figure"),
            rows=[
                (label, value if isinstance(value, str) else _num(value)) for label, value in rows
            ],
        ),
    )
