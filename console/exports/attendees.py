"""The attendee list: who is coming, with their breakouts and, when asked, their needs."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Prefetch, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify

from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice, BreakoutSession, Theme
from checkin.selectors import checked_in_at
from questions import services as question_services
from questions.models import Answer
from symposium.enums import AgendaKind, DietaryRequirement, RegistrationStatus
from symposium.exports.base import SECTOR_LABELS, Column, ListExporter
from symposium.models import AgendaItem, Delegate, Event, by_name

CHUNK_SIZE = 2000
CHECK_IN_COLUMNS = [Column("Checked in", 12), Column("Checked in at", 18)]


@dataclass(frozen=True, kw_only=True)
class AttendeeFilters:
    """Which delegates to list. Filters combine; none means the whole event.

    By default only confirmed delegates, and for a session or theme only those with a
    confirmed place in it; `include_inactive` adds the waitlists and cancellations.
    """

    session: BreakoutSession | None = None
    theme: Theme | None = None
    organisation: str = ""
    sector: str = ""
    include_inactive: bool = False
    include_needs: bool = False

    def as_json(self) -> dict[str, Any]:
        chosen = {
            "session": self.session.pk if self.session else None,
            "theme": self.theme.number if self.theme else None,
            "organisation": self.organisation,
            "sector": self.sector,
        }
        return {
            **{key: value for key, value in chosen.items() if value},
            "include_inactive": self.include_inactive,
            "include_needs": self.include_needs,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], *, event: Event) -> "AttendeeFilters":
        """The filters `as_json()` gave, read back for a list made later (on the queue).
        A session or theme deleted since then raises DoesNotExist."""
        session = data.get("session")
        theme = data.get("theme")
        return cls(
            session=BreakoutSession.objects.get(pk=session, theme__event=event)
            if session
            else None,
            theme=Theme.objects.get(event=event, number=theme) if theme else None,
            organisation=data.get("organisation", ""),
            sector=data.get("sector", ""),
            include_inactive=data.get("include_inactive", False),
            include_needs=data.get("include_needs", False),
        )

    def slug(self) -> str:
        """A short name for the file: `session-12`, `theme-3`, `sector-nhs`…"""
        parts = [
            f"session-{self.session.pk}" if self.session else "",
            f"theme-{self.theme.number}" if self.theme else "",
            f"organisation-{slugify(self.organisation)[:40]}" if self.organisation else "",
            f"sector-{self.sector}" if self.sector else "",
            "all-statuses" if self.include_inactive else "",
        ]
        return "-".join(part for part in parts if part) or "all"


def attendees(*, event: Event, filters: AttendeeFilters) -> QuerySet[Delegate]:
    """The event's delegates that the filters select (no ordering, nothing prefetched)."""
    delegates = Delegate.objects.filter(event=event)
    if not filters.include_inactive:
        delegates = delegates.confirmed()
    if filters.organisation:
        delegates = delegates.filter(organisation__iexact=filters.organisation)
    if filters.sector:
        delegates = delegates.filter(sector=filters.sector)
    if filters.session or filters.theme:
        choices = BreakoutChoice.objects.all()
        if filters.session:
            choices = choices.filter(session=filters.session)
        if filters.theme:
            choices = choices.filter(session__theme=filters.theme)
        if not filters.include_inactive:
            choices = choices.filter(status=ChoiceStatus.CONFIRMED)
        # A subquery, not a join: a theme runs in several rounds, a delegate is listed once.
        delegates = delegates.filter(pk__in=choices.values("delegate_id"))
    return delegates


def breakout_rounds(*, event: Event) -> list[AgendaItem]:
    return list(
        AgendaItem.objects.filter(event=event, kind=AgendaKind.BREAKOUT_ROUND).order_by(
            "starts_at", "pk"
        )
    )


def round_title(item: AgendaItem) -> str:
    return f"{item.title} ({timezone.localtime(item.starts_at):%H:%M})"


# Labels looked up once: `get_FOO_display()` costs too much on tens of thousands of rows.
STATUS_LABELS = dict(RegistrationStatus.choices)
CHOICE_LABELS = dict(ChoiceStatus.choices)
DIETARY_LABELS = dict(DietaryRequirement.choices)


def dietary_text(needs) -> str:
    if needs is None:
        return ""
    label = DIETARY_LABELS.get(needs.dietary_requirement, needs.dietary_requirement)
    return f"{label}: {needs.dietary_details}" if needs.dietary_details else label


