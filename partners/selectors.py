"""Reading the partner directory."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from partners.models import Organisation, OrganisationAlias
from partners.names import name_key
from symposium.models import Delegate, Event

SEARCH_LIMIT = 10


def with_merged(organisations: QuerySet) -> RawSQL:
    """The ids of these organisations and of every entry merged into them, however many
    merges ago (the borough merged into the council, the council later into a unitary
    authority: both are the unitary's), as a subquery for `pk__in`: one query whatever
    the depth (a recursive one, following `merged_into` backwards)."""
    # Only the ORM's own SQL (its values as parameters) and the table's name go in.
    sql, params = organisations.order_by().values("pk").query.sql_with_params()
    table = Organisation._meta.db_table
    return RawSQL(  # noqa: S611
        f"WITH RECURSIVE owners(id) AS ({sql} UNION SELECT merged.id FROM {table} merged "  # noqa: S608
        "JOIN owners ON merged.merged_into_id = owners.id) SELECT id FROM owners",
        params,
    )


def merged_into_chain(organisation_id: int) -> RawSQL:
    """The id of this organisation and of those it was merged into, one into the next
    (the borough, the council that absorbed it, the unitary authority that absorbed
    the council), as a subquery for `pk__in`: those now answering for what it owned."""
    table = Organisation._meta.db_table
    return RawSQL(  # noqa: S611
        f"WITH RECURSIVE chain(id, merged_into_id) AS (SELECT id, merged_into_id FROM {table} "  # noqa: S608
        f"WHERE id = %s UNION SELECT o.id, o.merged_into_id FROM {table} o "
        "JOIN chain ON o.id = chain.merged_into_id) SELECT id FROM chain",
        (organisation_id,),
    )


def search_organisations(query: str, *, limit: int = SEARCH_LIMIT) -> list[Organisation]:
    """Current entries whose name or an alias contains what was typed (by name key, so
    case, "&" and dots don't matter), names starting with it first. Two indexed-size
    queries whatever the directory's size is (5,000 entries: bench/partners.py)."""
    key = name_key(query)
    if not key:
        return []
    current = Organisation.objects.current()
    by_name = list(current.filter(name_key__contains=key).order_by("name_key")[: limit * 3])
    found = {o.pk: o for o in by_name}
    if len(found) < limit:
        aliased = OrganisationAlias.objects.filter(
            name_key__contains=key, organisation__merged_into__isnull=True
        ).select_related("organisation")[:limit]
        for alias in aliased:
            found.setdefault(alias.organisation_id, alias.organisation)
    ranked = sorted(found.values(), key=lambda o: (not o.name_key.startswith(key), o.name_key))
    return ranked[:limit]


@dataclass(frozen=True)
class UnmatchedName:
    name: str  # The spelling most delegates used.
    key: str
    delegates: int


def to_match(*, event: Event | None = None) -> list[UnmatchedName]:
    """Organisations typed by delegates that the directory does not know, spellings
    of one name together, most delegates first: the organisers' "to match" list."""
    delegates = Delegate.objects.filter(affiliation__isnull=True)
    if event is not None:
        delegates = delegates.filter(event=event)
    spellings: dict[str, Counter] = {}
    for name in delegates.values_list("organisation", flat=True).iterator():
        spellings.setdefault(name_key(name), Counter())[name] += 1
    return sorted(
        (
            UnmatchedName(name=counter.most_common(1)[0][0], key=key, delegates=counter.total())
            for key, counter in spellings.items()
            if key
        ),
        key=lambda unmatched: (-unmatched.delegates, unmatched.key),
    )


def lead_delegates(*, lead, event: Event):
    """The registrations a partner lead sees at an event: those affiliated with their
    organisation or, for a network's lead, with any of the network's members. Every
    page and action of the lead starts from this: nothing outside it exists for them."""
    delegates = Delegate.objects.filter(event=event)
    if lead.organisation_id is not None:
        return delegates.filter(affiliation__organisation_id=lead.organisation_id)
    members = Organisation.objects.filter(networks=lead.network_id).values("pk")
    return delegates.filter(affiliation__organisation_id__in=members)
