"""The partner directory's rules: finding an organisation by any of its names,
affiliating delegates with it, and merging duplicates without losing history. Called by
registration, the console and imports alike."""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from partners.models import (
    Affiliation,
    LeadAction,
    MatchedBy,
    Organisation,
    OrganisationAlias,
    OrganisationMerge,
    PartnerLead,
    PartnerLeadAction,
    SeatQuota,
)
from partners.names import name_key
from symposium import background
from symposium.models import Delegate, Event, new_access_key


def find_organisation(name: str) -> Organisation | None:
    """The current directory entry a name (or alias) means, or None. A name or alias of
    an entry since merged leads to the entry it was merged into."""
    key = name_key(name)
    if not key:
        return None
    found = Organisation.objects.filter(name_key=key).order_by("merged_into").first()
    if found is None:
        alias = OrganisationAlias.objects.filter(name_key=key).select_related("organisation")
        found = alias[0].organisation if alias else None
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
    """One line of the partner leads' audit. Callers write it in the transaction of
    what it records, so an action that rolls back leaves no line."""
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
    return lead


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
            warned.append(quota)
    return warned
