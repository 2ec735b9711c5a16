"""Reads: who a mailing goes to, and what each delegate's placeholders hold."""

from collections import defaultdict

from django.db.models import Exists, Min, OuterRef, Q, QuerySet

from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice
from checkin.models import CheckIn
from mailings.enums import Attendance
from mailings.models import Mailing
from questions.services import delegates_who_answered
from symposium.models import Delegate, clock


def audience(mailing: Mailing) -> QuerySet[Delegate]:
    """The delegates the mailing is for, by its audience definition, in pk order.

    Within one filter any value matches (confirmed *or* waitlisted); between filters
    all must (confirmed *and* in the NHS). Breakout sessions and themes form one
    filter: a confirmed place in any of those sessions, or any session of those
    themes. Answers: any of those named, to the one question (a filter whose question
    was deleted since matches nobody). Attended means a standing check-in (an undone
    one does not count). Anonymised registrations never match.
    """
    delegates = Delegate.objects.filter(event_id=mailing.event_id, anonymised_at__isnull=True)
    if mailing.statuses:
        delegates = delegates.filter(status__in=mailing.statuses)
    if mailing.sectors:
        delegates = delegates.filter(sector__in=mailing.sectors)
    organisations = mailing.organisation_list()
    if organisations:
        any_of = Q()
        for organisation in organisations:
            any_of |= Q(organisation__iexact=organisation)
        delegates = delegates.filter(any_of)
    delegates = _by_answers(mailing, delegates)
    delegates = _by_attendance(mailing, delegates)
    return _in_breakouts(mailing, delegates).order_by("pk")


def _by_answers(mailing: Mailing, delegates: QuerySet[Delegate]) -> QuerySet[Delegate]:
    words = mailing.answers.splitlines()
    if not any(word.strip() for word in words):
        return delegates
    if mailing.answer_question is None:
        return delegates.none()
    return delegates.filter(pk__in=delegates_who_answered(mailing.answer_question, words))


def _checked_in():
    return Exists(CheckIn.objects.filter(delegate_id=OuterRef("pk"), undone_at__isnull=True))


def _by_attendance(mailing: Mailing, delegates: QuerySet[Delegate]) -> QuerySet[Delegate]:
    if mailing.attendance == Attendance.ANY:
        return delegates
    attended = mailing.attendance == Attendance.ATTENDED
    return delegates.filter(_checked_in() if attended else ~_checked_in())


def not_checked_in(delegates: QuerySet[Delegate]) -> QuerySet[Delegate]:
    return delegates.filter(~_checked_in())


def start_time(event) -> str:
    """When the event's first agenda item starts, "09:30", read once per Event object."""
    if "_start_time" not in event.__dict__:
        first = event.agenda_items.aggregate(first=Min("starts_at"))["first"]
        event.__dict__["_start_time"] = clock(first) if first else "to be confirmed"
    return event.__dict__["_start_time"]


def _in_breakouts(mailing: Mailing, delegates: QuerySet[Delegate]) -> QuerySet[Delegate]:
    if not mailing.pk:
        return delegates
    session_ids = list(mailing.sessions.values_list("pk", flat=True))
    theme_ids = list(mailing.themes.values_list("pk", flat=True))
    if not (session_ids or theme_ids):
        return delegates
    places = BreakoutChoice.objects.filter(status=ChoiceStatus.CONFIRMED).filter(
        Q(session_id__in=session_ids) | Q(session__theme_id__in=theme_ids)
    )
    return delegates.filter(pk__in=places.values("delegate_id"))


def breakout_lines(delegate_ids) -> dict[int, list[str]]:
    """Each delegate's breakouts as lines for `{breakouts}`, in agenda order, in one query."""
    choices = (
        BreakoutChoice.objects.filter(delegate_id__in=delegate_ids)
        .select_related("session__theme", "session__room", "session__agenda_item")
        .order_by("agenda_item__starts_at", "pk")
    )
    lines = defaultdict(list)
    for choice in choices:
        item, session = choice.session.agenda_item, choice.session
        where = f", {session.room.name}" if session.room else ""
        state = "" if choice.status == ChoiceStatus.CONFIRMED else " (on the waitlist)"
        lines[choice.delegate_id].append(
            f"{item.title}, {clock(item.starts_at)} to {clock(item.ends_at)}: "
            f"{session.theme.title}{where}{state}"
        )
    return lines
