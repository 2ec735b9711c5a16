"""Seat quotas: the arithmetic of seats kept for an organisation, a network or a sector.

Registration (registration.services) decides places with it, always under the event's
lock; this module counts and chooses, and changes no delegate's status itself.

The rule, for the unreleased quotas of an event:

    a quota's free seats   = its seats − its confirmed delegates   (never below 0)
    the general free seats = capacity − every confirmed delegate − Σ quotas' free seats

A delegate counted against quota Q (a QuotaPlace) takes a seat if Q has a free one,
else a general one; anyone else only a general one; and nobody once the event has as
many confirmed as its capacity. A delegate of Q confirmed through the general pool
makes Q's confirmed exceed its seats: Q has no free seat, which is the same count
whichever pool the seat is said to come from, so nothing records which it was.

Waiting: a quota's waitlist is its delegates on the event's waitlist. A seat freed in
a quota goes to the first of them; a general seat to the first on the whole waitlist,
quota or not (a delegate of Q who found both Q and the general pool full is not put
behind later general registrants). On release, the quota holds nothing: its waiting
delegates are simply on the general waitlist, where they always stood in time order.
"""

import dataclasses
import datetime as dt

from django.db.models import Count, Q

from partners.models import Organisation, QuotaPlace, SeatQuota
from symposium.enums import RegistrationStatus
from symposium.models import Delegate, Event


def choose_quota_sql(
    *,
    delegate_pk: int,
    event_pk: int,
    quota_pk: int | None = None,
    organisation_pk: int | None = None,
    sector: str = "",
) -> tuple[str, list]:
    """One statement recording which unreleased quota of the event the delegate's place
    counts against, if any: the quota given (an invitation's), else their
    organisation's, else one of its networks', else their sector's (the earliest to
    release first, where two networks have one). Run under the event's lock, so a
    quota released meanwhile is never chosen."""
    table = SeatQuota._meta.db_table
    places = QuotaPlace._meta.db_table
    networks = Organisation.networks.through._meta.db_table
    sql = (
        # Table names from the models; every value a parameter.
        f"INSERT INTO {places} (delegate_id, quota_id) SELECT %s, id FROM {table} "  # noqa: S608
        "WHERE event_id = %s AND released_at IS NULL AND (id = %s OR organisation_id = %s "
        f"OR network_id IN (SELECT network_id FROM {networks} WHERE organisation_id = %s) "
        "OR (sector = %s AND sector <> '')) "
        "ORDER BY CASE WHEN id = %s THEN 0 WHEN organisation_id IS NOT NULL THEN 1 "
        "WHEN network_id IS NOT NULL THEN 2 ELSE 3 END, release_at, id LIMIT 1"
    )
    params = [
        delegate_pk,
        event_pk,
        quota_pk,
        organisation_pk,
        organisation_pk,
        sector or "",
        quota_pk,
    ]
    return sql, params


def decision_sql(*, delegate_pk: int, event_pk: int) -> tuple[str, list]:
    """One statement giving the (waitlisted) delegate a place if the rule above allows
    it, setting their time to the database's clock (the order of the decisions), and
    returning their status and time. The caller holds the event's lock."""
    table = Delegate._meta.db_table
    event_table = Event._meta.db_table
    quotas = SeatQuota._meta.db_table
    places = QuotaPlace._meta.db_table
    confirmed = RegistrationStatus.CONFIRMED
    sql = (
        f"WITH quota AS (SELECT q.id, q.seats - (SELECT count(*) FROM {places} p "  # noqa: S608
        f"JOIN {table} d ON d.id = p.delegate_id WHERE p.quota_id = q.id AND d.status = %s) "
        f"AS free FROM {quotas} q WHERE q.event_id = %s AND q.released_at IS NULL), "
        f"taken AS (SELECT count(*) AS n FROM {table} WHERE event_id = %s AND status = %s), "
        f"room AS (SELECT delegate_capacity - (SELECT n FROM taken) AS n FROM {event_table} "
        "WHERE id = %s) "
        f"UPDATE {table} SET status = CASE WHEN (SELECT n FROM room) > 0 AND ("
        "(SELECT n FROM room) - (SELECT coalesce(sum(greatest(free, 0)), 0) FROM quota) > 0 "
        f"OR EXISTS (SELECT 1 FROM quota JOIN {places} p ON p.quota_id = quota.id "
        "WHERE p.delegate_id = %s AND quota.free > 0)) THEN %s ELSE status END, "
        "created_at = clock_timestamp(), updated_at = clock_timestamp() "
        "WHERE id = %s RETURNING status, created_at"
    )
    params = [confirmed, event_pk, event_pk, confirmed, event_pk, delegate_pk, confirmed]
    return sql, [*params, delegate_pk]


