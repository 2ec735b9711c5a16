"""Registration rules: registering, changing, cancelling and the event's waitlist.

Views, the admin and management commands call these; nothing else counts places.
Lock order, everywhere: the event row, then delegate rows, then breakout sessions in
pk order (see breakouts.services; the one exception, a new address's own new row, is
`_register_new`'s). Emails are queued in the database in the same
transaction (symposium.outbox), so a change that rolls back sends nothing.
"""

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Count, Subquery
from django.utils import timezone

from breakouts import allocation_services
from breakouts import services as breakout_services
from breakouts.models import BreakoutChoice, BreakoutPreference, BreakoutSession
from partners import invitations as partner_invitations
from partners import quotas as partner_quotas
from partners import services as partner_services
from partners.models import (
    Invitation,
    InvitationUse,
    MatchedBy,
    Organisation,
    QuotaPlace,
    SeatQuota,
)
from partners.services import record_affiliation
from questions import services as question_services
from questions.services import Answers
from symposium import audit, outbox, page_cache
from symposium.enums import DietaryRequirement, RegistrationSource, RegistrationStatus
from symposium.models import Delegate, DelegateNeeds, Event, ManageLinkEmail, new_access_key


class Window(enum.StrEnum):
    NOT_OPEN = "not_open"
    OPEN = "open"
    CLOSED = "closed"


class RegistrationClosed(Exception):
    def __init__(self, window: Window):
        super().__init__(f"Registration is {window}.")
        self.window = window


@dataclass(frozen=True)
class Needs:
    """Dietary and access needs, stored only with the delegate's separate consent."""

    dietary_requirement: str = DietaryRequirement.NONE
    dietary_details: str = ""
    access_needs: str = ""


@dataclass(frozen=True)
class Registration:
    delegate: Delegate
    # False when the email address was already registered: nothing was changed and
    # the manage link was emailed again...
    created: bool
    # ...unless it had been sent too often within the hour (`email_manage_link`).
    link_emailed: bool = False


# Reads -------------------------------------------------------------------------------


def registration_window(*, event: Event, now: dt.datetime | None = None) -> Window:
    now = now or timezone.now()
    if now < event.registration_opens_at:
        return Window.NOT_OPEN
    if now >= event.registration_closes_at:
        return Window.CLOSED
    return Window.OPEN


def window_changes_at(*, event: Event, now: dt.datetime | None = None) -> dt.datetime | None:
    """When `registration_window` next gives another answer (None: never again)."""
    now = now or timezone.now()
    return next(
        (at for at in (event.registration_opens_at, event.registration_closes_at) if at > now),
        None,
    )


def event_is_full(*, event: Event) -> bool:
    return Delegate.objects.filter(event=event).confirmed().count() >= event.delegate_capacity


# Writes ------------------------------------------------------------------------------


