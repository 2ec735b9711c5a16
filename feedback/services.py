"""The feedback survey: made with the event, sent once after it to those who attended,
answered once through each link.

Sending (`send_survey`, run every minute by `feedback.tasks.send_surveys`): the day
after the event at 11:00 UK time (an hour after the thank-you), one conditional UPDATE
sets `Survey.sent_at` where it is still empty, so of two workers at once one wins and
the other does nothing. In the winner's transaction each attendee (a standing check-in
at the desk) gets one `SurveyInvitation` row (unique per survey and delegate) and one
email in django-mailer's queue, which the mail sweep sends (mailings.services.send_now).
A crash rolls all of it back, sent_at included, and the next run sends it whole. An
attendee the desk records later (an offline desk catching up) is invited by a later run
while the survey is open, under the survey's row lock (SKIP LOCKED).

Answering (`submit_response`): one conditional UPDATE marks the invitation answered
where it was not, in the same transaction as the response, so two submissions through
one link at once write one response. In anonymous mode the response has no delegate
and only a date, and the invitation records that it was used, not when: its
`answered_at` is the survey's send time, so no time or day ties a link to a response;
nor does the transaction stamp PostgreSQL keeps on each row (`_blur_answered`).
"""

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from mailer.models import PRIORITY_LOW, Message

from feedback import selectors
from feedback.models import Rating, Response, Survey, SurveyInvitation
from feedback.tokens import make_survey_token
from mailings import services as mailings
from symposium import audit, mail_identity, outbox
from symposium.models import Event
from symposium.text import one_line

logger = logging.getLogger(__name__)

LONDON = ZoneInfo("Europe/London")
SENT_AT = dt.time(11, 0)  # The day after the event: an hour after the thank-you (10:00).
OPEN_DAYS = 14  # A new event's survey closes two weeks after its last day.
DEFAULT_INTRO = (
    "Thank you for coming. Your answers help us plan the next symposium and report to "
    "the partners what the day achieved."
)


class SurveyClosed(Exception):
    """The survey's closing date has passed: nothing is written."""


# Setting up ---------------------------------------------------------------------------


def default_closes_on(event: Event) -> dt.date:
    return event.ends_on + dt.timedelta(days=OPEN_DAYS)


def ensure_survey(*, event: Event) -> Survey | None:
    """Give a new event to come its survey: anonymous, the default introduction,
    closing two weeks after the event. Called once, when the event is created: an
    organiser who deletes it has decided. Side effect: one Survey row."""
    if event.starts_on <= timezone.localdate():
        return None
    survey, _ = Survey.objects.get_or_create(
        event=event,
        defaults={
            "is_anonymous": True,
            "intro": DEFAULT_INTRO,
            "closes_on": default_closes_on(event),
        },
    )
    return survey


def keep_in_step(*, event: Event) -> None:
    """An event moved later: a survey not yet sent that would close before the new
    date (or on it) closes two weeks after it instead."""
    Survey.objects.filter(event=event, sent_at__isnull=True, closes_on__lte=event.ends_on).update(
        closes_on=default_closes_on(event)
    )


# Sending ------------------------------------------------------------------------------


def due_at(event: Event) -> dt.datetime:
    return dt.datetime.combine(event.ends_on + dt.timedelta(days=1), SENT_AT, tzinfo=LONDON)


def survey_url(invitation: SurveyInvitation) -> str:
    path = reverse(
        "feedback:survey",
        kwargs={"event_slug": invitation.survey.event.slug, "token": make_survey_token(invitation)},
    )
    return settings.SITE_URL + path


def render_email(invitation: SurveyInvitation) -> dict:
    """The invitation's subject, plain text and HTML. No side effects."""
    survey, delegate = invitation.survey, invitation.delegate
    event = survey.event
    context = {
        "subject": one_line(f"Tell us what you thought of {event.name}"),
        "event": event,
        "delegate": delegate,
        "survey": survey,
        "survey_url": survey_url(invitation),
    }
    return {
        "subject": context["subject"],
        "text": render_to_string("feedback/email_survey.txt", context),
        "html": render_to_string("feedback/email_survey.html", context),
    }


