import pytest

from breakouts.enums import ChoiceStatus
from mailings.models import Mailing
from symposium.enums import RegistrationStatus, Sector
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
    RoomFactory,
    ThemeFactory,
)


@pytest.fixture
def world(db):
    """An event with delegates of every status, sector and organisation the filters
    look at, two themes in one breakout round, and one delegate of another event."""
    event = EventFactory(name="Kent and Medway ICS symposium", slug="kent-medway")
    breakout_round = BreakoutRoundFactory(event=event, title="Breakout round 1")
    prevention = ThemeFactory(event=event, number=1, title="Prevention and early help")
    crisis = ThemeFactory(event=event, number=2, title="Mental health crisis care")
    room = RoomFactory(event=event, name="Room A")
    prevention_session = BreakoutSessionFactory(
        theme=prevention, agenda_item=breakout_round, room=room
    )
    crisis_session = BreakoutSessionFactory(theme=crisis, agenda_item=breakout_round)
    people = {
        "ana": DelegateFactory(
            event=event,
            first_name="Ana",
            last_name="Able",
            sector=Sector.NHS,
            organisation="Kent and Medway ICB",
        ),
        "ben": DelegateFactory(
            event=event,
            first_name="Ben",
            last_name="Bell",
            sector=Sector.POLICE,
            organisation="Kent Police",
        ),
        "cat": DelegateFactory(
            event=event,
            first_name="Cat",
            last_name="Cole",
            sector=Sector.NHS,
            organisation="Medway NHS Foundation Trust",
            status=RegistrationStatus.WAITLISTED,
        ),
        "dan": DelegateFactory(
            event=event,
            first_name="Dan",
            last_name="Dee",
            sector=Sector.COUNCIL,
            organisation="Kent County Council",
            status=RegistrationStatus.CANCELLED,
        ),
        "eve": DelegateFactory(
            event=event,
            first_name="Eve",
            last_name="Eden",
            sector=Sector.VCSE,
            organisation="kent and medway icb",
        ),
    }
    BreakoutChoiceFactory(delegate=people["ana"], session=prevention_session)
    BreakoutChoiceFactory(delegate=people["ben"], session=crisis_session)
    BreakoutChoiceFactory(
        delegate=people["eve"], session=crisis_session, status=ChoiceStatus.WAITLISTED
    )
    other = DelegateFactory(first_name="Olu", last_name="Other", sector=Sector.NHS)
    return {
        "event": event,
        "people": people,
        "other": other,
        "prevention": prevention,
        "crisis": crisis,
        "prevention_session": prevention_session,
        "crisis_session": crisis_session,
    }


def make_mailing(event, **fields):
    fields.setdefault("subject", "News from {event}")
    fields.setdefault("body", "Dear {first_name},\n\nSee you soon.")
    sessions = fields.pop("sessions", [])
    themes = fields.pop("themes", [])
    mailing = Mailing.objects.create(event=event, **fields)
    mailing.sessions.set(sessions)
    mailing.themes.set(themes)
    return mailing