def _lock_event(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _places_and_registration(*, event: Event, email: str) -> tuple[int, int | None]:
    """(how many confirmed delegates the event has, the pk of the registration with this
    address or None), in one query. The caller holds the event's lock."""
    delegates = Delegate.objects.filter(event=event).order_by()
    counted = delegates.confirmed().values("event").annotate(count=Count("pk")).values("count")
    found = (
        Event.objects.filter(pk=event.pk)
        .annotate(
            confirmed=Subquery(counted),
            registration=Subquery(delegates.with_email(email).values("pk")[:1]),
        )
        .values_list("confirmed", "registration")
        .get()
    )
    return found[0] or 0, found[1]


def _lock_inbox(email: str) -> None:
    """A lock per email address until the transaction ends (PostgreSQL; SQLite runs one
    writer at a time). Not the rows of the address's registrations: a caller already
    holds its own event's row and registration, and locking the address's registrations
    at other events after those would deadlock with the same address registering there
    at the same moment."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))",
                [f"manage-link-inbox:{email.strip().casefold()}"],
            )


def email_manage_link(*, delegate: Delegate, now: dt.datetime | None = None) -> bool:
    """Email the delegate their manage link, unless that inbox has been sent a manage
    link `settings.MANAGE_LINK_EMAILS_PER_HOUR` times within the past hour, for this
    registration or its address's others at other events; whether it is.

    The rate limits on the forms that lead here live in Redis and let everything
    through while it is away; this cap, in the database, holds whatever Redis does, so
    nobody can fill someone's inbox by registering their address again and again.

    Side effects: takes the inbox's lock (`_lock_inbox`), so that concurrent requests
    count one after the other; deletes their ManageLinkEmail rows older than the hour;
    adds one and queues the email (`outbox.notify_manage_link`) when under the cap.
    """
    now = now or timezone.now()
    since = now - dt.timedelta(hours=1)
    with transaction.atomic():
        _lock_inbox(delegate.email)
        same_inbox = list(Delegate.objects.with_email(delegate.email).values_list("pk", flat=True))
        recent = ManageLinkEmail.objects.filter(delegate__in=same_inbox)
        recent.filter(owed_at__lt=since).delete()
        if recent.count() >= settings.MANAGE_LINK_EMAILS_PER_HOUR:
            return False
        ManageLinkEmail.objects.create(delegate=delegate, owed_at=now)
        outbox.notify_manage_link(delegate=delegate)
        audit.log_action(
            event=delegate.event_id, action="registration.manage_link_emailed", delegate=delegate
        )
    return True


def _save_needs(
    *, delegate: Delegate, needs: Needs | None, now: dt.datetime, new: bool = False
) -> bool:
    """Store or (consent withdrawn) delete the needs; True if anything changed. `new`:
    the delegate row was created in this transaction, so it has none yet."""
    if new:
        if needs is None:
            return False
        created = DelegateNeeds(
            delegate=delegate,
            consented_at=now,
            dietary_requirement=needs.dietary_requirement,
            dietary_details=needs.dietary_details,
            access_needs=needs.access_needs,
        )
        # Neither the delegate (just saved) nor a row of theirs to clash with: no query.
        created.full_clean(exclude=["delegate"], validate_unique=False)
        created.save()
        return True
    current = DelegateNeeds.objects.filter(delegate=delegate).first()
    if needs is None:
        if current is None:
            return False
        current.delete()
        return True
    values = {
        "dietary_requirement": needs.dietary_requirement,
        "dietary_details": needs.dietary_details,
        "access_needs": needs.access_needs,
    }
    if current is None:
        current = DelegateNeeds(delegate=delegate, consented_at=now)
    elif all(getattr(current, name) == value for name, value in values.items()):
        return False
    for name, value in values.items():
        setattr(current, name, value)
    current.full_clean()
    current.save()
    return True


DETAILS = ("first_name", "last_name", "email", "organisation", "sector", "job_title")


def _details(delegate: Delegate) -> tuple:
    return tuple(getattr(delegate, name) for name in DETAILS)


def _set_details(
    delegate: Delegate, directory_entry: Organisation | None = None, **details
) -> None:
    """The delegate's details as given; with the partner directory's entry for what they
    typed, its name and sector instead of theirs."""
    for name in DETAILS:
        setattr(delegate, name, details[name])
    if directory_entry is not None:
        delegate.organisation, delegate.sector = directory_entry.name, directory_entry.sector


def _notify_promoted_choices(choices: Sequence[BreakoutChoice]) -> None:
    for choice in choices:
        if getattr(choice, "given_up", None):
            outbox.notify_breakout_swap(choice=choice, given_up=choice.given_up)
        else:
            outbox.notify_breakout_place(choice=choice)


def register_delegate(
    *,
    event: Event,
    first_name: str,
    last_name: str,
    email: str,
    organisation: str,
    sector: str,
    job_title: str = "",
    needs: Needs | None = None,
    sessions: Sequence[BreakoutSession] = (),
    now: dt.datetime | None = None,
    enforce_window: bool = True,
    preferences: Mapping[int, Sequence[BreakoutSession]] | None = None,
    added_by=None,
    notify: bool = True,
    directory_entry: Organisation | None = None,
    invitation: Invitation | None = None,
    quota: SeatQuota | None = None,
    answers: Answers | None = None,
) -> Registration:
    """Register a delegate, or re-send the manage link if the email is registered.

    `answers`: to the event's own questions (questions.forms.clean_answers), saved
    with the registration (a sensitive one with the time of its consent).

    Through an `invitation` (a partner's code or a personal one): its use is counted
    in the transaction (partners.invitations.use, which locks its row after the
    event's, and raises ValidationError when none is left or it has expired), and an
    invitation with an organisation sets the delegate's organisation and sector,
    whatever was passed.
    `quota`: the quota an invitation reserves. The place
    counts against the first unreleased quota of the event among: `quota`, the
    directory entry's, one of its networks', the sector's (partners.quotas), chosen
    under the event's lock and recorded (QuotaPlace).

    With `added_by` (an organiser's account), the registration is recorded as added in
    the admin by them, with no privacy consent time: the person agreed to nothing here.
    `notify=False` (the organiser's "don't email them") sends them nothing.
    `directory_entry`: the partner directory's organisation the typed `organisation`
    means (partners.services.find_organisation, looked up before this transaction): the
    delegate takes its name and sector and is affiliated with it. Without one, the
    organisation is kept as typed, for organisers to match.

    Confirmed while the event has a free seat for them (a seat of their quota, or a
    general one: neither a quota's nor taken), otherwise waitlisted. A cancelled
    registration with the same email is replaced by this one (new details, new access
    key, back of any queue).

    Side effects: locks the event row (then sessions); creates or reactivates the
    Delegate, its Affiliation (with `directory_entry`), DelegateNeeds (only when `needs`
    is given, i.e. with consent) and
    BreakoutChoice rows, and with `preferences` (ranked events) BreakoutPreference rows
    and, once places are allocated, the best place left (breakouts.allocation_services);
    emails the confirmation, or the manage link for an email already registered (unless
    `notify` is False; at most a few an hour: `email_manage_link`, which locks that
    delegate row). Raises
    RegistrationClosed outside the registration window (unless enforce_window=False,
    for organisers) and ValidationError for bad data.
    """
    now = now or timezone.now()
    window = registration_window(event=event, now=now)
    if enforce_window and window != Window.OPEN:
        raise RegistrationClosed(window)
    email = email.strip()
    if invitation is not None and invitation.organisation_id is not None:
        directory_entry = invitation.organisation
        organisation, sector = directory_entry.name, directory_entry.sector
    if invitation is not None and quota is None:
        quota = invitation.quota
    outermost = not transaction.get_connection().in_atomic_block
    details = {
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "organisation": organisation,
        "sector": sector,
        "job_title": job_title,
    }
    if outermost and preferences is None and invitation is None:
        # The common case, a new address: the event's lock held for the decision alone.
        # Through an invitation, the locked path below counts its use after the event's
        # lock, in the lock order.
        try:
            return _register_new(
                event=event,
                details=details,
                needs=needs,
                sessions=sessions,
                now=now,
                enforce_window=enforce_window,
                added_by=added_by,
                notify=notify,
                directory_entry=directory_entry,
                quota=quota,
                answers=answers,
            )
        except _AlreadyRegistered:
            pass  # Registered at this event before (perhaps cancelled): below, locked.
        except OperationalError as error:
            # A deadlock with a transaction that wrote this address at this event while
            # holding the event's lock (see `_register_new`): rolled back; once more,
            # in the lock order.
            if getattr(error.__cause__, "sqlstate", None) != DEADLOCK_DETECTED:
                raise
    try:
        return _register(
            event=event,
            first_name=first_name,
            last_name=last_name,
            email=email,
            organisation=organisation,
            sector=sector,
            job_title=job_title,
            needs=needs,
            sessions=sessions,
            now=now,
            enforce_window=enforce_window,
            preferences=preferences,
            added_by=added_by,
            notify=notify,
            outermost=outermost,
            directory_entry=directory_entry,
            invitation=invitation,
            quota=quota,
            answers=answers,
        )
    except _DuplicateEmail:
        with transaction.atomic():
            _lock_event(event)
            existing = Delegate.objects.filter(event=event).with_email(email).get()
            emailed = notify and email_manage_link(delegate=existing, now=now)
            return Registration(delegate=existing, created=False, link_emailed=emailed)


class _DuplicateEmail(Exception):
    """The database refused the new registration's address: registered meanwhile."""


class _AlreadyRegistered(Exception):
    """`_register_new` found the address registered at the event (whatever its status)."""


DEADLOCK_DETECTED = "40P01"  # PostgreSQL's SQLSTATE


def _quota_choice(*, quota, partner, sector) -> dict:
    """What `partners.quotas.choose_quota_sql` chooses from."""
    return {
        "quota_pk": getattr(quota, "pk", None),
        "organisation_pk": getattr(partner, "pk", None),
        "sector": partner.sector if partner is not None else sector,
    }


def _register_new(
    *,
    event,
    details,
    needs,
    sessions,
    now,
    enforce_window,
    added_by,
    notify,
    directory_entry,
    quota,
    answers=None,
) -> Registration:
    """Register an address new to the event, holding the event's lock only for the
    decision (a place or the waitlist) and the writes that depend on it.

    First, without the event's lock, what does not depend on places: the delegate row
    (on the waitlist until decided; no other transaction sees it before the commit),
    their needs, and the email owed (built after the commit, from what was decided).
    An address already registered here, in any status, is refused by the database's
    unique constraint: `_AlreadyRegistered`, nothing written. Then, in one round trip
    (`_decide_place`): the event's lock; its confirmed delegates counted and this one's
    status and time set; the sessions' locks (the lock order's, pk order); the choices,
    confirmed where there is room. Then the commit. The event's lock is held for that
    one round trip and the commit, where it was held for nine or ten round trips.

    The delegate row is written before the event's lock, against the lock order: the
    only transaction that can wait on it is one writing the same address at the same
    event (the unique index), and that waits holding the event's lock only if it
    writes that address under it (the locked path below, an organiser, the desk). Then
    PostgreSQL ends one of the two with a deadlock error; this one is retried, in
    order, by `register_delegate`.
    """
    with transaction.atomic():
        delegate = Delegate(event=event, status=RegistrationStatus.WAITLISTED, created_at=now)
        _set_details(delegate, directory_entry=directory_entry, **details)
        if added_by is None:
            delegate.privacy_consent_at = now
            delegate.source, delegate.added_by = RegistrationSource.PUBLIC, None
        else:
            delegate.privacy_consent_at = None
            delegate.source, delegate.added_by = RegistrationSource.ADMIN, added_by
        delegate.full_clean(exclude=["event"], validate_unique=False, validate_constraints=False)
        try:
            delegate.save()
        except IntegrityError as error:
            raise _AlreadyRegistered from error
        _save_needs(delegate=delegate, needs=needs, now=now, new=True)
        question_services.save_answers(delegate=delegate, answers=answers, now=now, new=True)
        record_affiliation(delegate=delegate, organisation=directory_entry, new_delegate=True)
        if notify:
            outbox.notify_registered(delegate=delegate)
        session_ids = {session.pk for session in sessions}
        if session_ids:
            page_cache.places_changed()
        opens_at, closes_at, delegate.status, delegate.created_at = _decide_place(
            delegate=delegate,
            event=event,
            session_ids=session_ids,
            choice=_quota_choice(quota=quota, partner=directory_entry, sector=details["sector"]),
        )
        window = registration_window(  # As it is now, locked.
            event=Event(registration_opens_at=opens_at, registration_closes_at=closes_at), now=now
        )
        if enforce_window and window != Window.OPEN:
            raise RegistrationClosed(window)
        _log_registered(delegate, added_by)
    return Registration(delegate=delegate, created=True)


def _log_registered(delegate: Delegate, added_by) -> None:
    audit.log_action(
        event=delegate.event_id,
        action="registration.registered",
        actor=added_by,
        delegate=delegate,
        data={"status": delegate.status, "source": delegate.source},
    )


def _decide_place(
    *, delegate: Delegate, event: Event, session_ids: set[int], choice: dict
) -> tuple[dt.datetime, dt.datetime, str, dt.datetime]:
    """Under the event's lock, in one round trip: record the quota their place counts
    against, if any (`choice`: partners.quotas.choose_quota_sql); confirm the
    (waitlisted, uncommitted) delegate if the event has a seat for them (a free seat of
    their quota, or a general one: partners.quotas), else leave them on the waitlist,
    from now; then
    their breakout choices (`breakouts.services.first_choices_statements`). Each
    statement sees what the one before it waited for: in READ COMMITTED every statement
    of the batch takes its own snapshot, after the locks taken before it. Returns the
    event's registration window as it is under the lock, and the delegate's status and
    time. The time is the database's clock once the lock is held (`clock_timestamp()`;
    the transaction began earlier, and this process's clock is read before the batch
    is sent): the order of times on the waitlist is the order of the decisions. The
    lock is released by the caller's commit."""
    event_table = Event._meta.db_table
    quota_sql, quota_params = partner_quotas.choose_quota_sql(
        delegate_pk=delegate.pk, event_pk=event.pk, **choice
    )
    decision_sql, decision_params = partner_quotas.decision_sql(
        delegate_pk=delegate.pk, event_pk=event.pk
    )
    sql = (
        # Table names from the models; every value a parameter.
        f"SELECT registration_opens_at, registration_closes_at FROM {event_table} "  # noqa: S608
        f"WHERE id = %s FOR UPDATE; {quota_sql}; {decision_sql}"
    )
    params = [event.pk, *quota_params, *decision_params]
    if session_ids:
        choices_sql, choices_params = breakout_services.first_choices_statements(
            delegate_pk=delegate.pk, event_pk=event.pk, session_ids=session_ids
        )
        sql, params = f"{sql}; {choices_sql}", [*params, *choices_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        opens_at, closes_at = cursor.fetchone()
        cursor.nextset()  # The quota's place.
        cursor.nextset()
        status, decided_at = cursor.fetchone()
        if session_ids:
            cursor.nextset()  # The sessions' locks.
            cursor.nextset()
            breakout_services.check_first_choices(
                written=cursor.fetchall(), session_ids=session_ids
            )
    return opens_at, closes_at, status, decided_at


def _register(
    *,
    event,
    first_name,
    last_name,
    email,
    organisation,
    sector,
    job_title,
    needs,
    sessions,
    now,
    enforce_window,
    preferences,
    added_by,
    notify,
    outermost,
    directory_entry=None,
    invitation=None,
    quota=None,
    answers=None,
) -> Registration:
    with transaction.atomic():
        event = _lock_event(event)
        window = registration_window(event=event, now=now)  # As it is now, locked.
        if enforce_window and window != Window.OPEN:
            raise RegistrationClosed(window)
        _, existing_pk = _places_and_registration(event=event, email=email)
        existing = existing_pk and Delegate.objects.select_for_update().get(pk=existing_pk)
        if existing and existing.status != RegistrationStatus.CANCELLED:
            emailed = notify and email_manage_link(delegate=existing, now=now)
            return Registration(delegate=existing, created=False, link_emailed=emailed)
        delegate = existing or Delegate(event=event)
        _set_details(
            delegate,
            first_name=first_name,
            last_name=last_name,
            email=email,
            organisation=organisation,
            sector=sector,
            job_title=job_title,
            directory_entry=directory_entry,
        )
        # Decided below, once saved (`_decide_place`, as for a new address).
        delegate.status = RegistrationStatus.WAITLISTED
        delegate.cancelled_at = None
        if added_by is None:
            delegate.privacy_consent_at = now
            delegate.source, delegate.added_by = RegistrationSource.PUBLIC, None
        else:
            delegate.privacy_consent_at = None
            delegate.source, delegate.added_by = RegistrationSource.ADMIN, added_by
        if existing:
            delegate.access_key = new_access_key()
        # The event is locked: no query to check it exists; the email's uniqueness is
        # the database's to refuse (below).
        delegate.full_clean(exclude=["event"], validate_unique=False, validate_constraints=False)
        # The database refuses a duplicate email that slipped past the check above (a
        # write that did not lock the event), and we carry on as for a registered
        # address. Outermost, the whole transaction is rolled back and that is done in
        # another (`_DuplicateEmail`): no savepoint, two round trips less. Inside a
        # caller's transaction, a savepoint keeps it usable.
        try:
            if outermost:
                delegate.save()
            else:
                with transaction.atomic():
                    delegate.save()
        except IntegrityError as error:
            if outermost:
                raise _DuplicateEmail from error
            existing = Delegate.objects.filter(event=event).with_email(email).get()
            emailed = notify and email_manage_link(delegate=existing, now=now)
            return Registration(delegate=existing, created=False, link_emailed=emailed)
        if existing:
            # A fresh registration: its own quota, if any, chosen afresh below.
            QuotaPlace.objects.filter(delegate=delegate).delete()
        if invitation is not None:  # Its row locked after the event's; raises if used up.
            partner_invitations.use(invitation=invitation, delegate=delegate, now=now)
        # The back of the event's waitlist, if it joins one (the decision's time).
        _, _, delegate.status, delegate.created_at = _decide_place(
            delegate=delegate,
            event=event,
            session_ids=set(),
            choice=_quota_choice(quota=quota, partner=directory_entry, sector=sector),
        )
        _save_needs(delegate=delegate, needs=needs, now=now, new=existing is None)
        question_services.save_answers(
            delegate=delegate, answers=answers, now=now, new=existing is None
        )
        record_affiliation(
            delegate=delegate,
            organisation=directory_entry,
            new_delegate=existing is None,
            # An invitation's organisation is the invitation's word, not a typed name's.
            matched_by=MatchedBy.INVITATION
            if invitation is not None and invitation.organisation_id is not None
            else MatchedBy.NAME,
        )
        breakout_services.set_breakout_choices(
            delegate=delegate, sessions=sessions, new_delegate=existing is None
        )
        if preferences is not None:
            allocation_services.set_preferences(
                delegate=delegate, preferences=preferences, after_allocation=True
            )
            allocation_services.place_by_preference(delegate=delegate)
        if notify:
            outbox.notify_registered(delegate=delegate)
        _log_registered(delegate, added_by)
    return Registration(delegate=delegate, created=True)


def update_registration(
    *,
    delegate: Delegate,
    first_name: str,
    last_name: str,
    email: str,
    organisation: str,
    sector: str,
    job_title: str = "",
    needs: Needs | None = None,
    sessions: Sequence[BreakoutSession] = (),
    give_up_rounds: Sequence[int] = (),
    now: dt.datetime | None = None,
    preferences: Mapping[int, Sequence[BreakoutSession]] | None = None,
    directory_entry: Organisation | None = None,
    answers: Answers | None = None,
) -> Delegate:
    """Change a registration's details, needs, answers and breakout choices.

    `answers` (None: left as they are): the answers to the questions asked; any other
    answer to them (cleared, or to a question no longer asked) is deleted.

    `directory_entry`, as for `register_delegate`: the delegate takes its name and
    sector and is affiliated with it; a new organisation the directory does not know
    leaves them unaffiliated, their words kept, on the organisers' to-match list.

    `needs=None` means no consent: any stored needs are deleted. Leaving a session
    frees the place for the first person in its queue. Moving from a place to a full
    session keeps the place until the new one has room, except in `give_up_rounds`
    (see breakouts.services.set_breakout_choices).

    Side effects: locks the delegate row (then sessions); updates Delegate, its
    Affiliation, DelegateNeeds and BreakoutChoice rows (and BreakoutPreference rows, with
    `preferences`, until places are allocated); emails the delegate a summary when
    something changed and anyone promoted into a freed place. Raises ValidationError
    for bad data, an email address registered by someone else, or a cancelled
    registration.
    """
    now = now or timezone.now()
    email = email.strip()
    with transaction.atomic():
        delegate = Delegate.objects.select_for_update().get(pk=delegate.pk)
        if delegate.status == RegistrationStatus.CANCELLED:
            raise ValidationError("This registration has been cancelled.")
        before = _details(delegate)
        _set_details(
            delegate,
            first_name=first_name,
            last_name=last_name,
            email=email,
            organisation=organisation,
            sector=sector,
            job_title=job_title,
            directory_entry=directory_entry,
        )
        delegate.full_clean(validate_constraints=False)
        taken = Delegate.objects.filter(event_id=delegate.event_id).with_email(email)
        if taken.exclude(pk=delegate.pk).exists():
            raise ValidationError(
                {"email": "This email address is already registered for the event."}
            )
        try:
            with transaction.atomic():
                delegate.save()
        except IntegrityError as error:
            raise ValidationError(
                {"email": "This email address is already registered for the event."}
            ) from error
        after = _details(delegate)
        # An organisation unchanged and unknown keeps whatever an organiser matched it to.
        if (
            directory_entry is not None
            or delegate.organisation != before[DETAILS.index("organisation")]
        ):
            record_affiliation(delegate=delegate, organisation=directory_entry)
        needs_changed = _save_needs(delegate=delegate, needs=needs, now=now)
        needs_changed |= question_services.save_answers(delegate=delegate, answers=answers, now=now)
        changes = breakout_services.set_breakout_choices(
            delegate=delegate, sessions=sessions, give_up_rounds=give_up_rounds
        )
        ranked = preferences is not None and allocation_services.set_preferences(
            delegate=delegate, preferences=preferences
        )
        if before != after or needs_changed or changes or ranked:
            outbox.notify_changed(delegate=delegate)
            audit.log_action(
                event=delegate.event_id,
                action="registration.changed",
                delegate=delegate,
                data={
                    "details_changed": before != after,
                    "needs_changed": needs_changed,
                    "breakouts_changed": bool(changes),
                    "preferences_changed": bool(ranked),
                },
            )
        _notify_promoted_choices(changes.promoted)
    return delegate


def _promote_event_waitlist(*, event: Event, chosen: Sequence[int]) -> list[Delegate]:
    """Give event places to the `chosen` waitlisted delegates (`_waitlist_front`). The
    caller holds the event lock and has locked these delegates, then the sessions they
    chose."""
    if not chosen:
        return []
    promoted = list(
        Delegate.objects.select_for_update()
        .filter(pk__in=chosen, status=RegistrationStatus.WAITLISTED)
        .order_by("created_at", "pk")
    )
    for delegate in promoted:
        delegate.status = RegistrationStatus.CONFIRMED
        delegate.save(update_fields=["status", "updated_at"])
        breakout_services.claim_held_choices(delegate=delegate)
        outbox.notify_event_place(delegate=delegate)
    audit.log_actions(
        audit.entry(event=event, action="registration.promoted", delegate=delegate)
        for delegate in promoted
    )
    return promoted


def _waitlist_front(*, event: Event, confirmed: int, leaving: Delegate | None = None) -> list[int]:
    """The waitlisted delegates the event's free seats go to, given `confirmed`
    delegates (not counting one `leaving`): in waitlist order, a seat freed in a quota
    to that quota's first, a general seat to the first of all
    (partners.quotas.to_promote). The caller holds the event's lock."""
    return partner_quotas.to_promote(
        event=event, capacity=event.delegate_capacity, confirmed=confirmed, leaving=leaving
    )


def _waitlist_sessions(*, chosen: Sequence[int]) -> list[int]:
    """Sessions chosen by the `chosen` waitlisted delegates, locking those delegates:
    they are locked before any session, as the lock order says."""
    if not chosen:
        return []
    front = Delegate.objects.select_for_update().filter(pk__in=chosen).order_by("created_at", "pk")
    front_ids = [delegate.pk for delegate in front]
    return list(
        BreakoutChoice.objects.filter(delegate_id__in=front_ids).values_list(
            "session_id", flat=True
        )
    )


def promote_from_event_waitlist(*, event: Event) -> list[Delegate]:
    """Fill the event's free places from its waitlist (e.g. after the capacity rose).

    Side effects: locks the event, the promoted delegates and their sessions;
    confirms those delegates and, where there is room, their breakout choices;
    emails each of them.
    """
    with transaction.atomic():
        event = _lock_event(event)
        confirmed = Delegate.objects.filter(event=event).confirmed().count()
        chosen = _waitlist_front(event=event, confirmed=confirmed)
        breakout_services.lock_sessions(session_ids=_waitlist_sessions(chosen=chosen))
        return _promote_event_waitlist(event=event, chosen=chosen)


def release_quotas(*, now: dt.datetime | None = None) -> list[SeatQuota]:
    """Release every quota whose release time has come: its unused seats return to the
    general pool, its waitlist is the general waitlist's (where its delegates already
    stand in time order), and the general waitlist's first take the seats freed.
    Idempotent: a quota is released once (a conditional UPDATE under the event's
    lock), whoever else runs this at the same moment. Returns the quotas released.

    Side effects, per quota, in one transaction: locks the event, the delegates
    promoted and their sessions; sets released_at; confirms those delegates and,
    where there is room, their breakout choices; emails each of them.
    """
    now = now or timezone.now()
    released = []
    due = SeatQuota.objects.filter(released_at__isnull=True, release_at__lte=now)
    for quota in due.select_related("event").order_by("release_at", "pk"):
        with transaction.atomic():
            event = _lock_event(quota.event)
            if not SeatQuota.objects.filter(pk=quota.pk, released_at__isnull=True).update(
                released_at=now
            ):
                continue  # Released meanwhile.
            quota.released_at = now
            released.append(quota)
            audit.log_action(event=event, action="quota.released", obj=quota)
            confirmed = Delegate.objects.filter(event=event).confirmed().count()
            chosen = _waitlist_front(event=event, confirmed=confirmed)
            breakout_services.lock_sessions(session_ids=_waitlist_sessions(chosen=chosen))
            _promote_event_waitlist(event=event, chosen=chosen)
    return released


def fill_breakout_session(*, session: BreakoutSession) -> list[BreakoutChoice]:
    """Fill a session's free places from its queue (e.g. after its capacity rose).

    Side effects: locks the session; confirms queued choices; emails those promoted.
    """
    with transaction.atomic():
        promoted = breakout_services.promote_from_session_waitlist(session=session)
        _notify_promoted_choices(promoted)
    return promoted


def cancel_registration(*, delegate: Delegate, now: dt.datetime | None = None) -> Delegate:
    """Cancel a registration; its event place and breakout places go to the waitlists.

    Side effects: locks the event, the delegate, the delegates about to be promoted
    and every session concerned; sets status cancelled and cancelled_at; deletes the
    delegate's breakout choices, needs and answers to sensitive questions (no reason
    left to keep them); promotes the
    first waitlisted choice of each freed session and, if the delegate had a place,
    the first delegate on the event's waitlist; a registration through an invitation
    gives its use back and a personal invitation becomes "cancelled"
    (partners.invitations.give_back: the invitation's row locked last, as registering
    does); emails the delegate and everyone promoted. Cancelling twice changes nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock_event(delegate.event)
        delegate = Delegate.objects.select_for_update().get(pk=delegate.pk)
        if delegate.status == RegistrationStatus.CANCELLED:
            return delegate
        confirmed = Delegate.objects.filter(event=event).confirmed().count()
        if delegate.status == RegistrationStatus.CONFIRMED:
            confirmed -= 1
        chosen = _waitlist_front(event=event, confirmed=confirmed, leaving=delegate)
        # Every session lock is taken at once, in pk order, before anything changes.
        breakout_services.lock_sessions(
            session_ids=[
                *delegate.breakout_choices.values_list("session_id", flat=True),
                *_waitlist_sessions(chosen=chosen),
            ]
        )
        promoted_choices = breakout_services.release_breakout_choices(delegate=delegate)
        DelegateNeeds.objects.filter(delegate=delegate).delete()
        question_services.delete_sensitive_answers(delegates=[delegate.pk])
        delegate.status, delegate.cancelled_at = RegistrationStatus.CANCELLED, now
        delegate.save(update_fields=["status", "cancelled_at", "updated_at"])
        _notify_promoted_choices(promoted_choices)
        _promote_event_waitlist(event=event, chosen=chosen)
        partner_invitations.give_back(delegate=delegate, now=now)
        outbox.notify_cancelled(delegate=delegate)
        audit.log_action(event=event, action="registration.cancelled", delegate=delegate)
    return delegate


ALREADY_REGISTERED = "This email address is already registered for the event."


def substitute_delegate(
    *,
    delegate: Delegate,
    first_name: str,
    last_name: str,
    email: str,
    job_title: str = "",
    now: dt.datetime | None = None,
) -> Delegate:
    """Pass a delegate's place to a colleague (a partner lead's substitution): the
    colleague gets the place as it is — confirmed or waitlisted, at the same point of
    the event's waitlist, with the same breakout places, queue entries and ranked
    preferences — under their own registration, with its own manage link. The person
    replaced keeps their registration as a record, cancelled, with a new access key,
    so the link they were sent stops working. No place is freed or taken: nobody else
    moves. Returns the colleague's registration.

    The colleague's organisation and sector are the replaced delegate's (and so is
    their directory affiliation): a lead substitutes within their own organisation.
    They agreed to no privacy notice here, so none is recorded.

    Side effects: locks the event, then the delegate rows concerned (the replaced one,
    and a cancelled registration of the colleague's address, reused as registering
    again does) in pk order, then the replaced delegate's sessions; creates or
    reactivates the colleague's Delegate; moves the BreakoutChoice and
    BreakoutPreference rows, the QuotaPlace and the InvitationUse to it; deletes the
    replaced delegate's needs and sensitive answers (theirs, not the colleague's); copies
    the Affiliation;
    emails the colleague their confirmation with their manage link, and the replaced
    delegate that their place has passed.
    Raises ValidationError, by field, for bad details or an address already registered
    for the event, or for a cancelled registration.
    """
    now = now or timezone.now()
    email = email.strip()
    with transaction.atomic():
        event = _lock_event(delegate.event)
        existing_pk = (
            Delegate.objects.filter(event=event).with_email(email).values_list("pk", flat=True)
        ).first()
        locked = {
            row.pk: row
            for row in Delegate.objects.select_for_update()
            .filter(pk__in={delegate.pk, existing_pk} - {None})
            .order_by("pk")
        }
        replaced = locked[delegate.pk]
        if replaced.status == RegistrationStatus.CANCELLED:
            raise ValidationError("This registration has been cancelled.")
        existing = locked.get(existing_pk)
        if existing is not None and (
            existing.pk == replaced.pk or existing.status != RegistrationStatus.CANCELLED
        ):
            raise ValidationError({"email": ALREADY_REGISTERED})
        breakout_services.lock_sessions(
            session_ids=replaced.breakout_choices.values_list("session_id", flat=True)
        )
        colleague = existing or Delegate(event=event)
        _set_details(
            colleague,
            first_name=first_name,
            last_name=last_name,
            email=email,
            organisation=replaced.organisation,
            sector=replaced.sector,
            job_title=job_title,
        )
        colleague.status, colleague.cancelled_at = replaced.status, None
        colleague.privacy_consent_at = None
        colleague.source, colleague.added_by = RegistrationSource.PARTNER_LEAD, None
        if existing is not None:
            colleague.access_key = new_access_key()
        colleague.full_clean(exclude=["event"], validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                colleague.save()
        except IntegrityError as error:  # Registered meanwhile, by a write without the lock.
            raise ValidationError({"email": ALREADY_REGISTERED}) from error
        # The replaced delegate's point in the event's waitlist.
        Delegate.objects.filter(pk=colleague.pk).update(created_at=replaced.created_at)
        BreakoutPreference.objects.filter(delegate=colleague).delete()
        BreakoutChoice.objects.filter(delegate=replaced).update(delegate=colleague)
        BreakoutPreference.objects.filter(delegate=replaced).update(delegate=colleague)
        # The seat stays in the quota it counts against (a reused registration's own
        # record of one, from before it was cancelled, is gone).
        QuotaPlace.objects.filter(delegate=colleague).delete()
        QuotaPlace.objects.filter(delegate=replaced).update(delegate=colleague)
        # So is the invitation's use: the colleague cancelling gives it back.
        InvitationUse.objects.filter(delegate=replaced).update(delegate=colleague)
        DelegateNeeds.objects.filter(delegate=replaced).delete()
        question_services.delete_sensitive_answers(delegates=[replaced.pk])
        replaced.status, replaced.cancelled_at = RegistrationStatus.CANCELLED, now
        replaced.access_key = new_access_key()
        replaced.save(update_fields=["status", "cancelled_at", "access_key", "updated_at"])
        affiliation = getattr(replaced, "affiliation", None)
        if affiliation is not None:
            partner_services.affiliate(
                delegate=colleague,
                organisation=affiliation.organisation,
                matched_by=affiliation.matched_by,
            )
        outbox.notify_registered(delegate=colleague)
        outbox.notify_substituted(delegate=replaced)
        audit.log_actions(
            [
                audit.entry(
                    event=event,
                    action="registration.substituted",
                    delegate=replaced,
                    data={"colleague_id": colleague.pk},
                ),
                audit.entry(
                    event=event,
                    action="registration.registered",
                    delegate=colleague,
                    data={"status": colleague.status, "source": colleague.source},
                ),
            ]
        )
    return colleague


def send_manage_link(*, event: Event, email: str) -> bool:
    """Email the manage link to the active registration with this email, if any.

    Side effects: one email queued, unless it has been sent too often within the hour
    (`email_manage_link`: locks the delegate row). Callers show the same answer either
    way; the return value (whether a registration exists) is for organisers' tools.
    """
    delegate = Delegate.objects.filter(event=event).with_email(email.strip()).active().first()
    if delegate is None:
        return False
    email_manage_link(delegate=delegate)
    return True
