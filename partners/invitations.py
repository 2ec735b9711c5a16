"""Invitations: partner codes and personal invitations, their use at registration, the
"can't come" answer, and importing a list of people to invite.

Registering through a code is counted by `use`, called by the registration service in
its transaction (after the event's row lock, as the lock order says): one conditional
UPDATE that takes the code's row lock and adds a use only while one is left and the
code is valid, so two people taking a code's last use at once register one through it.
"""

import csv
import datetime as dt
import io
import secrets
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Cast, Concat, Lower
from django.utils import timezone

from partners.models import (
    Invitation,
    InvitationStatus,
    InvitationUse,
    MatchedBy,
    Organisation,
    OrganisationAlias,
    PersonalInvitation,
    SeatQuota,
)
from partners.names import name_key
from partners.services import affiliate
from symposium import audit
from symposium.models import Delegate, Event

# No 0/O, 1/I/L, nor U (read as V): a code read aloud or retyped from paper works.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
CODE_LENGTH = 10
# A personal code opens a page with the person's name: long enough not to be guessed.
PERSONAL_CODE_LENGTH = 16

UNKNOWN = (
    "This invitation code is not valid for this event. Check the code, or clear it to "
    "register without one."
)
EXPIRED = "This invitation expired on {date}. You can still register without it: clear the code."
USED_UP = (
    "This invitation has already been used as many times as it allows. You can still "
    "register without it: clear the code."
)


def new_code(length: int = CODE_LENGTH) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(code: str) -> str:
    """What was typed or pasted, as stored: any case, spaces and dashes ignored."""
    return "".join(code.split()).replace("-", "").upper()[:32]


def find_invitation(*, event: Event, code: str) -> Invitation | None:
    code = normalise_code(code or "")
    if not code:
        return None
    return (
        Invitation.objects.filter(event=event, code=code)
        .select_related("organisation", "quota", "personal")
        .first()
    )


def refusal(invitation: Invitation | None, *, now: dt.datetime | None = None) -> str | None:
    """Why the invitation cannot be used now (a sentence for the delegate), or None.
    A read: `use` decides, under the lock."""
    now = now or timezone.now()
    if invitation is None:
        return UNKNOWN
    if invitation.valid_until is not None and invitation.valid_until <= now:
        local = timezone.localtime(invitation.valid_until)
        return EXPIRED.format(date=f"{local.day} {local:%B %Y} at {local:%H:%M}")
    if invitation.uses >= invitation.max_uses:
        return USED_UP
    return None


def create_invitation(
    *,
    event: Event,
    max_uses: int = 1,
    valid_until: dt.datetime | None = None,
    quota: SeatQuota | None = None,
    tag: str = "",
    organisation: Organisation | None = None,
    code: str = "",
) -> Invitation:
    """A partner's code (a new one unless `code` is given). Side effect: one row."""
    invitation = Invitation(
        event=event,
        code=normalise_code(code) or new_code(),
        max_uses=max_uses,
        valid_until=valid_until,
        quota=quota,
        tag=tag,
        organisation=organisation,
    )
    invitation.full_clean()
    with transaction.atomic():
        invitation.save()
        audit.log_action(
            event=event,
            action="invitation.created",
            obj=invitation,
            data={"max_uses": max_uses, "tag": tag},
        )
    return invitation


def use(*, invitation: Invitation, delegate: Delegate, now: dt.datetime) -> InvitationUse:
    """Count the delegate's registration through the invitation, in the caller's
    transaction (registration.services, which holds the event's row lock).

    Side effects: one conditional UPDATE that locks the invitation's row until the
    transaction ends and adds a use only while one is left and it is valid; an
    InvitationUse; a personal invitation becomes "registered"; with an organisation,
    the delegate is affiliated with it (partners.services.affiliate). Raises
    ValidationError on the form's `invitation` field when it cannot be used: the
    caller's transaction then rolls back, registering nobody."""
    counted = (
        Invitation.objects.filter(pk=invitation.pk, event_id=delegate.event_id)
        .filter(uses__lt=F("max_uses"))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        .update(uses=F("uses") + 1)
    )
    if not counted:
        current = Invitation.objects.filter(pk=invitation.pk, event_id=delegate.event_id).first()
        raise ValidationError({"invitation": refusal(current, now=now) or USED_UP})
    used = InvitationUse.objects.create(invitation=invitation, delegate=delegate, used_at=now)
    PersonalInvitation.objects.filter(invitation=invitation).update(
        status=InvitationStatus.REGISTERED, delegate=delegate, answered_at=now
    )
    if invitation.organisation_id is not None:
        affiliate(
            delegate=delegate,
            organisation=invitation.organisation,
            matched_by=MatchedBy.INVITATION,
        )
    return used


