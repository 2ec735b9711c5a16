"""Reads of outcomes shared by pages: the public page's, a partner lead's actions."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from breakouts.models import Theme
from outcomes.models import Action, OutcomeStatus, Pledge, SessionOutcome
from partners import selectors as partner_selectors
from partners.models import Organisation
from symposium.enums import Sector
from symposium.models import Event

ANONYMOUS_OWNER = "A partner organisation"


def public_owner(row) -> str:
    """How an action's or pledge's organisation is named in public: by its name only if
    it agreed; otherwise as a partner organisation, with its sector when the directory
    knows it."""
    if row.may_name_organisation and row.owner_name:
        return row.owner_name
    if row.organisation_id and row.organisation.sector:
        return f"{ANONYMOUS_OWNER} ({Sector(row.organisation.sector).label})"
    return ANONYMOUS_OWNER


def published_outcomes(*, event: Event) -> QuerySet:
    return SessionOutcome.objects.filter(
        session__theme__event=event, status=OutcomeStatus.PUBLISHED
    )


def has_published_outcomes(*, event: Event) -> bool:
    return published_outcomes(event=event).exists()


@dataclass
class ThemeOutcomes:
    theme: Theme
    outcomes: list = field(default_factory=list)


def outcomes_by_theme(*, event: Event) -> list[ThemeOutcomes]:
    """The event's published outcomes, theme by theme (in theme order, then by round),
    with their actions and pledges: three queries whatever their number. Only what the
    public page may show is selected: no facilitator, no email, no key."""
    owned = ("organisation",)
    outcomes = (
        published_outcomes(event=event)
        .select_related("session__theme", "session__agenda_item")
        .only(
            "key_points",
            "published_at",
            "session__theme__number",
            "session__theme__title",
            "session__theme__description",
            "session__theme__event_id",
            "session__agenda_item__title",
            "session__agenda_item__starts_at",
        )
        .prefetch_related(
            Prefetch("actions", queryset=Action.objects.select_related(*owned)),
            Prefetch("pledges", queryset=Pledge.objects.select_related(*owned)),
        )
        .order_by("session__theme__number", "session__agenda_item__starts_at", "pk")
    )
    themes: dict[int, ThemeOutcomes] = {}
    for outcome in outcomes:
        theme = outcome.session.theme
        themes.setdefault(theme.pk, ThemeOutcomes(theme)).outcomes.append(outcome)
    return list(themes.values())


def lead_actions(*, lead, event: Event) -> QuerySet:
    """The published actions a partner lead follows up at an event: those their
    organisation owns or, for a network's lead, any of the network's members own (each
    with the entries merged into it, partners.selectors.with_merged). Every
    page of the follow-up starts from this: nothing outside it exists for them."""
    actions = Action.objects.filter(
        outcome__session__theme__event=event, outcome__status=OutcomeStatus.PUBLISHED
    )
    if lead.organisation_id is not None:
        owners = Organisation.objects.filter(pk=lead.organisation_id)
    else:
        owners = Organisation.objects.filter(networks=lead.network_id)
    # An entry merged into theirs (partners' directory merge) owned actions now theirs.
    return actions.filter(organisation_id__in=partner_selectors.with_merged(owners))
