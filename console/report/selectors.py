"""The figures of the report for the board, counted in SQL and suppressed
(console.report.suppression) before anything else sees them.

`report_figures(event)` returns plain JSON (dicts, lists, strings, numbers; a hidden
figure is a word, suppression.SMALL or WITHHELD): what the HTML page and the PDF draw,
and what a frozen report keeps after the event's personal data is purged. A fixed
number of queries whatever the number of delegates, responses or sessions (a few more
per earlier event of the year-on-year chain, at most CHAIN_LENGTH).
"""

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice, BreakoutSession
from checkin.models import CheckIn
from console.report.suppression import (
    SMALL,
    WITHHELD,
    K,
    is_shown,
    shown,
    suppress_counts,
    suppress_mean,
    suppress_table,
)
from feedback.models import Rating, Response, Survey, SurveyInvitation
from outcomes.models import Action, ActionStatus, OutcomeStatus, Pledge, SessionOutcome
from speakers.models import Presentation
from symposium.enums import AgendaKind, RegistrationStatus, Sector
from symposium.models import BoardReport, Delegate, Event, clock

CHAIN_LENGTH = 10  # earlier events shown in the year-on-year view, at most
QUOTES = 20  # quotes of each kind, at most
SECTOR_LABELS = dict(Sector.choices)
AGENDA_KINDS = dict(AgendaKind.choices)
SMALL_ORGANISATIONS = f"Organisations with fewer than {K} registered"
NOT_IN_DIRECTORY = "Not in the partner directory"
NOT_NAMED = "An organisation not named"


def _attended():
    return Exists(CheckIn.objects.filter(delegate=OuterRef("pk"), undone_at__isnull=True))


def _confirmed(event_ids):
    return Delegate.objects.filter(event_id__in=event_ids, status=RegistrationStatus.CONFIRMED)


def _table(rows: list[tuple[str, int, int]], *, merge_small: str | None = None) -> dict:
    """Rows of (group, attended, no-shows) as printed: groups of fewer than K registered
    merged into one row first when `merge_small` names it, then the rule applied."""
    if merge_small:
        small = [row for row in rows if row[1] + row[2] < K]
        rows = [row for row in rows if row[1] + row[2] >= K]
        if small:
            rows.append((merge_small, sum(row[1] for row in small), sum(row[2] for row in small)))
    table = suppress_table([[attended, no_shows] for _, attended, no_shows in rows])
    return {
        "rows": [
            {
                "label": label,
                "attended": cells[0],
                "no_shows": cells[1],
                "registered": registered,
            }
            for (label, _, _), cells, registered in zip(
                rows, table.cells, table.row_totals, strict=True
            )
        ],
        # No one at all: as small a group as any (suppression.py counts 0 as small).
        "attended": table.column_totals[0] if rows else SMALL,
        "no_shows": table.column_totals[1] if rows else SMALL,
        "registered": table.total if rows else SMALL,
    }


def _grouped(queryset, field: str) -> list[tuple[object, int, int]]:
    rows = (
        queryset.annotate(came=_attended())
        .values(field)
        .annotate(
            attended=Count("pk", filter=Q(came=True)), absent=Count("pk", filter=Q(came=False))
        )
        .order_by(field)
    )
    return [(row[field], row["attended"], row["absent"]) for row in rows]


def attendance(event: Event) -> dict:
    """Confirmed delegates who came (a standing check-in) and who did not (no-shows), by
    sector, by organisation as typed, and by the partner directory's organisation."""
    confirmed = _confirmed([event.pk])
    by_sector = {
        value: (attended, absent) for value, attended, absent in _grouped(confirmed, "sector")
    }
    sectors = [
        (SECTOR_LABELS.get(value, value or "Not given"), *by_sector[value])
        for value in [*Sector.values, *(v for v in by_sector if v not in Sector.values)]
        if value in by_sector
    ]
    organisations = _grouped(confirmed, "organisation")
    partners = _grouped(confirmed, "affiliation__organisation__name")
    partners = [(name or NOT_IN_DIRECTORY, attended, absent) for name, attended, absent in partners]
    return {
        "by_sector": _table(sectors),
        "by_organisation": _table(
            [(name, a, b) for name, a, b in organisations], merge_small=SMALL_ORGANISATIONS
        ),
        "by_partner": _table(partners, merge_small=SMALL_ORGANISATIONS),
    }