def give_back(*, delegate: Delegate, now: dt.datetime) -> bool:
    """A registration through an invitation is cancelled: the invitation gets its use
    back, in the caller's transaction (registration.services.cancel_registration,
    which holds the event's and the delegate's row locks). Whether there was a use.

    Side effects: the delegate's InvitationUse is deleted; one conditional UPDATE
    takes a use off the invitation (locking its row, after the delegate's, as `use`
    does), never below 0, so two cancellations at once give back two uses and no
    more; a personal invitation that was "registered" through it becomes
    "cancelled" (its invitee registered, then cancelled; their link works again)."""
    used = InvitationUse.objects.filter(delegate=delegate).values_list("invitation_id", flat=True)
    invitation_id = used.first()
    if invitation_id is None:
        return False
    InvitationUse.objects.filter(delegate=delegate).delete()
    Invitation.objects.filter(pk=invitation_id, uses__gt=0).update(uses=F("uses") - 1)
    PersonalInvitation.objects.filter(
        invitation_id=invitation_id, status=InvitationStatus.REGISTERED
    ).update(status=InvitationStatus.CANCELLED, answered_at=now)
    return True


def decline(*, personal: PersonalInvitation, now: dt.datetime | None = None) -> bool:
    """The invitee can't come. Only an unanswered invitation is declined (someone
    registered cancels with their manage link). Whether it was.
    Side effect: the invitation's status, answered_at."""
    now = now or timezone.now()
    with transaction.atomic():
        declined = PersonalInvitation.objects.filter(
            pk=personal.pk, status=InvitationStatus.INVITED
        ).update(status=InvitationStatus.DECLINED, answered_at=now)
        if declined:
            audit.log_action(
                event=personal.event_id,
                action="invitation.declined",
                data={"personal_invitation_id": personal.pk},
            )
    return bool(declined)


# Importing a list of people to invite -------------------------------------------------

COLUMNS = {
    "name": "name",
    "full name": "name",
    "email": "email",
    "email address": "email",
    "organisation": "organisation",
    "organization": "organisation",
}
MAX_ROWS = 20_000


