"""The event's audit log (symposium.models.AuditEntry), as pretix's `log_action`: who
did what at an event, when, and how.

Call it inside the transaction of what it records, so that a change rolled back logs
nothing:

    audit.log_action(event=event, action="registration.cancelled", delegate=delegate)

- `action`: a dotted name registered in ACTIONS (its words are what organisers read);
  an upper app adds its own with `register_actions({"questions.answered": "…"})`.
- `actor` and `via` come from the request or command in progress (`acting`, set for
  every request by `AuditMiddleware`): pass them only to say otherwise.
- `obj`: the row acted on (its type, pk and words are recorded). `delegate`: the person
  it is about (taken from `obj` when it is a delegate or has one).
- `data`: what else to keep (counts, session pks, a status). Keys in PERSONAL_KEYS
  (names, addresses…) are kept apart and purged with the event or the delegate.

Many at once (a batch, promotions): `log_actions([audit.entry(...), ...])`, one INSERT.
"""

import contextlib
import functools
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.functional import empty

from symposium.models import AuditEntry, Delegate, Event


class Via(models.TextChoices):
    ADMIN = "admin", "Admin"
    STAFF = "staff", "Staff pages"
    DESK = "desk", "Check-in desk"
    PUBLIC = "public", "Public pages"
    LEAD = "lead", "Partner lead's page"
    WORKER = "worker", "Background job"
    COMMAND = "command", "Command"


ACTIONS: dict[str, str] = {
    # Registrations
    "registration.registered": "Registered",
    "registration.changed": "Changed their registration",
    "registration.cancelled": "Registration cancelled",
    "registration.substituted": "Place passed to a colleague",
    "registration.promoted": "Given a place from the waitlist",
    "registration.manage_link_emailed": "Manage link emailed",
    "registration.erased": "Registration erased",
    # Breakouts and their allocation
    "breakouts.promoted": "Given a breakout place from its queue",
    "breakouts.moved": "Moved to another breakout session",
    "breakouts.places_given": "Breakout places given",
    "allocation.previewed": "Allocation previewed",
    "allocation.confirmed": "Allocation confirmed",
    # Check-in
    "checkin.checked_in": "Checked in",
    "checkin.undone": "Check-in undone",
    "checkin.walk_in": "Registered as a walk-in",
    # Emails
    "mailing.test_sent": "Test email sent",
    "mailing.scheduled": "Mailing scheduled",
    "mailing.unscheduled": "Mailing unscheduled",
    "mailing.started": "Mailing started",
    "mailing.email_queued": "Mailing email queued",
    "mailing.finished": "Mailing sent to everyone",
    "mailing.recipients_purged": "Mailing recipients removed",
    "invitations.run_started": "Personal invitations' sending started",
    "invitations.emails_queued": "Personal invitation emails queued",
    # Invitations
    "invitation.created": "Invitation code created",
    "invitation.declined": "Personal invitation declined",
    "invitations.imported": "Personal invitations imported",
    # Exports
    "export.downloaded": "List exported",
    # The event
    "event.published": "Event published",
    "event.unpublished": "Event unpublished",
    "event.copied": "Event copied",
    "event.sessions_saved": "Breakout sessions saved",
    "event.delegates_moved": "Delegates moved to a breakout session",
    "event.purged": "Personal data purged",
    "quota.released": "Seat quota released",
    "quota.warned": "Partner leads warned of a quota's release",
    # Partner leads (partners.models.LeadAction, prefixed)
    "lead.substituted": "Partner lead substituted a colleague",
    "lead.cancelled": "Partner lead cancelled a registration",
    "lead.link_sent": "Partner lead's link emailed",
    "lead.links_revoked": "Partner lead's links revoked",
    # Feedback (feedback.services): an anonymous survey's answers are never logged one by
    # one (nothing may link a response to a delegate); the send entry has the count.
    "feedback.survey_sent": "Feedback survey emailed",
    "feedback.answered": "Feedback survey answered",
    # Breakout outcomes (outcomes.services)
    "outcomes.records_made": "Breakout outcome records made",
    "outcomes.link_emailed": "Facilitator's link emailed",
    "outcomes.link_revoked": "Facilitator's links revoked",
    "outcomes.saved": "Breakout outcomes saved by the facilitator",
    "outcomes.submitted": "Breakout outcomes submitted for review",
    "outcomes.published": "Breakout outcomes published",
    "outcomes.unpublished": "Breakout outcomes taken back for changes",
    "outcomes.action_updated": "Follow-up action's status updated",
    # The board report (console.report.services)
    "report.requested": "Board report asked for",
    "report.prepared": "Board report prepared",
    "report.failed": "Board report failed",
    "report.quotes_picked": "Quotes picked for the board report",
    "report.frozen": "Board report's figures kept and feedback deleted",
    "report.quotes_forgotten": "An erased registration's quotes taken out of the board reports",
    # The admin (console.scoping.EventScopedAdmin)
    "admin.added": "Added in the admin",
    "admin.changed": "Changed in the admin",
    "admin.deleted": "Deleted in the admin",
}

# Keys of `data` that say who someone is: kept in AuditEntry.personal and purged.
PERSONAL_KEYS = frozenset(
    {
        "name",
        "names",
        "first_name",
        "last_name",
        "email",
        "to",
        "colleague",
        "organisation",
        "details",
    }
)


