import datetime as dt

import pytest
from django.utils import timezone

from outcomes.models import OutcomeStatus
from symposium.enums import AgendaKind, RegistrationStatus, Sector
from tests.factories import (
    AgendaItemFactory,
    BreakoutChoiceFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
    PresentationFactory,
)
from tests.report.factories import (
    ActionFactory,
    PledgeFactory,
    RatingFactory,
    SessionOutcomeFactory,
    SurveyFactory,
    answered,
    check_in,
)


def people(event, count, *, sector, organisation, came, status=RegistrationStatus.CONFIRMED):
    made = DelegateFactory.create_batch(
        count, event=event, sector=sector, organisation=organisation, status=status
    )
    for delegate in made[:came]:
        check_in(delegate)
    return made


@pytest.fixture
def world(db):
    """An event that took place three days ago, built by hand:

    - NHS: 15 confirmed (10 came, 5 no-shows), Kent NHS Trust;
    - Local council: 18 confirmed (12 came, 6 no-shows), Kent County Council;
    - 2 cancelled NHS registrations (never counted) and 1 waitlisted council one;
    - one breakout session ("Housing and health") with 6 NHS and 7 council places;
    - a survey: 8 responses (overall 5,5,4,4,4,3,5,2: mean 4.0), the opening plenary
      rated by all 8 (mean 3.5), a talk by 3 (hidden), the session by 5 (mean 4.4);
      one quote picked of each kind, one comment not picked;
    - a published outcome with an action named (agreed), one not named and a pledge,
      and a draft outcome whose action is not shown.
    """
    day = timezone.localdate() - dt.timedelta(days=3)
    event = EventFactory(
        name="Kent symposium 2026",
        slug="kent-2026",
        starts_on=day,
        ends_on=day,
        registration_opens_at=timezone.now() - dt.timedelta(days=60),
        registration_closes_at=timezone.now() - dt.timedelta(days=4),
    )
    nhs = people(event, 15, sector=Sector.NHS, organisation="Kent NHS Trust", came=10)
    council = people(event, 18, sector=Sector.COUNCIL, organisation="Kent County Council", came=12)
    people(
        event,
        2,
        sector=Sector.NHS,
        organisation="Gone",
        came=0,
        status=RegistrationStatus.CANCELLED,
    )
    people(
        event,
        1,
        sector=Sector.COUNCIL,
        organisation="Waiting",
        came=0,
        status=RegistrationStatus.WAITLISTED,
    )
    session = BreakoutSessionFactory(theme__event=event, theme__title="Housing and health")
    other = BreakoutSessionFactory(
        theme__event=event, theme__title="Quiet theme", agenda_item=session.agenda_item
    )
    for delegate in nhs[:6] + council[:7]:
        BreakoutChoiceFactory(session=session, delegate=delegate)
    for delegate in council[7:9]:
        BreakoutChoiceFactory(session=other, delegate=delegate)
    plenary = AgendaItemFactory(event=event, title="Opening plenary", kind=AgendaKind.PLENARY)
    talk = PresentationFactory(
        agenda_item__event=event, agenda_item__starts_at=plenary.ends_at, title="Data talk"
    )
    survey = SurveyFactory(event=event)
    attended = nhs[:10] + council[:12]
    for delegate in attended[8:]:
        survey.invitations.create(delegate=delegate)
    overall = [5, 5, 4, 4, 4, 3, 5, 2]
    plenary_scores = [4, 4, 3, 3, 4, 3, 4, 3]
    responses = []
    for n, delegate in enumerate(attended[:8]):
        responses.append(
            answered(
                survey,
                delegate,
                overall=overall[n],
                comments={0: "Brilliant networking with the council.", 1: "Secret words"}.get(
                    n, ""
                ),
                comments_quoted=n == 0,
                do_differently="Invite housing colleagues." if n == 2 else "",
                do_differently_quoted=n == 2,
            )
        )
        RatingFactory(response=responses[-1], agenda_item=plenary, score=plenary_scores[n])
    for response in responses[:3]:
        RatingFactory(response=response, presentation=talk, score=1)
    for response, score in zip(responses[:5], [5, 4, 4, 5, 4], strict=True):
        RatingFactory(response=response, breakout_session=session, score=score)
    outcome = SessionOutcomeFactory(session=session, key_points="Share housing data.")
    ActionFactory(
        outcome=outcome,
        description="Set up a data-sharing agreement",
        organisation_name="Kent County Council",
        may_name_organisation=True,
        due_on=dt.date(2027, 3, 31),
    )
    ActionFactory(
        outcome=outcome,
        description="Pilot joint visits",
        organisation_name="Secretive Trust",
        may_name_organisation=False,
        due_on=None,
    )
    PledgeFactory(outcome=outcome, text="We will publish our waiting times.")
    draft = SessionOutcomeFactory(session=other, status=OutcomeStatus.DRAFT)
    ActionFactory(outcome=draft, description="Draft action not yet reviewed")
    return event
