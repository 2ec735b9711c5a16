"""The partner directory's rules: finding an organisation by any of its names,
affiliating delegates with it, and merging duplicates without losing history. Called by
registration, the console and imports alike."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, Q

from partners.models import (
    Affiliation,
    MatchedBy,
    Organisation,
    OrganisationAlias,
    OrganisationMerge,
)
from partners.names import name_key
from symposium.models import Delegate


def find_organisation(name: str) -> Organisation | None:
    """The current directory entry a name (or alias) means, or None. A name or alias of
    an entry since merged leads to the entry it was merged into. One query (the
    registration POST counts them), more only for an entry merged twice over."""
    key = name_key(name)
    if not key:
        return None
    aliased = OrganisationAlias.objects.filter(name_key=key).values("organisation")
    found = (
        Organisation.objects.filter(Q(name_key=key) | Q(pk__in=aliased))
        .select_related("merged_into")
        .order_by(F("merged_into").asc(nulls_first=True), "pk")
        .first()
    )
    while found is not None and found.merged_into_id is not None:
        found = found.merged_into
    return found


def affiliate(*, delegate: Delegate, organisation: Organisation, matched_by: str) -> Affiliation:
    """Record the delegate's organisation as the directory's entry: its name and its
    sector become the delegate's, so counts by organisation and sector follow the
    directory, not what each person typed.

    Side effects: creates or updates the Affiliation; saves the delegate's organisation
    and sector."""
    affiliation, _ = Affiliation.objects.update_or_create(
        delegate=delegate,
        defaults={"organisation": organisation, "matched_by": matched_by},
    )
    if (delegate.organisation, delegate.sector) != (organisation.name, organisation.sector):
        delegate.organisation, delegate.sector = organisation.name, organisation.sector
        delegate.save(update_fields=["organisation", "sector", "updated_at"])
    return affiliation


def match_registration(*, delegate: Delegate) -> Affiliation | None:
    """Affiliate a delegate whose organisation, as typed, the directory knows. Someone
    else's words stay as typed, on the organisers' "to match" list."""
    organisation = find_organisation(delegate.organisation)
    if organisation is None:
        return None
    return affiliate(delegate=delegate, organisation=organisation, matched_by=MatchedBy.NAME)


def record_affiliation(
    *, delegate: Delegate, organisation: Organisation | None, new_delegate: bool = False
) -> None:
    """The registration's side of the directory, once the delegate is saved with
    `organisation`'s name and sector (the caller sets them, so the delegate is written
    once): affiliate them with it, or with nothing when what they typed is not in the
    directory (they go on the to-match list, their words as typed). One statement: an
    upsert, or for an existing delegate without an entry a delete; none for a new
    delegate without one.

    Side effects: creates, updates or deletes the delegate's Affiliation."""
    if organisation is not None:
        Affiliation.objects.bulk_create(
            [Affiliation(delegate=delegate, organisation=organisation, matched_by=MatchedBy.NAME)],
            update_conflicts=True,
            unique_fields=["delegate"],
            update_fields=["organisation", "matched_by"],
        )
    elif not new_delegate:
        Affiliation.objects.filter(delegate=delegate).delete()


def unmatched_delegates(name: str):
    """Delegates without an affiliation whose typed organisation has this name's key."""
    key = name_key(name)
    candidates = Delegate.objects.filter(affiliation__isnull=True).only("pk", "organisation")
    return [
        delegate.pk for delegate in candidates.iterator() if name_key(delegate.organisation) == key
    ]


@transaction.atomic
def match_name(*, name: str, organisation: Organisation) -> int:
    """An organiser says what a typed name means: it becomes an alias of the
    organisation (unless it already finds it) and every unaffiliated delegate who typed
    it is affiliated. How many were.

    Side effects: may create an OrganisationAlias; creates Affiliations; saves those
    delegates' organisation and sector."""
    key = name_key(name)
    if (
        key
        and key != organisation.name_key
        and not OrganisationAlias.objects.filter(name_key=key).exists()
    ):
        OrganisationAlias.objects.create(organisation=organisation, name=name.strip())
    pks = unmatched_delegates(name)
    for delegate in Delegate.objects.filter(pk__in=pks).select_for_update():
        affiliate(delegate=delegate, organisation=organisation, matched_by=MatchedBy.ORGANISER)
    return len(pks)


@transaction.atomic
def merge_organisations(
    *, keep: Organisation, duplicates: Iterable[Organisation], merged_by=None
) -> list[OrganisationMerge]:
    """Merge duplicates into `keep`. Each duplicate stays in the database pointing to
    `keep` (its old links still resolve), its name and aliases become `keep`'s aliases,
    its networks are added to `keep`'s, and its delegates move to `keep` with its name
    and sector. One OrganisationMerge per duplicate records who, when and how many.

    Side effects: locks the organisations; writes all of the above."""
    pks = sorted({keep.pk, *(d.pk for d in duplicates)})
    locked = {o.pk: o for o in Organisation.objects.select_for_update().filter(pk__in=pks)}
    keep = locked[keep.pk]
    if keep.merged_into_id is not None:
        raise ValueError("Merge into an organisation that has not itself been merged.")
    records = []
    for pk in pks:
        if pk == keep.pk:
            continue
        duplicate = locked[pk]
        if duplicate.merged_into_id is not None:
            continue
        OrganisationAlias.objects.filter(organisation=duplicate).update(organisation=keep)
        duplicate.merged_into = keep
        duplicate.save(update_fields=["merged_into"])
        if duplicate.name_key != keep.name_key:
            OrganisationAlias.objects.get_or_create(
                name_key=duplicate.name_key, defaults={"organisation": keep, "name": duplicate.name}
            )
        keep.networks.add(*duplicate.networks.all())
        moved = Delegate.objects.filter(affiliation__organisation=duplicate)
        count = moved.update(organisation=keep.name, sector=keep.sector)
        Affiliation.objects.filter(organisation=duplicate).update(organisation=keep)
        records.append(
            OrganisationMerge.objects.create(
                kept=keep,
                merged=duplicate,
                merged_name=duplicate.name,
                delegates_moved=count,
                merged_by=merged_by,
            )
        )
    return records
