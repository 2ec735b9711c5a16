"""`manage.py loaddemo`: the Kent and Medway ICS symposium, ready to click through.

Running it again updates what it made instead of adding duplicates.
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
from speakers.models import Presentation, PresentationSpeaker, Speaker
from symposium import demo
from symposium.enums import RegistrationStatus
from symposium.models import AgendaItem, Delegate, DelegateNeeds, Event, Room

LONDON = ZoneInfo("Europe/London")
PHOTO_SIZE = 480
# Dark enough for white initials to pass WCAG contrast.
PHOTO_COLOURS = ["#1d4f6e", "#2f5d50", "#5b3f7a", "#7a3b2e", "#35506b", "#4a5a23"]


def upsert(model, *, lookup, values, create_values=None):
    """`update_or_create` that calls `full_clean()` before saving, so the demo obeys the
    rules the admin enforces (no room or speaker double-booked) on SQLite too."""
    obj = model.objects.filter(**lookup).first() or model(**lookup, **(create_values or {}))
    for name, value in values.items():
        setattr(obj, name, value)
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
    facts = dict(demo.EVENT)
    facts["registration_opens_at"] = london(*facts["registration_opens_at"])
    facts["registration_closes_at"] = london(*facts["registration_closes_at"])
    slug = facts.pop("slug")
    return upsert(Event, lookup={"slug": slug}, values=facts)


def load_rooms(event):
    return {
        room["name"]: upsert(
            Room,
            lookup={"event": event, "name": room["name"]},
            values={"capacity": room["capacity"], "access_notes": room["access_notes"]},
        )
        for room in demo.ROOMS
    }


def load_speakers():
    speakers = {}
    for index, facts in enumerate(demo.SPEAKERS):
        values = {key: facts[key] for key in ("name", "role", "organisation", "biography")}
        existing = Speaker.objects.filter(slug=facts["slug"]).first()
        # Keep the photo made last time: a new one each run would pile up media files.
        if not (existing and existing.photo and existing.photo.storage.exists(existing.photo.name)):
            colour = PHOTO_COLOURS[index % len(PHOTO_COLOURS)]
            png = placeholder_photo(facts["name"], colour)
            values["photo"] = ContentFile(png, name=f"{facts['slug']}.png")
        speakers[facts["slug"]] = upsert(Speaker, lookup={"slug": facts["slug"]}, values=values)
    return speakers


def load_agenda(event, rooms, speakers):
    items = {}
    for facts in demo.AGENDA:
        item = upsert(
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
    presentation = upsert(
        Presentation,
        lookup={"agenda_item": item, "title": facts["title"]},
        values={"abstract": facts["abstract"], "kind": facts["kind"], "order": order},
    )
    for position, slug in enumerate(facts["speakers"]):
        upsert(
            PresentationSpeaker,
            lookup={"presentation": presentation, "speaker": speakers[slug]},
            values={"order": position},
        )


def load_breakouts(event, rooms, breakout_round):
    sessions = {}
    for facts in demo.THEMES:
        theme = upsert(
            Theme,
            lookup={"event": event, "number": facts["number"]},
            values={"title": facts["title"], "description": facts["description"]},
        )
        sessions[facts["number"]] = upsert(
            BreakoutSession,
            lookup={"theme": theme, "agenda_item": breakout_round},
            values={
                "room": rooms[facts["room"]],
                "capacity": facts["capacity"],
                "facilitator": facts["facilitator"],
            },
        )
    return sessions


def load_delegates(event, sessions):
    now = timezone.now()
    taken = dict.fromkeys(sessions, 0)
    for facts in demo.DELEGATES:
        cancelled = facts["status"] == RegistrationStatus.CANCELLED
        delegate = upsert(
            Delegate,
            lookup={"event": event, "email": facts["email"]},
            values={
                key: facts[key]
                for key in (
                    "first_name",
                    "last_name",
                    "organisation",
                    "sector",
                    "job_title",
                    "status",
                )
            },
            create_values={"privacy_consent_at": now, "cancelled_at": now if cancelled else None},
        )
        if facts["needs"]:
            upsert(
                DelegateNeeds,
                lookup={"delegate": delegate},
                values=facts["needs"],
                create_values={"consented_at": now},
            )
        if facts["theme"] and facts["status"] == RegistrationStatus.CONFIRMED:
            session = sessions[facts["theme"]]
            full = taken[facts["theme"]] >= session.capacity
            taken[facts["theme"]] += 1
            upsert(
                BreakoutChoice,
                lookup={"delegate": delegate, "agenda_item": session.agenda_item},
                values={
                    "session": session,
                    "status": ChoiceStatus.WAITLISTED if full else ChoiceStatus.CONFIRMED,
                },
            )


def load_organiser(password):
    user, _ = get_user_model().objects.get_or_create(
        username=demo.ORGANISER_USERNAME, defaults={"email": demo.ORGANISER_EMAIL}
    )
    user.is_staff, user.is_superuser, user.is_active = True, False, True
    user.set_password(password)
    user.save()
    # Another migration gives the group its permissions; here it only has to exist.
    group, _ = Group.objects.get_or_create(name=demo.ORGANISERS_GROUP)
    user.groups.add(group)
    return user


@transaction.atomic
def load_demo(*, password: str) -> Event:
    """Create or update the demo symposium and the organiser login.

    Side effects: writes the event, its rooms, agenda, speakers (with placeholder photos
    saved to media storage), presentations, themes, breakout sessions, 60 sample
    delegates with some needs and breakout choices, and the `organiser` user, whose
    password is reset to `password`.
    """
    event = load_event()
    rooms = load_rooms(event)
    speakers = load_speakers()
    items = load_agenda(event, rooms, speakers)
    sessions = load_breakouts(event, rooms, items[demo.BREAKOUT_ROUND_TITLE])
    load_delegates(event, sessions)
    load_organiser(password)
    return event


class Command(BaseCommand):
    help = "Load the Kent and Medway ICS symposium demo (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help="Password for the 'organiser' login (default: $DEMO_PASSWORD, else "
            f"'{demo.DEFAULT_PASSWORD}').",
        )

    def handle(self, *args, **options):
        password = options["password"] or os.environ.get("DEMO_PASSWORD") or demo.DEFAULT_PASSWORD
        event = load_demo(password=password)
        site = settings.SITE_URL
        self.stdout.write(self.style.SUCCESS(f"Loaded “{event.name}”."))
        self.stdout.write(f"Organiser login: {site}{reverse('admin:index')}")
        self.stdout.write(f"  username: {demo.ORGANISER_USERNAME}")
        self.stdout.write(f"  password: {password}")
        self.stdout.write(f"Public site: {site}{event.get_absolute_url()}")
