"""Factories and a ready-made past event for the feedback tests."""

import datetime as dt

import factory
from django.utils import timezone

from checkin.models import CheckIn
from feedback.models import Survey, SurveyInvitation
from symposium.enums import AgendaKind, RegistrationStatus
from tests.factories import (
    AgendaItemFactory,
    BreakoutChoiceFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
    PresentationFactory,
    RoomFactory,
    ThemeFactory,
    event_day_at,
)


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey
        django_get_or_create = ("event",)

    event = factory.SubFactory(EventFactory)
    is_anonymous = False
    intro = "Tell us how the day went."
    closes_on = factory.LazyAttribute(lambda o: o.event.ends_on + dt.timedelta(days=14))


class SurveyInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyInvitation

    survey = factory.SubFactory(SurveyFactory)
    delegate = factory.SubFactory(DelegateFactory, event=factory.SelfAttribute("..survey.event"))


def check_in(delegate, *, undone=False):
    at = event_day_at(delegate.event, 9)
    return CheckIn.objects.create(delegate=delegate, at=at, undone_at=at if undone else None)


def build_symposium(
    *, day: dt.date | None = None, anonymous: bool = False, slug: str = "kent-medway"
) -> dict:
    """A one-day event on `day` (yesterday unless given) with its programme: a plenary
    of two presentations (09:30-10:30), a film (10:30-11:00), a coffee break
    (11:00-11:30) and a breakout round (14:00-15:00) of two sessions. Sam held a
    place in the first session, Ana in none; both were checked in. Ben's check-in was
    undone, Cat was never checked in, Dan cancelled."""
    day = day or timezone.localdate() - dt.timedelta(days=1)
    event = EventFactory(
        name="Kent and Medway ICS symposium",
        slug=slug,
        starts_on=day,
        ends_on=day,
        registration_opens_at=timezone.now() - dt.timedelta(days=60),
        registration_closes_at=timezone.now() - dt.timedelta(days=59),
        venue_name="Canterbury Cathedral Lodge",
    )
    hall = RoomFactory(event=event, name="Great Hall")
    plenary = AgendaItemFactory(
        event=event,
        kind=AgendaKind.PLENARY,
        title="Opening plenary",
        room=hall,
        starts_at=event_day_at(event, 9, 30),
        ends_at=event_day_at(event, 10, 30),
    )
    talks = [
        PresentationFactory(agenda_item=plenary, title="Population health in Kent", order=1),
        PresentationFactory(agenda_item=plenary, title="Policing and prevention", order=2),
    ]
    film = AgendaItemFactory(
        event=event,
        kind=AgendaKind.FILM,
        title="Film: voices from the community",
        room=hall,
        starts_at=event_day_at(event, 10, 30),
        ends_at=event_day_at(event, 11),
    )
    coffee = AgendaItemFactory(
        event=event,
        kind=AgendaKind.BREAK,
        title="Coffee break",
        starts_at=event_day_at(event, 11),
        ends_at=event_day_at(event, 11, 30),
    )
    breakout_round = BreakoutRoundFactory(event=event, title="Breakout round 1")
    prevention = BreakoutSessionFactory(
        theme=ThemeFactory(event=event, number=1, title="Prevention and early help"),
        agenda_item=breakout_round,
    )
    crisis = BreakoutSessionFactory(
        theme=ThemeFactory(event=event, number=2, title="Mental health crisis care"),
        agenda_item=breakout_round,
    )
    people = {
        name: DelegateFactory(
            event=event,
            first_name=name.title(),
            last_name=surname,
            email=f"{name}@{slug}.example.org" if slug != "kent-medway" else f"{name}@example.org",
            status=RegistrationStatus.CANCELLED if name == "dan" else RegistrationStatus.CONFIRMED,
        )
        for name, surname in [
            ("sam", "Okafor"),
            ("ana", "Able"),
            ("ben", "Bell"),
            ("cat", "Cole"),
            ("dan", "Dee"),
        ]
    }
    BreakoutChoiceFactory(session=prevention, delegate=people["sam"])
    BreakoutChoiceFactory(session=crisis, delegate=people["ben"])
    check_in(people["sam"])
    check_in(people["ana"])
    check_in(people["ben"], undone=True)
    survey = SurveyFactory(event=event, is_anonymous=anonymous)
    return {
        "event": event,
        "survey": survey,
        "plenary": plenary,
        "talks": talks,
        "film": film,
        "coffee": coffee,
        "round": breakout_round,
        "prevention": prevention,
        "crisis": crisis,
        **people,
    }
