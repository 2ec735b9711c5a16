"""Reading the partner directory."""

from collections import Counter
from dataclasses import dataclass

from partners.models import Organisation, OrganisationAlias
from partners.names import name_key
from symposium.models import Delegate, Event

SEARCH_LIMIT = 10


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