def quota_pk_of(delegate: Delegate) -> int | None:
    """The unreleased quota the delegate's place counts against, or None."""
    return (
        QuotaPlace.objects.filter(delegate=delegate, quota__released_at__isnull=True)
        .values_list("quota_id", flat=True)
        .first()
    )


def free_quota_seats(*, event: Event, leaving: Delegate | None = None) -> dict[int, int]:
    """{unreleased quota pk: its free seats (never below 0)}, not counting one
    delegate `leaving` as confirmed."""
    counted = Q(places__delegate__status=RegistrationStatus.CONFIRMED)
    if leaving is not None:
        counted &= ~Q(places__delegate=leaving.pk)
    rows = (
        SeatQuota.objects.filter(event=event, released_at__isnull=True)
        .annotate(confirmed=Count("places", filter=counted))
        .values_list("pk", "seats", "confirmed")
    )
    return {pk: max(seats - confirmed, 0) for pk, seats, confirmed in rows}


def may_confirm(
    *, capacity: int, confirmed: int, free: dict[int, int], quota_pk: int | None
) -> bool:
    """Whether a delegate counted against `quota_pk` (None: no quota) may take a seat."""
    room = capacity - confirmed
    return room > 0 and (room - sum(free.values()) > 0 or free.get(quota_pk, 0) > 0)


def to_promote(
    *, event: Event, capacity: int, confirmed: int, leaving: Delegate | None = None
) -> list[int]:
    """The pks of the waitlisted delegates to confirm, in waitlist order, given
    `confirmed` delegates (not counting `leaving`): each in turn takes a seat of their
    quota or a general seat, while the rule allows. The caller holds the event's lock."""
    if capacity - confirmed <= 0:
        return []
    free = free_quota_seats(event=event, leaving=leaving)
    waiting = Delegate.objects.filter(event=event, status=RegistrationStatus.WAITLISTED).exclude(
        pk=getattr(leaving, "pk", None)
    )
    general = capacity - confirmed - sum(free.values())
    if not any(free.values()):
        # No seat kept: the front of the waitlist, as without quotas.
        return list(waiting.order_by("created_at", "pk").values_list("pk", flat=True)[:general])
    rows = waiting.order_by("created_at", "pk").values_list("pk", "quota_place__quota_id")
    room, chosen = capacity - confirmed, []
    for pk, quota_pk in rows.iterator():
        if room <= 0 or (general <= 0 and not any(free.values())):
            break
        if free.get(quota_pk, 0) > 0:
            free[quota_pk] -= 1
        elif general > 0:
            general -= 1
        else:
            continue
        room -= 1
        chosen.append(pk)
    return chosen


# Reporting --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class QuotaUse:
    quota: SeatQuota
    kind: str  # "Partner", "Network" or "Sector"
    holder: str
    seats: int
    confirmed: int  # Confirmed delegates who came through it (may exceed its seats).
    waitlisted: int
    released_at: dt.datetime | None

    @property
    def free(self) -> int:
        """Seats still kept for it: none once released."""
        return 0 if self.released_at else max(self.seats - self.confirmed, 0)


def quota_usage(event: Event) -> list[QuotaUse]:
    """Every quota of the event, with its use (partners first, then networks, then
    sectors): one query whatever the number of quotas or registrations."""
    return quota_usage_of(events=[event.pk])[event.pk]


def quota_usage_of(*, events) -> dict[int, list[QuotaUse]]:
    """{event pk: its quotas' use} for these events (pks), in one query."""
    quotas = (
        SeatQuota.objects.filter(event__in=events)
        .select_related("organisation", "network")
        .annotate(
            confirmed=Count(
                "places", filter=Q(places__delegate__status=RegistrationStatus.CONFIRMED)
            ),
            waitlisted=Count(
                "places", filter=Q(places__delegate__status=RegistrationStatus.WAITLISTED)
            ),
        )
        .order_by("organisation__name", "network__name", "sector", "pk")
    )
    used = {pk: [] for pk in events}
    for quota in quotas:
        if quota.organisation_id:
            kind, holder = "Partner", quota.organisation.name
        elif quota.network_id:
            kind, holder = "Network", quota.network.name
        else:
            kind, holder = "Sector", quota.get_sector_display()
        used.setdefault(quota.event_id, []).append(
            QuotaUse(
                quota=quota,
                kind=kind,
                holder=holder,
                seats=quota.seats,
                confirmed=quota.confirmed,
                waitlisted=quota.waitlisted,
                released_at=quota.released_at,
            )
        )
    kinds = {"Partner": 0, "Network": 1, "Sector": 2}
    return {
        pk: sorted(uses, key=lambda use: (kinds[use.kind], use.holder.casefold()))
        for pk, uses in used.items()
    }