def build_email(invitation: SurveyInvitation) -> outbox.HtmlEmail:
    copy = render_email(invitation)
    validate_email(invitation.delegate.email)  # ValidationError: no header can carry it.
    event = invitation.survey.event
    message = outbox.HtmlEmail(
        subject=copy["subject"],
        body=copy["text"],
        to=[invitation.delegate.email],
        reply_to=[event.contact_email] if event.contact_email else None,
        headers=mail_identity.headers(bulk=True),
    )
    message.attach_alternative(copy["html"], "text/html")
    return message


def _invite(survey: Survey, now: dt.datetime) -> list[Message]:
    """Invite every attendee not yet invited: invitation rows and queued emails, in the
    caller's transaction, which holds the survey's row."""
    newcomers = list(
        selectors.attendees(survey.event).exclude(survey_invitations__survey=survey).order_by("pk")
    )
    invitations = SurveyInvitation.objects.bulk_create(
        [SurveyInvitation(survey=survey, delegate=delegate) for delegate in newcomers]
    )
    messages = []
    for invitation, delegate in zip(invitations, newcomers, strict=True):
        invitation.survey, invitation.delegate = survey, delegate
        try:
            email = build_email(invitation)
        except ValidationError:
            logger.warning("Survey %s: delegate %s skipped", survey.pk, delegate.pk)
            continue
        queued = Message(priority=PRIORITY_LOW)
        queued.email = email
        messages.append(queued)
    return Message.objects.bulk_create(messages)


def send_survey(*, survey_pk: int, now: dt.datetime | None = None) -> int:
    """Send the survey to every attendee, once; later, invite those recorded since.

    Side effects, in one transaction: Survey.sent_at (the first time, by a conditional
    UPDATE only one caller wins), one SurveyInvitation per attendee not yet invited
    (unique), their emails queued; then the mail sweep. Returns how many were queued."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        first = Survey.objects.filter(
            pk=survey_pk, sent_at__isnull=True, closes_on__gte=today, event__ends_on__lt=today
        ).update(sent_at=now)
        lock = Survey.objects.select_related("event").filter(pk=survey_pk)
        if not first:
            lock = lock.select_for_update(skip_locked=True, of=("self",)).filter(
                sent_at__isnull=False, closes_on__gte=today
            )
        survey = lock.first()
        if survey is None:
            return 0
        messages = _invite(survey, now)
        if first or messages:
            # The count only: who was sent it is in the invitations (and, for an
            # anonymous survey, no answer is logged one by one).
            audit.log_action(
                event=survey.event,
                action="feedback.survey_sent",
                obj=survey,
                data={"emails": len(messages), "first": bool(first)},
            )
    mailings.send_now([message.pk for message in messages])
    return len(messages)


def due_surveys(*, now: dt.datetime | None = None) -> list[int]:
    """Surveys of published events to send (the day after the event at 11:00), or to
    top up with those the desk recorded since (sent, still open)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    candidates = Survey.objects.filter(
        closes_on__gte=today, event__ends_on__lt=today, event__is_published=True
    ).select_related("event")
    return [
        survey.pk
        for survey in candidates.order_by("pk")
        if survey.sent_at is not None or now >= due_at(survey.event)
    ]


def send_due_surveys(*, now: dt.datetime | None = None) -> int:
    return sum(send_survey(survey_pk=pk, now=now) for pk in due_surveys(now=now))


# Answering ----------------------------------------------------------------------------


def is_closed(survey: Survey, *, today: dt.date | None = None) -> bool:
    return (today or timezone.localdate()) > survey.closes_on


@dataclass(frozen=True)
class Answers:
    overall: int
    comments: str
    do_differently: str
    # (target kind, pk, score): kind "item", "presentation" or "session".
    ratings: list[tuple[str, int, int]]


RATED = {
    "item": "agenda_item_id",
    "presentation": "presentation_id",
    "session": "breakout_session_id",
}


