"""`manage.py loaddemo`: the Kent and Medway ICS symposium, ready to click through.

Running it again adds what is missing and changes nothing that exists, so an organiser's
edits survive `make demo`. Rows are matched by what names them: the event by its slug,
rooms and agenda items by name and title, speakers by slug, themes by number, sessions by
theme and round, delegates by email. A row whose name was edited counts as missing.
"""

import datetime as dt
import os
from io import BytesIO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice, BreakoutSession, Theme
from breakouts.services import places_taken
from demo import data as demo
from outcomes.models import Action, Pledge, SessionOutcome
from partners.models import Network, Organisation, OrganisationAlias
from partners.services import find_organisation, match_registration
from registration.services import event_is_full
from speakers.models import Presentation, PresentationSpeaker, Speaker
from symposium import teams
from symposium.enums import RegistrationStatus
from symposium.models import AgendaItem, Delegate, DelegateNeeds, Event, Room

LONDON = ZoneInfo("Europe/London")
PHOTO_SIZE = 480
# Dark enough for white initials to pass WCAG contrast.
PHOTO_COLOURS = ["#1d4f6e", "#2f5d50", "#5b3f7a", "#7a3b2e", "#35506b", "#4a5a23"]


def ensure(model, *, lookup, values):
    """`get_or_create` that calls `full_clean()` before creating, so the demo obeys the
    rules the admin enforces (no room or speaker double-booked) on SQLite too. What
    exists is returned as it is: the organiser may have changed it."""
    existing = model.objects.filter(**lookup).first()
    if existing is not None:
        return existing
    obj = model(**lookup, **values)
    obj.full_clean()
    obj.save()
    return obj


def london(day, time):
    return dt.datetime.combine(day, time, tzinfo=LONDON)


