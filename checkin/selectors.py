"""What the desk holds: the event's confirmed delegates with their codes, breakouts and
check-ins; and live attendance for the overview. A fixed number of queries each."""

import hashlib
import json
from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice, BreakoutSession
from checkin.codes import check_in_code
from checkin.models import CheckIn, WalkIn
from questions.services import desk_answers
from symposium.enums import Sector
from symposium.models import Delegate, DelegateNeeds, Event, by_name, clock


def standing_check_ins(*, event: Event) -> dict[int, CheckIn]:
    rows = CheckIn.objects.filter(delegate__event=event, undone_at__isnull=True)
    return {row.delegate_id: row for row in rows}


def _breakouts(event: Event) -> dict[int, list[dict]]:
    places = (
        BreakoutChoice.objects.filter(
            session__theme__event=event, status=ChoiceStatus.CONFIRMED, replaces__isnull=True
        )
        .select_related("session__theme", "session__room", "agenda_item")
        .order_by("agenda_item__starts_at", "pk")
    )
    by_delegate = defaultdict(list)
    for place in places:
        session = place.session
        by_delegate[place.delegate_id].append(
            {
                "title": session.theme.title,
                "time": clock(place.agenda_item.starts_at),
                "room": session.room.name if session.room else "",
            }
        )
    return by_delegate


def check_in_json(row: CheckIn | None) -> dict | None:
    if row is None:
        return None
    return {"at": row.at.isoformat(), "clock": clock(row.at), "desk": row.desk}


def desk_list(*, event: Event, with_needs: bool) -> list[dict]:
    """One entry per confirmed delegate, alphabetical. The access-needs flag only for
    staff allowed to see needs (`with_needs`); never the needs themselves. The answers
    to the questions shown at the desk, when they gave any (sensitive ones only
    `with_needs`)."""
    delegates = Delegate.objects.filter(event=event).confirmed().order_by(*by_name())
    if with_needs:
        has_needs = DelegateNeeds.objects.filter(delegate=OuterRef("pk")).exclude(access_needs="")
        delegates = delegates.annotate(access_needs=Exists(has_needs))
    breakouts = _breakouts(event)
    standing = standing_check_ins(event=event)
    answers = desk_answers(event=event, with_sensitive=with_needs)
    sectors = dict(Sector.choices)
    entries = []
    for delegate in delegates.only("event_id", "first_name", "last_name", "organisation", "sector"):
        entry = {
            "id": delegate.pk,
            "code": check_in_code(delegate),
            "first_name": delegate.first_name,
            "last_name": delegate.last_name,
            "organisation": delegate.organisation,
            "sector": sectors.get(delegate.sector, delegate.sector),
            "breakouts": breakouts.get(delegate.pk, []),
            "checked_in": check_in_json(standing.get(delegate.pk)),
        }
        if with_needs:
            entry["access_needs"] = delegate.access_needs
        if delegate.pk in answers:
            entry["answers"] = answers[delegate.pk]
        entries.append(entry)
    return entries


def _digest(entry: dict) -> str:
    text = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def list_version(entries: list[dict]) -> tuple[str, dict[int, str]]:
    """The list's version (a digest of every entry's) and each entry's digest by id."""
    digests = {entry["id"]: _digest(entry) for entry in entries}
    whole = hashlib.blake2b(digest_size=10)
    for entry_id, digest in digests.items():
        whole.update(f"{entry_id}:{digest};".encode())
    return whole.hexdigest(), digests


def list_changes(
    entries: list[dict], *, before: dict[int, str], now: dict[int, str]
) -> tuple[list[dict], list[int]]:
    """What changed from a list whose digests were `before`: entries new or different,
    and the ids gone (cancelled, waitlisted again, deleted)."""
    changed = [entry for entry in entries if before.get(entry["id"]) != now[entry["id"]]]
    removed = [entry_id for entry_id in before if entry_id not in now]
    return changed, removed