def submit_response(
    *, invitation: SurveyInvitation, answers: Answers, now: dt.datetime | None = None
) -> Response | None:
    """Record the delegate's answers, once per link.

    Side effects, in one transaction: the invitation marked answered by a conditional
    UPDATE (None, nothing written, when it already was: a second submission, or two
    at once), a Response and its Ratings. Anonymous: the response has no delegate,
    and the invitation's answered_at is the survey's send time, not now. Raises
    SurveyClosed after the closing date."""
    now = now or timezone.now()
    survey = invitation.survey
    if is_closed(survey, today=timezone.localdate(now)):
        raise SurveyClosed
    answered_at = (survey.sent_at or now) if survey.is_anonymous else now
    with transaction.atomic():
        if survey.is_anonymous:
            # One anonymous answer at a time per survey: see _blur_answered below.
            Survey.objects.select_for_update().filter(pk=survey.pk).first()
        claimed = SurveyInvitation.objects.filter(
            pk=invitation.pk, answered_at__isnull=True
        ).update(answered_at=answered_at)
        if not claimed:
            return None
        response = Response.objects.create(
            survey=survey,
            delegate=None if survey.is_anonymous else invitation.delegate,
            submitted_on=timezone.localdate(now),
            overall=answers.overall,
            comments=answers.comments,
            do_differently=answers.do_differently,
        )
        Rating.objects.bulk_create(
            [
                Rating(response=response, score=score, **{RATED[kind]: pk})
                for kind, pk, score in answers.ratings
            ]
        )
        if survey.is_anonymous:
            _blur_answered(survey)
        else:
            # Named only: an anonymous answer writes no entry (an entry's delegate, object
            # or time would link the response to the delegate).
            audit.log_action(
                event=survey.event_id,
                action="feedback.answered",
                delegate=invitation.delegate_id,
                obj=survey,
            )
    return response


def _blur_answered(survey: Survey) -> None:
    """Rewrite every answered invitation of the survey in the transaction that writes
    the response. PostgreSQL stamps each row version with the transaction that wrote it
    (the `xmin` system column): without this, the response and the one invitation
    marked in the same transaction would carry the same stamp, a link no column shows.
    With it, every answered invitation carries the stamp of the latest answer, so a
    response's stamp matches all those who answered, or none. Under the survey's row
    lock (taken first), so two answers never rewrite the same rows at once."""
    SurveyInvitation.objects.filter(survey=survey, answered_at__isnull=False).update(
        answered_at=F("answered_at")
    )


# Personal data ------------------------------------------------------------------------


def delegate_data(delegate) -> dict:
    """The delegate's survey in their copy of their data (registration.privacy): whether
    they were sent it and answered, and their answers unless it was anonymous (then
    nothing leads to them, here included)."""
    invitation = SurveyInvitation.objects.filter(delegate=delegate).select_related("survey").first()
    if invitation is None:
        return {"sent": False}
    data = {"sent": True, "answered": invitation.answered_at is not None}
    if invitation.survey.is_anonymous:
        return data | {"answers": "anonymous: kept without your name, so we cannot find them"}
    response = Response.objects.filter(delegate=delegate).prefetch_related("ratings").first()
    if response is None:
        return data
    return data | {
        "submitted_on": response.submitted_on,
        "overall": response.overall,
        "comments": response.comments,
        "what_I_will_do_differently": response.do_differently,
        "ratings": [_rating_data(rating) for rating in response.ratings.all()],
    }


def _rating_data(rating: Rating) -> dict:
    rated = rating.presentation or rating.breakout_session
    return {"rated": str(rated) if rated else rating.agenda_item.title, "score": rating.score}


def forget_delegate(*, delegate_pk: int) -> int:
    """A registration erased: its own (not anonymous) response goes with it, the free
    text it may hold included. Anonymous responses name nobody and stay."""
    deleted, _ = Response.objects.filter(delegate_id=delegate_pk).delete()
    return deleted
