"""Factories for the report's tests: the feedback survey and the breakout outcomes
(their models only; the apps' forms are built elsewhere)."""

import datetime as dt

import factory
from django.utils import timezone

from checkin.models import CheckIn
from feedback.models import Rating, Response, Survey, SurveyInvitation
from outcomes.models import Action, OutcomeStatus, Pledge, SessionOutcome
from tests.factories import BreakoutSessionFactory, DelegateFactory, EventFactory


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    event = factory.SubFactory(EventFactory)
    closes_on = factory.LazyAttribute(lambda o: o.event.ends_on + dt.timedelta(days=14))


class SurveyInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyInvitation

    survey = factory.SubFactory(SurveyFactory)
    delegate = factory.SubFactory(DelegateFactory, event=factory.SelfAttribute("..survey.event"))


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    survey = factory.SubFactory(SurveyFactory)
    submitted_on = factory.LazyFunction(timezone.localdate)
    overall = 4


class RatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rating

    response = factory.SubFactory(ResponseFactory)
    score = 4


class SessionOutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionOutcome

    session = factory.SubFactory(BreakoutSessionFactory)
    key_points = "Share data across partners."
    status = OutcomeStatus.PUBLISHED


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    outcome = factory.SubFactory(SessionOutcomeFactory)
    description = factory.Sequence(lambda n: f"Action {n}")
    organisation_name = "Kent County Council"
    may_name_organisation = True
    due_on = dt.date(2027, 3, 31)


class PledgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pledge

    outcome = factory.SubFactory(SessionOutcomeFactory)
    text = factory.Sequence(lambda n: f"Pledge {n}")
    organisation_name = "Medway Council"
    may_name_organisation = True


def check_in(delegate):
    return CheckIn.objects.create(delegate=delegate, at=timezone.now(), desk="Desk 1")


def answered(survey, delegate=None, **kwargs):
    """A delegate's response and the invitation it came through."""
    if delegate is not None:
        SurveyInvitation.objects.create(
            survey=survey, delegate=delegate, answered_at=timezone.now()
        )
    return ResponseFactory(survey=survey, **kwargs)