def placeholder_photo(name, colour):
    """A square PNG with the speaker's initials: the demo has no real photographs."""
    initials = "".join(word[0] for word in name.split() if word[0].isupper())[:3]
    image = Image.new("RGB", (PHOTO_SIZE, PHOTO_SIZE), colour)
    font = ImageFont.load_default(size=PHOTO_SIZE // 3)
    centre = (PHOTO_SIZE // 2, PHOTO_SIZE // 2)
    ImageDraw.Draw(image).text(centre, initials, fill="white", font=font, anchor="mm")
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def load_event():
    facts = demo.EVENT | demo.event_dates(timezone.localdate())
    facts["registration_opens_at"] = london(*facts["registration_opens_at"])
    facts["registration_closes_at"] = london(*facts["registration_closes_at"])
    slug = facts.pop("slug")
    return ensure(Event, lookup={"slug": slug}, values=facts)


def load_rooms(event):
    return {
        room["name"]: ensure(
            Room,
            lookup={"event": event, "name": room["name"]},
            values={"capacity": room["capacity"], "access_notes": room["access_notes"]},
        )
        for room in demo.ROOMS
    }


def load_speakers():
    speakers = {}
    for index, facts in enumerate(demo.SPEAKERS):
        slug = facts["slug"]
        # A photo only for a new speaker: one per run would pile up media files.
        speakers[slug] = Speaker.objects.filter(slug=slug).first() or ensure(
            Speaker, lookup={"slug": slug}, values=speaker_values(index, facts)
        )
    return speakers


def speaker_values(index, facts):
    values = {key: facts[key] for key in ("name", "role", "organisation", "biography")}
    png = placeholder_photo(facts["name"], PHOTO_COLOURS[index % len(PHOTO_COLOURS)])
    return values | {"photo": ContentFile(png, name=f"{facts['slug']}.png")}


def load_agenda(event, rooms, speakers):
    items = {}
    for facts in demo.AGENDA:
        item = ensure(
            AgendaItem,
            lookup={"event": event, "title": facts["title"]},
            values={
                "starts_at": london(event.starts_on, dt.time.fromisoformat(facts["starts"])),
                "ends_at": london(event.starts_on, dt.time.fromisoformat(facts["ends"])),
                "room": rooms[facts["room"]] if facts["room"] else None,
                "kind": facts["kind"],
                "description": facts["description"],
            },
        )
        for order, talk in enumerate(facts["presentations"], start=1):
            load_presentation(item, order, talk, speakers)
        items[facts["title"]] = item
    return items


def load_presentation(item, order, facts, speakers):
    presentation = ensure(
        Presentation,
        lookup={"agenda_item": item, "title": facts["title"]},
        values={"abstract": facts["abstract"], "kind": facts["kind"], "order": order},
    )
    for position, slug in enumerate(facts["speakers"]):
        ensure(
            PresentationSpeaker,
            lookup={"presentation": presentation, "speaker": speakers[slug]},
            values={"order": position},
        )


def load_breakouts(event, rooms, breakout_round):
    sessions = {}
    for facts in demo.THEMES:
        theme = ensure(
            Theme,
            lookup={"event": event, "number": facts["number"]},
            values={"title": facts["title"], "description": facts["description"]},
        )
        sessions[facts["number"]] = ensure(
            BreakoutSession,
            lookup={"theme": theme, "agenda_item": breakout_round},
            values={
                "room": rooms[facts["room"]],
                "capacity": facts["capacity"],
                "facilitator": facts["facilitator"],
            },
        )
    return sessions


def load_partners():
    """The directory's networks and organisations, each only if missing (an
    organisation by any of its names, so one an organiser renamed or merged stays)."""
    networks = {
        facts["name"]: ensure(Network, lookup={"name": facts["name"]}, values={"website": ""})
        for facts in demo.PARTNER_NETWORKS
    }
    for facts in demo.PARTNERS:
        if find_organisation(facts["name"]) is not None:
            continue
        organisation = Organisation(
            name=facts["name"], sector=facts["sector"], website=facts["website"]
        )
        organisation.full_clean(exclude=["name_key"])
        organisation.save()
        organisation.networks.add(*(networks[name] for name in facts["networks"]))
        for alias in facts["aliases"]:
            if find_organisation(alias) is None:
                OrganisationAlias.objects.create(organisation=organisation, name=alias)


def load_delegates(event, sessions):
    """Each missing delegate registers as the portal would register them now: a place
    while the event has one, else the waitlist; likewise in their breakout; and,
    typing an organisation the directory knows, affiliated with it. A delegate already
    there is left as the organiser or the delegate left them."""
    for facts in demo.DELEGATES:
        if not Delegate.objects.filter(event=event).with_email(facts["email"]).exists():
            delegate = load_delegate(
                event, facts, sessions[facts["theme"]] if facts["theme"] else None
            )
            match_registration(delegate=delegate)


def load_delegate(event, facts, session):
    now = timezone.now()
    cancelled = facts["status"] == RegistrationStatus.CANCELLED
    if cancelled:
        status = RegistrationStatus.CANCELLED
    elif event_is_full(event=event):
        status = RegistrationStatus.WAITLISTED
    else:
        status = RegistrationStatus.CONFIRMED
    names = ("first_name", "last_name", "organisation", "sector", "job_title")
    details = {key: facts[key] for key in names}
    delegate = ensure(
        Delegate,
        lookup={"event": event, "email": facts["email"]},
        values=details
        | {"status": status, "privacy_consent_at": now, "cancelled_at": now if cancelled else None},
    )
    if facts["needs"]:
        ensure(
            DelegateNeeds,
            lookup={"delegate": delegate},
            values=facts["needs"] | {"consented_at": now},
        )
    if session and status == RegistrationStatus.CONFIRMED:
        has_room = places_taken(session=session) < session.capacity
        ensure(
            BreakoutChoice,
            lookup={"delegate": delegate, "agenda_item": session.agenda_item},
            values={
                "session": session,
                "status": ChoiceStatus.CONFIRMED if has_room else ChoiceStatus.WAITLISTED,
            },
        )
    return delegate


def load_outcomes(event, sessions):
    """A few sessions' outcomes (demo.OUTCOMES): published ones show on the public
    outcomes page, one waits for review. A session that has outcomes keeps them as the
    organiser or the facilitator left them."""
    for facts in demo.OUTCOMES:
        session = sessions[facts["theme"]]
        if SessionOutcome.objects.filter(session=session).exists():
            continue
        now = timezone.now()
        published = facts["status"] == demo.PUBLISHED
        outcome = SessionOutcome.objects.create(
            session=session,
            facilitator_email=facts["facilitator_email"],
            key_points=facts["key_points"],
            status=facts["status"],
            submitted_at=now,
            published_at=now if published else None,
        )
        for description, owner, days, may_name in facts["actions"]:
            Action.objects.create(
                outcome=outcome,
                description=description,
                organisation=find_organisation(owner),
                organisation_name=owner,
                may_name_organisation=may_name,
                due_on=event.ends_on + dt.timedelta(days=days),
            )
        for text, owner, may_name in facts["pledges"]:
            Pledge.objects.create(
                outcome=outcome,
                text=text,
                organisation=find_organisation(owner),
                organisation_name=owner,
                may_name_organisation=may_name,
            )


def load_organiser(password):
    """The organiser login, made with `password` (the demo's own unless given). An
    existing login keeps its password unless one is given: it may be the organiser's."""
    user, created = get_user_model().objects.get_or_create(
        username=demo.ORGANISER_USERNAME,
        defaults={"email": demo.ORGANISER_EMAIL, "is_staff": True, "is_superuser": False},
    )
    if created or password:
        user.set_password(password or demo.DEFAULT_PASSWORD)
        user.save()
    if created:
        # Another migration gives the group its permissions; here it only has to exist.
        group, _ = Group.objects.get_or_create(name=demo.ORGANISERS_GROUP)
        user.groups.add(group)
        # The demo's organiser runs every event (symposium.teams).
        teams.all_events_team().members.add(user)
    return user


@transaction.atomic
def load_demo(*, password: str | None = None) -> Event:
    """Create what is missing of the demo symposium and the organiser login.

    Side effects: creates the event, its rooms, agenda, speakers (with placeholder photos
    saved to media storage), presentations, themes, breakout sessions, the partner
    directory (networks, organisations, their other names), 60 sample delegates with
    some needs and breakout choices (affiliated when the directory knows their
    organisation), three sessions' outcomes (two published), and the `organiser` user, each only
    if missing; sets the organiser's password when it creates the user or when
    `password` is given. Changes nothing that exists.
    """
    event = load_event()
    rooms = load_rooms(event)
    speakers = load_speakers()
    items = load_agenda(event, rooms, speakers)
    sessions = load_breakouts(event, rooms, items[demo.BREAKOUT_ROUND_TITLE])
    load_partners()
    load_delegates(event, sessions)
    load_outcomes(event, sessions)
    load_organiser(password)
    return event


class Command(BaseCommand):
    help = "Load the Kent and Medway ICS symposium demo (run again, it keeps your edits)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help="Password for the 'organiser' login (default: $DEMO_PASSWORD, else "
            f"'{demo.DEFAULT_PASSWORD}').",
        )

    def handle(self, *args, **options):
        password = options["password"] or os.environ.get("DEMO_PASSWORD")
        event = load_demo(password=password)
        site = settings.SITE_URL
        self.stdout.write(self.style.SUCCESS(f"Loaded “{event.name}”."))
        self.stdout.write(f"Organiser login: {site}{reverse('admin:index')}")
        self.stdout.write(f"  username: {demo.ORGANISER_USERNAME}")
        self.stdout.write(f"  password: {password or shown_password()}")
        self.stdout.write(f"Public site: {site}{event.get_absolute_url()}")


def shown_password():
    organiser = get_user_model().objects.get(username=demo.ORGANISER_USERNAME)
    if organiser.check_password(demo.DEFAULT_PASSWORD):
        return demo.DEFAULT_PASSWORD
    return "the one you set (--password or DEMO_PASSWORD sets another)"
