"""What the report says, shared by the HTML page and the PDF so both say the same: the
rows of its tables and its sentences, from the figures (a hidden figure is a word:
suppression.SMALL or WITHHELD)."""

import datetime as dt

from console.report.suppression import SMALL, WITHHELD, K

HIDDEN = f"fewer than {K}"
WITHHELD_WORD = "withheld"
NONE = "—"
NO_MEAN = f"not shown (fewer than {K} answers)"
SUPPRESSION_NOTE = (
    f"No figure in this report is about fewer than {K} people: a smaller group is shown "
    f"as “{HIDDEN}”, and another figure is “{WITHHELD_WORD}” where, with a total, it "
    "would give a smaller group away. "
    "Quotes were chosen by the organisers and are shown only when "
    f"{K} or more people responded."
)
NO_SURVEY = "This event had no feedback survey."
YEAR_ON_YEAR_NOTE = (
    "This event beside the events it was copied from, the most recent first. Figures of "
    "an event whose personal data was removed are those kept when it was."
)
ATTENDANCE_TABLES = (
    ("by_sector", "By sector"),
    ("by_organisation", "By organisation"),
    ("by_partner", "By partner (the partner directory)"),
)
QUOTE_KINDS = (
    ("comments", "What people said"),
    ("do_differently", "What they will do differently"),
)


def number(value) -> str:
    if value == SMALL:
        return HIDDEN
    if value == WITHHELD:
        return WITHHELD_WORD
    if value is None:
        return NONE
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def mean(value) -> str:
    """A mean score: hidden ones say why, so "fewer than 5" is never read as a score."""
    if isinstance(value, str):
        return NO_MEAN
    return number(value)


def subtitle(figures: dict) -> str:
    event = figures["event"]
    starts = dt.date.fromisoformat(event["starts_on"])
    made = dt.datetime.fromisoformat(figures["made_at"])
    return f"{starts:%-d %B %Y}, {event['venue']}. Figures as at {made:%-d %B %Y %H:%M}" + (
        " (kept when the personal data was removed)." if figures.get("frozen") else "."
    )


def attendance_summary(figures: dict) -> str:
    table = figures["attendance"]["by_sector"]
    return (
        f"{number(table['registered'])} confirmed registrations: {number(table['attended'])} "
        f"attended and {number(table['no_shows'])} did not come (no-shows)."
    )


def attendance_rows(table: dict) -> list[list[str]]:
    rows = [["Group", "Attended", "No-shows", "Registered"]]
    for row in table["rows"]:
        rows.append(
            [
                row["label"],
                number(row["attended"]),
                number(row["no_shows"]),
                number(row["registered"]),
            ]
        )
    rows.append(
        ["Total", number(table["attended"]), number(table["no_shows"]), number(table["registered"])]
    )
    return rows


def session_heading(session: dict) -> str:
    return (
        f"{session['theme']} ({session['round']}): {number(session['uptake'])} of "
        f"{session['capacity']} places taken"
    )


def session_rows(session: dict) -> list[list[str]]:
    rows = [["Sector", "Places taken"]]
    rows += [[row["label"], number(row["count"])] for row in session["sectors"]]
    return rows


def feedback_summary(answers: dict) -> str:
    rate = f" ({answers['rate']} %)" if isinstance(answers["rate"], int) else ""
    text = (
        f"{number(answers['responses'])} responses from {number(answers['invited'])} "
        f"people asked{rate}. Overall score: "
        + (
            f"{mean(answers['overall']['mean'])} out of 5."
            if not isinstance(answers["overall"]["mean"], str)
            else f"{NO_MEAN}."
        )
    )
    if answers["anonymous"]:
        text += " The survey was anonymous."
    return text


def score_rows(answers: dict) -> list[list[str]]:
    rows = [["Rated", "What", "Mean score", "Answers"]]
    rows.append(
        [
            "Overall",
            "The event",
            mean(answers["overall"]["mean"]),
            number(answers["overall"]["answers"]),
        ]
    )
    for item in answers["items"]:
        rows.append([item["kind"], item["title"], mean(item["mean"]), number(item["answers"])])
    return rows


def bars(rows) -> list[tuple[str, float | str]]:
    """(label, figure) for a chart: a hidden figure as the words the report uses."""
    return [(label, number(value) if isinstance(value, str) else value) for label, value in rows]


def score_bars(answers: dict) -> list[tuple[str, float | str]]:
    rows = [("Overall", answers["overall"]["mean"])]
    rows += [(item["title"], item["mean"]) for item in answers["items"]]
    return [(label, NO_MEAN if isinstance(value, str) else value) for label, value in rows]


def no_quotes(answers: dict) -> str:
    if answers.get("quotes_removed"):
        return "Quotes were removed with the event's personal data."
    if isinstance(answers["responses"], str):
        return f"No quotes: fewer than {K} people responded."
    return "No quotes picked."


def outcomes_summary(outcomes: dict) -> str:
    sessions = len(outcomes["sessions"])
    actions = sum(len(session["actions"]) for session in outcomes["sessions"])
    statuses = ", ".join(
        f"{row['count']} {row['label'].lower()}" for row in outcomes["action_status"]
    )
    pledges = outcomes["pledges"]
    text = (
        (
            "1 breakout session published its outcomes"
            if sessions == 1
            else f"{sessions} breakout sessions published their outcomes"
        )
        + f": {actions} action{'' if actions == 1 else 's'}"
        + (f" ({statuses})" if statuses else "")
        + f" and {pledges} pledge{'' if pledges == 1 else 's'}."
    )
    return text


def action_rows(session: dict) -> list[list[str]]:
    rows = [["Action", "Owner", "Due", "Status"]]
    for action in session["actions"]:
        due = (
            dt.date.fromisoformat(action["due_on"]).strftime("%-d %b %Y")
            if action["due_on"]
            else "—"
        )
        rows.append([action["description"], action["owner"], due, action["status"]])
    return rows


def year_bars(years: list[dict]) -> list[tuple[str, float | str]]:
    """Attended, per event of the chain, for its chart."""
    return bars((year["event"], year["attended"]) for year in years)


def year_rows(years: list[dict]) -> list[list[str]]:
    rows = [["Event", "Date", "Registered", "Attended", "No-shows", "Responses", "Rate", "Overall"]]
    for year in years:
        rows.append(
            [
                year["event"],
                dt.date.fromisoformat(year["starts_on"]).strftime("%b %Y"),
                number(year["registered"]),
                number(year["attended"]),
                number(year["no_shows"]),
                number(year["responses"]),
                f"{year['rate']} %" if isinstance(year["rate"], int) else number(year["rate"]),
                mean(year["overall"]) if year["responses"] is not None else NONE,
            ]
        )
    return rows