def _counts(rows, key: str, labels: dict | None = None) -> list[dict]:
    return [
        {
            "label": (labels or {}).get(row[key], row[key]),
            "checked_in": row["checked_in"],
            "expected": row["expected"],
        }
        for row in rows
    ]


NOT_IN_DIRECTORY = "Not in the partner directory"


def _partner_counts(rows, key: str, *, others: str | None = None) -> list[dict]:
    """Registered (confirmed), checked in and no-show (registered, not checked in) per
    directory entry or network, by name; the rows without one (None) last, as `others`,
    or left out without it."""
    named = [row for row in rows if row[key] is not None]
    rest = [row for row in rows if row[key] is None]
    return [
        {
            "label": row[key] if row[key] is not None else others,
            "checked_in": row["checked_in"],
            "expected": row["expected"],
            "no_show": row["expected"] - row["checked_in"],
        }
        for row in [*named, *(rest if others else [])]
    ]


def attendance(*, event: Event) -> dict:
    """Checked in / expected (confirmed), overall and by sector, organisation (as
    typed), breakout session, partner (the directory's organisation the delegate is
    affiliated with, whatever they typed) and partner network (a delegate counts in each
    network of their organisation), with the no-shows by partner and network, and the
    walk-ins waiting for an organiser: eight queries, whatever the number of
    delegates."""
    standing = CheckIn.objects.filter(undone_at__isnull=True)
    delegates = Delegate.objects.filter(event=event).confirmed()
    delegates = delegates.annotate(here=Exists(standing.filter(delegate=OuterRef("pk"))))
    tally = {"expected": Count("pk"), "checked_in": Count("pk", filter=Q(here=True))}
    totals = delegates.aggregate(**tally)
    sectors = delegates.values("sector").annotate(**tally).order_by("sector")
    order = {value: n for n, value in enumerate(Sector.values)}
    sectors = sorted(sectors, key=lambda row: order.get(row["sector"], len(order)))
    organisations = delegates.values("organisation").annotate(**tally).order_by("organisation")
    partner = "affiliation__organisation__name"
    partners = delegates.values(partner).annotate(**tally).order_by(partner)
    network = "affiliation__organisation__networks__name"
    networks = delegates.values(network).annotate(**tally).order_by(network)
    places = (
        BreakoutChoice.objects.filter(
            session__theme__event=event,
            status=ChoiceStatus.CONFIRMED,
            replaces__isnull=True,
            delegate__in=delegates.values("pk"),
        )
        .annotate(here=Exists(standing.filter(delegate=OuterRef("delegate_id"))))
        .values("session_id")
        .annotate(**tally)
        .order_by()
    )
    places = {row["session_id"]: row for row in places}
    sessions = (
        BreakoutSession.objects.filter(theme__event=event)
        .select_related("theme", "agenda_item", "room")
        .order_by("agenda_item__starts_at", "theme__number", "pk")
    )
    return {
        "totals": totals,
        "walk_ins_waiting": WalkIn.objects.filter(
            delegate__event=event, needs_organiser=True, delegate__status="waitlisted"
        ).count(),
        "by_sector": _counts(sectors, "sector", dict(Sector.choices)),
        "by_organisation": _counts(organisations, "organisation"),
        "by_partner": _partner_counts(partners, partner, others=NOT_IN_DIRECTORY),
        "by_network": _partner_counts(networks, network),
        "by_session": [
            {
                "label": f"{s.theme.title} ({clock(s.agenda_item.starts_at)}"
                + (f", {s.room.name})" if s.room else ")"),
                "checked_in": places.get(s.pk, {}).get("checked_in", 0),
                "expected": places.get(s.pk, {}).get("expected", 0),
            }
            for s in sessions
        ],
    }


def checked_in_at() -> Subquery:
    """Annotation for a Delegate queryset: when the delegate was checked in, or None."""
    standing = CheckIn.objects.filter(delegate=OuterRef("pk"), undone_at__isnull=True)
    return Subquery(standing.values("at")[:1])