@dataclass
class ImportRow:
    line: int
    name: str
    email: str
    organisation_name: str
    organisation: Organisation | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportPreview:
    rows: list[ImportRow]
    errors: list[str]  # About the file as a whole.

    @property
    def valid(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.errors]

    @property
    def invalid(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows.


def _one_line_error(what: str, value: str, limit: int) -> str | None:
    if len(value) > limit:
        return f"{what} must be {limit} characters or fewer"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return f"{what} must be on one line, without control characters"
    return None


def preview_import(*, event: Event, data: bytes) -> ImportPreview:
    """Read a CSV of people to invite (columns name, email, organisation; a header row
    first) into rows, each with its errors: what `import_invitations` would save. No
    side effects. A few queries whatever the size: the addresses already invited and
    the directory's names are read once."""
    reader = csv.reader(io.StringIO(_text(data)))
    header = next(reader, None)
    if not header:
        return ImportPreview(rows=[], errors=["The file is empty."])
    columns = [COLUMNS.get(name.strip().lower()) for name in header]
    missing = [name for name in ("name", "email") if name not in columns]
    if missing:
        return ImportPreview(
            rows=[],
            errors=[
                "The first row must name the columns: name, email and organisation "
                f"(missing: {', '.join(missing)})."
            ],
        )
    rows = []
    for line, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        if len(rows) >= MAX_ROWS:
            return ImportPreview(
                rows=[], errors=[f"The file has more than {MAX_ROWS:,} people: split it."]
            )
        cells = dict.fromkeys(("name", "email", "organisation"), "")
        for column, value in zip(columns, values, strict=False):
            if column:
                cells[column] = value.strip()
        rows.append(
            ImportRow(
                line=line,
                name=cells["name"],
                email=cells["email"],
                organisation_name=cells["organisation"],
            )
        )
    _check_rows(event, rows)
    return ImportPreview(rows=rows, errors=[] if rows else ["The file has no one to invite."])


def _check_rows(event: Event, rows: list[ImportRow]) -> None:
    invited = set(
        PersonalInvitation.objects.filter(event=event)
        .annotate(lower=Lower("email"))
        .values_list("lower", flat=True)
    )
    directory = _directory_by_key()
    seen: dict[str, int] = {}
    for row in rows:
        if not row.name:
            row.errors.append("Enter the person's name")
        elif problem := _one_line_error("The name", row.name, 200):
            row.errors.append(problem)
        if not row.email:
            row.errors.append("Enter the person's email address")
        else:
            try:
                validate_email(row.email)
            except ValidationError:
                row.errors.append(f"“{row.email[:60]}” is not an email address")
            else:
                lower = row.email.lower()
                if lower in invited:
                    row.errors.append("Already invited to this event")
                elif lower in seen:
                    row.errors.append(f"The same address as line {seen[lower]}")
                else:
                    seen[lower] = row.line
        if problem := _one_line_error("The organisation", row.organisation_name, 200):
            row.errors.append(problem)
        elif row.organisation_name:
            row.organisation = directory.get(name_key(row.organisation_name))


def _directory_by_key() -> dict[str, Organisation]:
    """Every current entry by its name's and its aliases' keys (two queries): the
    organisations a list names, found without a query per row."""
    current = {o.pk: o for o in Organisation.objects.current()}
    by_key = {o.name_key: o for o in current.values()}
    for alias in OrganisationAlias.objects.filter(organisation__merged_into__isnull=True):
        by_key.setdefault(alias.name_key, current.get(alias.organisation_id))
    return by_key


@transaction.atomic
@transaction.atomic
def import_invitations(
    *, event: Event, rows: list[ImportRow], tag: str = "", valid_until=None
) -> list[PersonalInvitation]:
    """Save the rows without errors as personal invitations, each with its own code of
    one use (of the row's organisation, when the directory knows it). All or nothing:
    an address invited meanwhile fails the whole import (the database's constraint).

    Side effects: an Invitation and a PersonalInvitation per row, in a few bulk
    INSERTs. Nothing is emailed: sending is the mailings app's (mailings.invitations)."""
    rows = [row for row in rows if not row.errors]
    codes = set()
    while len(codes) < len(rows):
        codes.add(new_code(PERSONAL_CODE_LENGTH))
    invitations = Invitation.objects.bulk_create(
        [
            Invitation(
                event=event,
                code=code,
                max_uses=1,
                valid_until=valid_until,
                tag=tag,
                organisation=row.organisation,
            )
            for row, code in zip(rows, codes, strict=True)
        ],
        batch_size=1000,
    )
    audit.log_action(
        event=event, action="invitations.imported", data={"rows": len(rows), "tag": tag}
    )
    return PersonalInvitation.objects.bulk_create(
        [
            PersonalInvitation(
                event=event,
                invitation=invitation,
                name=row.name,
                email=row.email,
                organisation_name=row.organisation_name,
                tag=tag,
            )
            for row, invitation in zip(rows, invitations, strict=True)
        ],
        batch_size=1000,
    )


def purge_personal_invitations(*, event: Event) -> int:
    """Forget whom the event invited, keeping what became of each invitation (the
    counts by status and tag). Side effect: one UPDATE; how many rows. Running it again
    changes nothing."""
    return (
        PersonalInvitation.objects.filter(event=event)
        .exclude(name="")
        .update(
            name="",
            organisation_name="",
            email=Concat(Value("invitee-"), Cast("pk", CharField()), Value("@anonymised.invalid")),
        )
    )
