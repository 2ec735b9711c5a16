import datetime as dt
from zoneinfo import ZoneInfo

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from breakouts.enums import ChoiceStatus
from breakouts.models import (
    AllocationRun,
    BreakoutChoice,
    BreakoutPreference,
    BreakoutSession,
    Theme,
)
from speakers.models import Presentation, PresentationSpeaker, Speaker
from symposium.enums import AgendaKind, BreakoutAllocation, RegistrationStatus, Sector
from symposium.models import AgendaItem, Delegate, DelegateNeeds, Event, Room

LONDON = ZoneInfo("Europe/London")


def event_day_at(event, hour, minute=0):
    return dt.datetime.combine(event.starts_on, dt.time(hour, minute), tzinfo=LONDON)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")

    @factory.post_generation
    def password(user, create, extracted, **kwargs):
        # Saved here: a session made before the password is saved would be logged out.
        user.set_password(extracted or "correct-horse-battery")
        if create:
            user.save(update_fields=["password"])


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    name = factory.Sequence(lambda n: f"Partner symposium {n}")
    slug = factory.Sequence(lambda n: f"symposium-{n}")
    summary = "Partners meet to hear speakers and work in breakout groups."
    audience = "Staff from the NHS, councils, the police and the VCSE sector."
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
    ends_on = factory.SelfAttribute("starts_on")
    venue_name = "Canterbury Cathedral Lodge"
    venue_address = "The Precincts, Canterbury CT1 2EH"
    registration_opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    registration_closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=20))
    delegate_capacity = 200
    is_published = True
    contact_email = "events@example.org"
    privacy_notice = "We use your details only to run this event."


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Room {n}")
    capacity = 100


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    event = factory.SubFactory(EventFactory)
    starts_at = factory.LazyAttribute(lambda o: event_day_at(o.event, 9))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(minutes=45))
    room = None
    kind = AgendaKind.PLENARY
    title = factory.Sequence(lambda n: f"Agenda item {n}")
    description = "What happens in this part of the day."


class BreakoutRoundFactory(AgendaItemFactory):
    kind = AgendaKind.BREAKOUT_ROUND
    title = factory.Sequence(lambda n: f"Breakout round {n}")
    starts_at = factory.LazyAttribute(lambda o: event_day_at(o.event, 14))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=1))


class DelegateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegate

    event = factory.SubFactory(EventFactory)
    first_name = "Delegate"
    last_name = factory.Sequence(lambda n: f"Number{n}")
    email = factory.Sequence(lambda n: f"delegate{n}@example.org")
    organisation = "Kent County Council"
    sector = Sector.COUNCIL
    job_title = "Public health officer"
    status = RegistrationStatus.CONFIRMED
    privacy_consent_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        # full_name="Ana Able" for brevity: the first word is the first name.
        if "full_name" in kwargs:
            kwargs["first_name"], _, kwargs["last_name"] = kwargs.pop("full_name").partition(" ")
        return kwargs


class DelegateNeedsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DelegateNeeds

    delegate = factory.SubFactory(DelegateFactory)
    dietary_requirement = "vegetarian"
    access_needs = "Step-free access"
    consented_at = factory.LazyFunction(timezone.now)


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    name = factory.Sequence(lambda n: f"Speaker {n}")
    slug = factory.Sequence(lambda n: f"speaker-{n}")
    role = "Director of Public Health"
    organisation = "Medway Council"
    biography = "Works across the integrated care system."


class PresentationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Presentation

    agenda_item = factory.SubFactory(AgendaItemFactory, kind=AgendaKind.PRESENTATION)
    title = factory.Sequence(lambda n: f"Presentation {n}")
    abstract = "What the presentation covers."


class PresentationSpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PresentationSpeaker

    presentation = factory.SubFactory(PresentationFactory)
    speaker = factory.SubFactory(SpeakerFactory)


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    event = factory.SubFactory(EventFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Theme {n}")
    description = "A breakout discussion theme."


class BreakoutSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BreakoutSession

    theme = factory.SubFactory(ThemeFactory)
    agenda_item = factory.SubFactory(
        BreakoutRoundFactory, event=factory.SelfAttribute("..theme.event")
    )
    capacity = 20
    facilitator = "A. Facilitator"


class BreakoutChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BreakoutChoice

    session = factory.SubFactory(BreakoutSessionFactory)
    delegate = factory.SubFactory(
        DelegateFactory, event=factory.SelfAttribute("..session.theme.event")
    )
    status = ChoiceStatus.CONFIRMED


class RankedEventFactory(EventFactory):
    """Breakout places given by ranked preferences, allocated in ten days."""

    breakout_allocation = BreakoutAllocation.RANKED
    breakout_allocation_on = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=10))


class BreakoutPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BreakoutPreference

    session = factory.SubFactory(
        BreakoutSessionFactory, theme__event=factory.SubFactory(RankedEventFactory)
    )
    delegate = factory.SubFactory(
        DelegateFactory, event=factory.SelfAttribute("..session.theme.event")
    )
    rank = 1


class AllocationRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AllocationRun

    event = factory.SubFactory(RankedEventFactory)
    seed = 1


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "partners.Network"

    name = factory.Sequence(lambda n: f"Partner network {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "partners.Organisation"

    name = factory.Sequence(lambda n: f"Partner organisation {n}")
    sector = Sector.VCSE


class AffiliationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "partners.Affiliation"

    delegate = factory.SubFactory(DelegateFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    matched_by = "name"


class PartnerLeadFactory(factory.django.DjangoModelFactory):
    """A lead for an organisation (pass network=… and organisation=None for a network's)."""

    class Meta:
        model = "partners.PartnerLead"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Partner lead {n}")
    email = factory.Sequence(lambda n: f"lead{n}@example.org")
    organisation = factory.SubFactory(OrganisationFactory)
    network = None

    @factory.post_generation
    def events(self, create, extracted, **kwargs):
        if create and extracted:
            self.events.add(*extracted)