def breakouts(event: Event) -> list[dict]:
    """Each session's uptake (confirmed places of confirmed delegates) and its sector
    mix, suppressed as one list each (the uptake is its total)."""
    sessions = list(
        BreakoutSession.objects.filter(theme__event=event)
        .select_related("theme", "agenda_item")
        .order_by("agenda_item__starts_at", "theme__number", "pk")
    )
    counts = defaultdict(dict)
    rows = (
        BreakoutChoice.objects.filter(
            session__theme__event=event,
            status=ChoiceStatus.CONFIRMED,
            delegate__status=RegistrationStatus.CONFIRMED,
        )
        .values("session_id", "delegate__sector")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["session_id"]][row["delegate__sector"]] = row["count"]
    found = []
    for session in sessions:
        by_sector = counts.get(session.pk, {})
        labels = [value for value in Sector.values if by_sector.get(value)]
        printed, uptake = suppress_counts([by_sector[value] for value in labels])
        found.append(
            {
                "id": session.pk,
                "round": f"{session.agenda_item.title}, {clock(session.agenda_item.starts_at)}",
                "theme": session.theme.title,
                "capacity": session.capacity,
                "uptake": uptake,
                "sectors": [
                    {"label": SECTOR_LABELS[value], "count": count}
                    for value, count in zip(labels, printed, strict=True)
                ],
            }
        )
    return found


def _rated(field: str, survey: Survey):
    return (
        Rating.objects.filter(response__survey=survey, **{f"{field}__isnull": False})
        .values(field)
        .annotate(total=Sum("score"), count=Count("pk"))
        .order_by()
    )


