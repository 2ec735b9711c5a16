"""The go-live checklist: what an event needs before the public sees it (as pretix's and
pretalx's "go live" pages). Blockers stop publishing (`services.publish_event`); warnings
are listed. Each item links to the page that fixes it."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from breakouts.models import BreakoutSession
from mailings.enums import MailingKind
from mailings.models import Mailing
from speakers.models import speakers_of
from symposium.enums import AgendaKind
from symposium.models import AgendaItem, Event, clock

BLOCKER = "blocker"
WARNING = "warning"
# Breaks need no room; a breakout round is held in its sessions' rooms.
NO_ROOM_NEEDED = (AgendaKind.BREAK, AgendaKind.BREAKOUT_ROUND)
AUTOMATIC_ON = (MailingKind.JOINING_INSTRUCTIONS, MailingKind.THANK_YOU)


@dataclass(frozen=True)
class Issue:
    level: str
    text: str
    fix_url: str
    fix_label: str

    @property
    def is_blocker(self) -> bool:
        return self.level == BLOCKER


def event_url(event, anchor=""):
    return reverse("admin:symposium_event_change", args=[event.pk]) + anchor


def sessions_url(event):
    return reverse("admin:console-event-sessions", args=[event.pk])


def go_live_issues(event: Event) -> list[Issue]:
    """Blockers first, then warnings; a fixed number of queries whatever the event's size."""
    issues = []
    issues += _details(event)
    issues += _registration_window(event)
    issues += _agenda_rooms(event)
    issues += _breakout_rounds(event)
    issues += _speakers(event)
    issues += _automatic_emails(event)
    return sorted(issues, key=lambda issue: not issue.is_blocker)


def blockers(event: Event) -> list[Issue]:
    return [issue for issue in go_live_issues(event) if issue.is_blocker]


def _details(event):
    missing = [
        (event.privacy_notice, "privacy notice", "#id_privacy_notice"),
        (event.contact_email, "contact email", "#id_contact_email"),
        (event.venue_address, "venue address", "#id_venue_address"),
    ]
    return [
        Issue(
            BLOCKER,
            f"The event has no {what}: add one.",
            event_url(event, anchor),
            "Edit the event",
        )
        for value, what, anchor in missing
        if not (value or "").strip()
    ]


def _registration_window(event):
    starts = timezone.make_aware(dt.datetime.combine(event.starts_on, dt.time.min))
    if event.registration_closes_at > starts:
        return [
            Issue(
                BLOCKER,
                "Registration closes after the event starts: close it on or before "
                f"{event.starts_on:%-d %B %Y}.",
                event_url(event, "#id_registration_closes_at_0"),
                "Edit the registration window",
            )
        ]
    if event.registration_closes_at <= timezone.now():
        return [
            Issue(
                WARNING,
                "Registration has already closed: nobody can register once it is published.",
                event_url(event, "#id_registration_closes_at_0"),
                "Edit the registration window",
            )
        ]
    return []


def _agenda_rooms(event):
    items = (
        AgendaItem.objects.filter(event=event, room__isnull=True)
        .exclude(kind__in=NO_ROOM_NEEDED)
        .order_by("starts_at")
    )
    issues = [
        Issue(
            BLOCKER,
            f"“{item.title}” ({clock(item.starts_at)}) has no room.",
            event_url(event, "#agenda_items-group"),
            "Choose a room in the agenda",
        )
        for item in items
    ]
    sessions = BreakoutSession.objects.filter(theme__event=event, room__isnull=True)
    for session in sessions.select_related("theme", "agenda_item"):
        issues.append(
            Issue(
                BLOCKER,
                f"The session “{session.theme.title}” in “{session.agenda_item.title}” has no "
                "room.",
                sessions_url(event),
                "Choose a room in the sessions",
            )
        )
    too_small = BreakoutSession.objects.filter(
        theme__event=event, room__isnull=False
    ).select_related("theme", "agenda_item", "room")
    for session in too_small:
        if session.room.capacity < session.capacity:
            issues.append(
                Issue(
                    WARNING,
                    f"“{session.theme.title}” in “{session.agenda_item.title}” takes "
                    f"{session.capacity} people; {session.room.name} holds "
                    f"{session.room.capacity}.",
                    sessions_url(event),
                    "Change the session",
                )
            )
    return issues


def _breakout_rounds(event):
    rounds = (
        AgendaItem.objects.filter(event=event, kind=AgendaKind.BREAKOUT_ROUND)
        .annotate(places=Sum("breakout_sessions__capacity"), sessions=Count("breakout_sessions"))
        .order_by("starts_at")
    )
    issues = []
    for item in rounds:
        places = item.places or 0
        if not item.sessions:
            text = f"The breakout round “{item.title}” has no sessions."
        elif places < event.delegate_capacity:
            text = (
                f"The breakout round “{item.title}” has {places} places for "
                f"{event.delegate_capacity} delegates: add sessions or raise their capacity."
            )
        else:
            continue
        issues.append(Issue(BLOCKER, text, sessions_url(event), "Open the sessions"))
    return issues


def _speakers(event):
    issues = []
    for speaker in speakers_of(event).order_by("name"):
        missing = [
            what
            for what, value in (("a photo", speaker.photo), ("a biography", speaker.biography))
            if not value
        ]
        if missing:
            issues.append(
                Issue(
                    WARNING,
                    f"{speaker.name} has no {' and no '.join(m[2:] for m in missing)}.",
                    reverse("admin:console-event-speakers", args=[event.pk]),
                    "Edit the speakers",
                )
            )
    return issues


def _automatic_emails(event):
    switched_on = set(
        Mailing.objects.filter(event=event, kind__in=AUTOMATIC_ON, is_enabled=True).values_list(
            "kind", flat=True
        )
    )
    url = reverse("admin:mailings_mailing_changelist") + f"?event__id__exact={event.pk}"
    return [
        Issue(
            WARNING,
            f"The automatic email “{MailingKind(kind).label}” is not switched on.",
            url,
            "Open the event's emails",
        )
        for kind in AUTOMATIC_ON
        if kind not in switched_on
    ]