class AttendeeList(ListExporter):
    """One row per delegate, alphabetical; one column per breakout round, then one per
    registration question of the event, in its order (the sensitive ones only with the
    needs).

    Reads in chunks of CHUNK_SIZE delegates, each chunk with its breakout choices
    prefetched: two queries a chunk (four with questions: their answers and the
    options chosen), plus one for the rounds, one for the themes and one or two for
    the questions.
    """

    name = "Attendee list"

    def __init__(
        self,
        *,
        event: Event,
        delegates: QuerySet[Delegate],
        include_needs: bool,
        name: str = "",
    ):
        self.name = name or self.name
        self.event = event
        self.delegates = delegates
        self.include_needs = include_needs
        self.rounds = breakout_rounds(event=event)
        self.questions = [
            question
            for question in question_services.event_questions(event=event, cached=False)
            if include_needs or not question.sensitive
        ]
        # From the event's first day: before it, nobody can have been checked in.
        self.with_check_ins = event.starts_on <= timezone.localdate()

    def columns(self) -> list[Column]:
        needs = [Column("Dietary needs", 30), Column("Access needs", 40)]
        return [
            Column("Name", 28),
            Column("Email", 32),
            Column("Organisation", 32),
            Column("Sector", 22),
            Column("Job title", 28),
            Column("Registration status", 18),
            Column("Seat quota", 28),
            *[Column(round_title(item), 36) for item in self.rounds],
            *(needs if self.include_needs else []),
            *[Column(question.label, 30) for question in self.questions],
            Column("Registered at", 18),
            *(CHECK_IN_COLUMNS if self.with_check_ins else []),
        ]

    def row_count(self) -> int:
        return self.delegates.count()

    def _queryset(self) -> QuerySet[Delegate]:
        # Only the ids and status of each choice: the theme titles come from one dict,
        # not from two more model instances per choice.
        choices = BreakoutChoice.objects.only(
            "delegate_id", "agenda_item_id", "session_id", "status", "replaces_id"
        ).order_by()
        delegates = self.delegates.order_by(*by_name()).prefetch_related(
            Prefetch("breakout_choices", queryset=choices)
        )
        # The quota their place counts against (partners.QuotaPlace): joined, no query.
        quota = "quota_place__quota__"
        delegates = delegates.annotate(
            quota_for=Coalesce(
                F(f"{quota}organisation__name"), F(f"{quota}network__name"), F(f"{quota}sector")
            )
        )
        if self.questions:
            answers = Answer.objects.filter(question__in=self.questions).prefetch_related("options")
            delegates = delegates.prefetch_related(Prefetch("answers", queryset=answers))
        if self.with_check_ins:
            delegates = delegates.annotate(checked_in_at=checked_in_at())
        # The needs are special category data: not even read unless asked for.
        return delegates.select_related("needs") if self.include_needs else delegates

    def _breakouts(self, delegate: Delegate, themes: dict[int, str]) -> list[str]:
        # A swap waiting for a place is not the delegate's breakout yet: the place kept is.
        by_round = {
            choice.agenda_item_id: choice
            for choice in delegate.breakout_choices.all()
            if not choice.replaces_id
        }
        cells = []
        for item in self.rounds:
            choice = by_round.get(item.pk)
            status = CHOICE_LABELS.get(choice.status, choice.status) if choice else ""
            cells.append(f"{themes.get(choice.session_id, '')} ({status})" if choice else "")
        return cells

    def _needs(self, delegate: Delegate) -> list[str]:
        if not self.include_needs:
            return []
        needs = getattr(delegate, "needs", None)
        return [dietary_text(needs), needs.access_needs if needs else ""]

    def _answers(self, delegate: Delegate) -> list[str]:
        if not self.questions:
            return []
        given = {answer.question_id: answer for answer in delegate.answers.all()}
        cells = []
        for question in self.questions:
            answer = given.get(question.pk)
            if answer is None:
                cells.append("")
                continue
            order = {option.pk: option.order for option in question.options.all()}
            labels = [
                option.label
                for option in sorted(answer.options.all(), key=lambda o: (order.get(o.pk, 0), o.pk))
            ]
            cells.append(question_services.answer_text(question, answer.value, labels))
        return cells

    def _check_in(self, delegate: Delegate) -> list[Any]:
        if not self.with_check_ins:
            return []
        return ["Yes" if delegate.checked_in_at else "No", delegate.checked_in_at]

    def rows(self) -> Iterator[list[Any]]:
        themes = dict(
            BreakoutSession.objects.filter(theme__event=self.event).values_list(
                "pk", "theme__title"
            )
        )
        for delegate in self._queryset().iterator(chunk_size=CHUNK_SIZE):
            yield [
                delegate.full_name,
                delegate.email,
                delegate.organisation,
                SECTOR_LABELS.get(delegate.sector, delegate.sector),
                delegate.job_title,
                STATUS_LABELS.get(delegate.status, delegate.status),
                SECTOR_LABELS.get(delegate.quota_for, delegate.quota_for or ""),
                *self._breakouts(delegate, themes),
                *self._needs(delegate),
                *self._answers(delegate),
                delegate.created_at,
                *self._check_in(delegate),
            ]