def register_actions(actions: Mapping[str, str]) -> None:
    """Add an app's actions and their words (an upper app, from its module)."""
    ACTIONS.update(actions)


def words(action: str) -> str:
    return ACTIONS.get(action, action)


@dataclass
class _Acting:
    via: str
    actor: Any = None  # a user, or a request whose user is read only if already loaded
    request: Any = None


_acting: ContextVar[_Acting | None] = ContextVar("audit_acting", default=None)


@contextlib.contextmanager
def acting(*, via: str, actor=None, request=None) -> Iterator[None]:
    """Whatever is logged inside is done by `actor` (a user, or None) through `via`."""
    token = _acting.set(_Acting(via=via, actor=actor, request=request))
    try:
        yield
    finally:
        _acting.reset(token)


def as_command(handle):
    """A management command's `handle`: what it logs is done through "command"."""

    @functools.wraps(handle)
    def wrapper(*args, **kwargs):
        with acting(via=Via.COMMAND):
            return handle(*args, **kwargs)

    return wrapper


def _request_user(request):
    # A staff page has read the user already; a public page may never have: reading it
    # there would cost a query for nothing (the public registration's query budget).
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", None)
    if user is None or wrapped is empty:
        return None
    return user if user.is_authenticated else None


def _current(actor, via) -> tuple[Any, str]:
    now = _acting.get()
    if now is None:
        return actor, via or Via.WORKER
    if actor is None and now.request is not None:
        actor = _request_user(now.request)
    return actor if actor is not None else now.actor, via or now.via


def _object_fields(obj) -> dict:
    if obj is None:
        return {}
    meta = obj._meta
    return {
        "object_type": f"{meta.app_label}.{meta.model_name}",
        "object_id": str(obj.pk or ""),
        "object_repr": str(obj)[:200],
    }


def entry(
    *,
    event: Event | int,
    action: str,
    actor=None,
    via: str | None = None,
    delegate: Delegate | int | None = None,
    obj=None,
    data: Mapping[str, Any] | None = None,
    at=None,
) -> AuditEntry:
    """An unsaved entry (for `log_actions`); the arguments are `log_action`'s."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}: add it to symposium.audit.ACTIONS.")
    actor, via = _current(actor, via)
    data = dict(data or {})
    personal = {key: data.pop(key) for key in list(data) if key in PERSONAL_KEYS}
    if delegate is None and obj is not None:
        delegate = obj if isinstance(obj, Delegate) else getattr(obj, "delegate_id", None)
    return AuditEntry(
        event_id=event if isinstance(event, int) else event.pk,
        action=action,
        actor=actor,
        actor_name=actor.get_username()[:150] if actor is not None else "",
        via=via,
        delegate_id=delegate if isinstance(delegate, int) or delegate is None else delegate.pk,
        data=data,
        personal=personal,
        at=at or timezone.now(),
        **_object_fields(obj),
    )


def log_action(**kwargs) -> AuditEntry:
    """Record one action (see the module's docstring): one INSERT."""
    record = entry(**kwargs)
    record.save(force_insert=True)
    return record


def log_actions(entries: Iterable[AuditEntry]) -> list[AuditEntry]:
    """Record many at once: one INSERT, however many."""
    entries = list(entries)
    return AuditEntry.objects.bulk_create(entries) if entries else []


# Personal data ------------------------------------------------------------------------


def forget_delegates(*, delegate_ids: Iterable[int]) -> int:
    """Whom the entries about these delegates named goes: the link, the personal data
    and the words of the object acted on (a delegate's row, their needs, their place…).
    The action, time, actor and counts stay. Returns the entries changed."""
    delegate_ids = list(delegate_ids)
    about = models.Q(delegate_id__in=delegate_ids) | models.Q(
        object_type="symposium.delegate", object_id__in=[str(pk) for pk in delegate_ids]
    )
    return AuditEntry.objects.filter(about).update(delegate=None, personal={}, object_repr="")


PERSONAL_TYPES = ("symposium.delegate", "symposium.delegateneeds", "breakouts.breakoutchoice")


def forget_event(*, event: Event) -> int:
    """Every name and address in the event's log goes (as `forget_delegates`, and the
    admin's words for rows of people, however they were linked). Returns entries changed."""
    entries = AuditEntry.objects.filter(event=event)
    changed = entries.filter(
        models.Q(delegate__isnull=False)
        | ~models.Q(personal={})
        | models.Q(object_type__in=PERSONAL_TYPES)
    ).update(delegate=None, personal={}, object_repr="")
    return changed


# Requests -----------------------------------------------------------------------------

_EVENT_PARTS = 3  # "", "events", "<slug>", then the page's own parts


def via_for_path(path: str) -> str:
    """How a request's path acts: the admin, the desk, the staff pages, a partner lead's
    link, or the public pages."""
    if path.startswith("/admin/"):
        return Via.ADMIN
    if path.startswith("/staff/"):
        return Via.DESK if "/check-in/" in path else Via.STAFF
    parts = path.split("/")
    if path.startswith("/events/") and len(parts) > _EVENT_PARTS and parts[3] == "partners":
        return Via.LEAD
    return Via.PUBLIC


class AuditMiddleware:
    """Whatever a request logs is done by its signed-in user (read only if the page has
    read it already), through the part of the site its path is in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting(via=via_for_path(request.path_info), request=request):
            return self.get_response(request)