def feedback(event: Event) -> dict | None:
    """Scores (each a mean of K or more answers), the response rate and the quotes the
    organiser picked (only when K or more responded)."""
    survey = Survey.objects.filter(event=event).first()
    if survey is None:
        return None
    invited = SurveyInvitation.objects.filter(survey=survey).count()
    answers = Response.objects.filter(survey=survey).aggregate(
        responses=Count("pk"),
        overall_total=Sum("overall"),
        overall_count=Count("overall"),
    )
    responses = answers["responses"]
    invited = max(invited, responses)
    (printed_responses, _not_answered), printed_invited = suppress_counts(
        [responses, invited - responses]
    )
    rate = (
        round(100 * responses / invited)
        if is_shown(printed_responses) and is_shown(printed_invited)
        else printed_responses
    )
    overall_scores = dict(
        Response.objects.filter(survey=survey, overall__isnull=False)
        .values_list("overall")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts = [overall_scores.get(score, 0) for score in range(1, 6)]
    printed_scores, _ = suppress_counts(counts)
    if not all(map(is_shown, printed_scores)):
        # With the mean and the number of answers printed, two hidden counts could be
        # worked out from the shown ones: all of them or none.
        printed_scores = [SMALL if count < K else WITHHELD for count in counts]
    # What each rated thing is called, its kind and where it comes in the day.
    rated = {"agenda_item": {}, "presentation": {}, "breakout_session": {}}
    for pk, title, kind, starts_at in event.agenda_items.values_list(
        "pk", "title", "kind", "starts_at"
    ):
        rated["agenda_item"][pk] = (title, AGENDA_KINDS.get(kind, "Agenda item"), (starts_at, pk))
    for pk, title, starts_at in Presentation.objects.filter(agenda_item__event=event).values_list(
        "pk", "title", "agenda_item__starts_at"
    ):
        rated["presentation"][pk] = (title, "Presentation", (starts_at, pk))
    for pk, theme, round_title, starts_at, number in BreakoutSession.objects.filter(
        theme__event=event
    ).values_list(
        "pk", "theme__title", "agenda_item__title", "agenda_item__starts_at", "theme__number"
    ):
        rated["breakout_session"][pk] = (
            f"{theme} ({round_title})",
            "Breakout",
            (starts_at, number),
        )
    found = []
    for field, names in rated.items():
        for row in _rated(field, survey):
            title, kind, order = names[row[field]]
            found.append(
                (
                    order,
                    {
                        "kind": kind,
                        "title": title,
                        "mean": suppress_mean(row["total"], row["count"]),
                        "answers": shown(row["count"]),
                    },
                )
            )
    items = [item for _, item in sorted(found, key=lambda pair: pair[0])]
    quotes = {"comments": [], "do_differently": []}
    if responses >= K:
        picked = Response.objects.filter(survey=survey).filter(
            Q(comments_quoted=True) | Q(do_differently_quoted=True)
        )
        for comments, comments_quoted, differently, differently_quoted in picked.values_list(
            "comments", "comments_quoted", "do_differently", "do_differently_quoted"
        ):
            if comments_quoted and comments.strip():
                quotes["comments"].append(comments.strip())
            if differently_quoted and differently.strip():
                quotes["do_differently"].append(differently.strip())
        quotes = {key: value[:QUOTES] for key, value in quotes.items()}
    return {
        "anonymous": survey.is_anonymous,
        "invited": printed_invited,
        "responses": printed_responses,
        "rate": rate,
        "overall": {
            "mean": suppress_mean(answers["overall_total"] or 0, answers["overall_count"]),
            "answers": shown(answers["overall_count"]),
            "scores": [
                {"score": score, "count": count}
                for score, count in zip(range(1, 6), printed_scores, strict=True)
            ],
        },
        "items": items,
        "quotes": quotes,
    }


def _owner(owned) -> str:
    """Named only if the organisation agreed: board papers are often published."""
    if owned.may_name_organisation and owned.owner_name:
        return owned.owner_name
    return NOT_NAMED


def outcomes(event: Event) -> dict:
    """Published outcomes only, with their actions (owner, due, status) and pledges."""
    published = list(
        SessionOutcome.objects.filter(session__theme__event=event, status=OutcomeStatus.PUBLISHED)
        .select_related("session__theme", "session__agenda_item")
        .order_by("session__agenda_item__starts_at", "session__theme__number", "pk")
    )
    actions = defaultdict(list)
    for action in Action.objects.filter(outcome__in=published).select_related("organisation"):
        actions[action.outcome_id].append(
            {
                "description": action.description,
                "owner": _owner(action),
                "due_on": action.due_on.isoformat() if action.due_on else None,
                "status": action.get_status_display(),
            }
        )
    pledges = defaultdict(list)
    for pledge in Pledge.objects.filter(outcome__in=published).select_related("organisation"):
        pledges[pledge.outcome_id].append({"text": pledge.text, "owner": _owner(pledge)})
    status_counts = defaultdict(int)
    for rows in actions.values():
        for action in rows:
            status_counts[action["status"]] += 1
    return {
        "sessions": [
            {
                "theme": outcome.session.theme.title,
                "round": outcome.session.agenda_item.title,
                "key_points": outcome.key_points,
                "actions": actions[outcome.pk],
                "pledges": pledges[outcome.pk],
            }
            for outcome in published
        ],
        # Actions and pledges are organisations' commitments, not people: not suppressed.
        "action_status": [
            {"label": label, "count": status_counts[label]}
            for label in ActionStatus.labels
            if status_counts[label]
        ],
        "pledges": sum(len(rows) for rows in pledges.values()),
    }


def chain_of(event: Event) -> list[Event]:
    """The events this one was copied from, the most recent first (CHAIN_LENGTH at
    most; a loop, which copying cannot make, would end there too)."""
    chain, seen, current = [], {event.pk}, event
    while current.copied_from_id and len(chain) < CHAIN_LENGTH:
        if current.copied_from_id in seen:
            break
        current = Event.objects.get(pk=current.copied_from_id)
        seen.add(current.pk)
        chain.append(current)
    return chain


def headline(figures: dict) -> dict:
    """What the year-on-year view compares, from a report's figures."""
    sectors = figures["attendance"]["by_sector"]
    answers = figures.get("feedback") or {}
    return {
        "event": figures["event"]["name"],
        "starts_on": figures["event"]["starts_on"],
        "registered": sectors["registered"],
        "attended": sectors["attended"],
        "no_shows": sectors["no_shows"],
        "responses": answers.get("responses"),
        "rate": answers.get("rate"),
        "overall": (answers.get("overall") or {}).get("mean"),
    }


def year_on_year(event: Event, current: dict) -> list[dict]:
    """This event's headline figures beside those of the events it was copied from:
    each earlier one's frozen report if it has one (its feedback purged), else counted
    now."""
    rows = [headline(current)]
    for earlier in chain_of(event):
        frozen = BoardReport.objects.filter(event=earlier, frozen=True).first()
        figures = frozen.figures if frozen else event_figures(earlier)
        rows.append(headline(figures))
    return rows


def event_figures(event: Event) -> dict:
    """The report's figures without the year-on-year view."""
    return {
        "event": {
            "name": event.name,
            "starts_on": event.starts_on.isoformat(),
            "venue": event.venue_name,
        },
        "attendance": attendance(event),
        "breakouts": breakouts(event),
        "feedback": feedback(event),
        "outcomes": outcomes(event),
    }


def report_figures(event: Event, *, now: dt.datetime | None = None) -> dict:
    figures = event_figures(event)
    figures["made_at"] = (now or timezone.now()).isoformat()
    figures["year_on_year"] = year_on_year(event, figures)
    return figures


def without_quotes(figures: dict) -> dict:
    """The figures kept after the purge: no free text that people wrote."""
    kept = dict(figures)
    if kept.get("feedback"):
        kept["feedback"] = {**kept["feedback"], "quotes": {"comments": [], "do_differently": []}}
        kept["feedback"]["quotes_removed"] = True
    return kept
