"""Factories of breakout outcomes (tests/factories.py's are imported, not appended to)."""

import datetime as dt

import factory
from django.utils import timezone

from outcomes.models import Action, OutcomeStatus, Pledge, SessionOutcome
from tests.factories import BreakoutSessionFactory


class SessionOutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionOutcome

    session = factory.SubFactory(BreakoutSessionFactory)
    facilitator_email = factory.Sequence(lambda n: f"facilitator{n}@example.org")
    key_points = "Partners agreed to share one referral form."


class PublishedOutcomeFactory(SessionOutcomeFactory):
    status = OutcomeStatus.PUBLISHED
    submitted_at = factory.LazyFunction(timezone.now)
    published_at = factory.LazyFunction(timezone.now)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    outcome = factory.SubFactory(SessionOutcomeFactory)
    description = factory.Sequence(lambda n: f"Action number {n}")
    organisation_name = "Kent County Council"
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=90))


class PledgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pledge

    outcome = factory.SubFactory(SessionOutcomeFactory)
    text = factory.Sequence(lambda n: f"Pledge number {n}")
    organisation_name = "Kent County Council"
