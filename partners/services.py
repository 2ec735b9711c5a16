"""The partner directory's rules: finding an organisation by any of its names,
affiliating delegates with it, and merging duplicates without losing history. Called by
registration, the console and imports alike."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from partners.models import (
    Affiliation,
    LeadAction,
    MatchedBy,
    Network,
    Organisation,
    OrganisationAlias,
    OrganisationMerge,
    PartnerLead,
    PartnerLeadAction,
    SeatQuota,
)
from partners.names import name_key
from symposium import audit, background
from symposium.models import Delegate, Event, new_access_key


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
    *,
    delegate: Delegate,
    organisation: Organisation | None,
    new_delegate: bool = False,
    matched_by: str = MatchedBy.NAME,
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
            [Affiliation(delegate=delegate, organisation=organisation, matched_by=matched_by)],
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


def add_organisation(*, name: str, sector: str, website: str = "") -> Organisation:
    """A new directory entry. Raises ValidationError (by field) for bad data or a name
    the directory already has, as a name or another's alias.

    Side effects: creates the Organisation."""
    organisation = Organisation(name=" ".join(name.split()), sector=sector, website=website)
    organisation.name_key = name_key(organisation.name)
    organisation.full_clean(exclude=["name_key"])
    key = organisation.name_key
    if (
        Organisation.objects.current().filter(name_key=key).exists()
        or OrganisationAlias.objects.filter(name_key=key).exists()
    ):
        raise ValidationError({"name": "The directory already has an organisation of this name."})
    organisation.save()
    return organisation


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


# Partner leads --------------------------------------------------------------------------


def record_lead_action(
    *,
    lead: PartnerLead,
    action: str,
    event: Event | None = None,
    delegate: Delegate | None = None,
    colleague: Delegate | None = None,
    details: str = "",
    done_by=None,
) -> PartnerLeadAction:
    """One line of the partner leads' audit, and of the event's audit log (for an
    event's action). Callers write it in the transaction of what it records, so an
    action that rolls back leaves no line."""
    if event is not None:
        audit.log_action(
            event=event,
            action=f"lead.{action}",
            actor=done_by,
            delegate=delegate,
            data={
                "lead_id": lead.pk,
                "colleague_id": getattr(colleague, "pk", None),
                "details": details[:500],
            },
        )
    return PartnerLeadAction.objects.create(
        lead=lead,
        action=action,
        event=event,
        delegate=delegate,
        colleague=colleague,
        details=details[:500],
        done_by=done_by,
    )


def email_lead_links(*, lead: PartnerLead, done_by=None) -> list[Event]:
    """Email the lead their link for each event they lead for that is not over. The
    email is built and sent by a worker (partners.tasks.email_lead_link), queued in
    this transaction. Returns the events.

    Side effects: one task and one audit line per event."""
    from partners import tasks
    from symposium.tokens import event_is_over

    events = [
        event for event in lead.events.order_by("starts_on", "pk") if not event_is_over(event)
    ]
    with transaction.atomic():
        for event in events:
            background.defer(tasks.email_lead_link, lead_pk=lead.pk, event_pk=event.pk)
            record_lead_action(
                lead=lead,
                action=LeadAction.LINK_SENT,
                event=event,
                done_by=done_by,
                details=f"to {lead.email}",
            )
    return events


def revoke_lead_links(*, lead: PartnerLead, done_by=None) -> PartnerLead:
    """Every link sent to the lead stops working (a new access key); a link emailed
    afterwards works.

    Side effects: saves the lead's access key; one audit line."""
    with transaction.atomic():
        lead.access_key = new_access_key()
        lead.save(update_fields=["access_key"])
        record_lead_action(lead=lead, action=LeadAction.LINKS_REVOKED, done_by=done_by)
        audit.log_actions(
            audit.entry(
                event=event_id,
                action="lead.links_revoked",
                actor=done_by,
                data={"lead_id": lead.pk},
            )
            for event_id in lead.events.values_list("pk", flat=True)
        )
    return lead


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    # (row number, why), for rows the file had right but the directory refused.
    skipped: list[tuple[int, str]]


@transaction.atomic
def import_directory(*, rows: Iterable) -> ImportResult:
    """Save checked rows (partners.imports.check_rows, without errors) to the directory:
    an entry whose name key is already current is updated (sector, website, networks
    and aliases added), otherwise created; networks are created as needed. An alias
    that is another entry's name or alias skips its row, with why.

    Side effects: creates or updates Organisations, Networks and OrganisationAliases,
    in one transaction."""
    rows = list(rows)
    current = {o.name_key: o for o in Organisation.objects.current()}
    alias_owner = dict(OrganisationAlias.objects.values_list("name_key", "organisation_id"))
    networks = {n.name.casefold(): n for n in Network.objects.all()}
    created = updated = 0
    skipped = []
    for row in rows:
        key = name_key(row.name)
        organisation = current.get(key)
        if organisation is None and alias_owner.get(key):
            skipped.append((row.number, f"“{row.name}” is another name of an entry already."))
            continue
        own_pk = organisation.pk if organisation else None
        aliases = {name_key(alias): alias for alias in row.aliases}
        aliases.pop(key, None)
        taken = [
            alias
            for alias_key, alias in aliases.items()
            if (alias_owner.get(alias_key) not in (None, own_pk))
            or (alias_key in current and alias_key != key)
        ]
        if taken:
            skipped.append((row.number, f"“{taken[0]}” is already the name of another entry."))
            continue
        if organisation is None:
            organisation = Organisation(name=row.name)
            created += 1
        else:
            updated += 1
        organisation.sector = row.sector
        organisation.website = row.website or organisation.website
        organisation.save()
        current[key] = organisation
        for alias_key, alias in aliases.items():
            if alias_key not in alias_owner:
                OrganisationAlias.objects.create(organisation=organisation, name=alias)
                alias_owner[alias_key] = organisation.pk
        for name in row.networks:
            if name.casefold() not in networks:
                networks[name.casefold()] = Network.objects.create(name=name)
        if row.networks:
            organisation.networks.add(*(networks[name.casefold()] for name in row.networks))
    return ImportResult(created=created, updated=updated, skipped=skipped)


# Seat quotas ----------------------------------------------------------------------------


def quota_leads(quota: SeatQuota):
    """The partner leads a quota's warning goes to: its organisation's or network's (a
    sector's quota has none)."""
    if quota.organisation_id:
        return PartnerLead.objects.filter(organisation=quota.organisation_id)
    if quota.network_id:
        return PartnerLead.objects.filter(network=quota.network_id)
    return PartnerLead.objects.none()


def warn_quota_releases(*, now: dt.datetime | None = None) -> list[SeatQuota]:
    """Email the partner leads of every quota whose seats return to the general pool
    within `settings.QUOTA_RELEASE_WARNING_DAYS`, once per quota however often this
    runs: a conditional UPDATE of `release_warned_at` decides who sends it. The emails
    are built and sent by a worker (partners.tasks.email_quota_warning), queued in the
    same transaction. Returns the quotas warned about.

    Side effects: sets release_warned_at; one task per lead."""
    from partners import tasks

    now = now or timezone.now()
    soon = now + dt.timedelta(days=settings.QUOTA_RELEASE_WARNING_DAYS)
    due = SeatQuota.objects.filter(
        released_at__isnull=True,
        release_warned_at__isnull=True,
        release_at__gt=now,
        release_at__lte=soon,
    )
    warned = []
    for quota in due.order_by("release_at", "pk"):
        with transaction.atomic():
            if not SeatQuota.objects.filter(pk=quota.pk, release_warned_at__isnull=True).update(
                release_warned_at=now
            ):
                continue  # Another run warned them meanwhile.
            for lead_pk in quota_leads(quota).values_list("pk", flat=True):
                background.defer(tasks.email_quota_warning, lead_pk=lead_pk, quota_pk=quota.pk)
            audit.log_action(event=quota.event_id, action="quota.warned", obj=quota)
            warned.append(quota)
    return warned
