import datetime as dt
import os
import re
import subprocess
import sys
from io import StringIO
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from breakouts.models import BreakoutChoice, BreakoutSession, Theme
from breakouts.selectors import sessions_with_places
from registration import emails
from speakers.models import Presentation, Speaker
from symposium.enums import AgendaKind, RegistrationStatus, Sector
from symposium.models import AgendaItem, Delegate, DelegateNeeds, Event

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
SLUG = "kent-medway-symposium"
ROOT = Path(__file__).resolve().parents[2]


def load(*args):
    out = StringIO()
    call_command("loaddemo", *args, stdout=out)
    return out.getvalue()


def model_counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def local_time(value):
    return timezone.localtime(value, LONDON).strftime("%H:%M")


@pytest.fixture(autouse=True)
def _no_demo_password_in_environment(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


@pytest.fixture
def event():
    load()
    return Event.objects.get(slug=SLUG)


def item_titled(event, title):
    return AgendaItem.objects.get(event=event, title=title)


def speakers_of(presentation):
    return [
        (b.speaker.name, b.speaker.role, b.speaker.organisation)
        for b in presentation.speaker_bookings.select_related("speaker")
    ]


def test_loaddemo_twice_keeps_every_count_the_same(settings):
    load()
    first = model_counts()
    files = sorted(p.name for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())
    load()
    assert model_counts() == first
    assert sorted(p.name for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()) == files
    assert first["symposium.Event"] == 1
    assert first["symposium.Room"] == 6
    assert first["symposium.Delegate"] == 60
    assert first["speakers.Speaker"] == 11
    assert first["breakouts.Theme"] == 5
    assert first["breakouts.BreakoutSession"] == 5


def test_loaddemo_creates_the_published_event_in_canterbury(event):
    assert event.name == "Kent and Medway Integrated Care System Symposium"
    assert event.is_published is True
    assert "Canterbury" in event.venue_name
    assert "Canterbury" in event.venue_address
    # A Thursday about six months ahead, with registration open now and until a week
    # before, whenever the demo is loaded.
    today = timezone.localdate()
    assert event.starts_on == event.ends_on
    assert event.starts_on.weekday() == 3
    assert 26 * 7 <= (event.starts_on - today).days < 27 * 7
    assert event.registration_opens_at <= timezone.now() < event.registration_closes_at
    closes = timezone.localtime(event.registration_closes_at, LONDON)
    assert closes.date() == event.starts_on - dt.timedelta(days=7)
    assert event.delegate_capacity == 250
    assert event.contact_email.endswith("@example.org")
    assert "Kent Police" in event.audience
    assert "VCSE" in event.audience
    assert event.privacy_notice
    assert event.accessibility_statement


def test_loaddemo_rooms_are_a_main_hall_and_five_breakout_rooms(event):
    rooms = list(event.rooms.order_by("name").values_list("name", "capacity"))
    assert rooms[0] == ("Breakout room 1", 50)
    assert [name for name, _ in rooms] == [
        "Breakout room 1",
        "Breakout room 2",
        "Breakout room 3",
        "Breakout room 4",
        "Breakout room 5",
        "Main hall",
    ]
    assert rooms[-1] == ("Main hall", 300)
    assert all(room.access_notes for room in event.rooms.all())


def test_loaddemo_agenda_runs_in_order(event):
    agenda = [(local_time(i.starts_at), i.kind) for i in event.agenda_items.order_by("starts_at")]
    assert agenda == [
        ("08:45", AgendaKind.BREAK),
        ("09:30", AgendaKind.PLENARY),
        ("09:50", AgendaKind.PRESENTATION),
        ("10:20", AgendaKind.PRESENTATION),
        ("11:10", AgendaKind.BREAK),
        ("11:30", AgendaKind.FILM),
        ("11:50", AgendaKind.PRESENTATION),
        ("12:30", AgendaKind.BREAK),
        ("13:15", AgendaKind.PLENARY),
        ("14:00", AgendaKind.BREAKOUT_ROUND),
        ("15:30", AgendaKind.PLENARY),
    ]


def test_loaddemo_plenaries_are_in_the_main_hall(event):
    rooms = set(event.agenda_items.filter(kind=AgendaKind.PLENARY).values_list("room__name"))
    assert rooms == {("Main hall",)}
    assert item_titled(event, "Breakout discussions").room is None


def test_loaddemo_no_two_items_overlap_in_a_room(event):
    for room in event.rooms.all():
        items = list(room.agenda_items.order_by("starts_at"))
        for earlier, later in pairwise(items):
            assert earlier.ends_at <= later.starts_at


def test_loaddemo_paul_bentley_opens_the_symposium(event):
    paul = Speaker.objects.get(slug="paul-bentley")
    assert (paul.role, paul.organisation) == ("Chief Executive", "NHS Kent and Medway")
    opening = item_titled(event, "Welcome and opening")
    assert opening.kind == AgendaKind.PLENARY
    assert "We are our best when we learn together" in opening.description
    assert speakers_of(opening.presentations.get()) == [
        ("Paul Bentley", "Chief Executive", "NHS Kent and Medway")
    ]


def test_loaddemo_tracey_harman_speaks_on_mental_health_crisis(event):
    item = item_titled(event, "Right care, right person: supporting people in mental health crisis")
    assert item.kind == AgendaKind.PRESENTATION
    assert "section 136" in item.description
    assert "60 per cent" in item.description
    assert speakers_of(item.presentations.get()) == [
        ("Tracey Harman", "Assistant Chief Constable", "Kent Police")
    ]


def test_loaddemo_council_presentations_are_in_order(event):
    item = item_titled(event, "Making a difference in communities: district council presentations")
    talks = list(item.presentations.order_by("order"))
    assert [(t.title, speakers_of(t)[0][0]) for t in talks] == [
        ("Community-based projects in Dover", "Dover District Council"),
        ("Showcasing the Sevenoaks website", "Sevenoaks District Council"),
        ("Improving mental wellbeing for children in Medway", "Medway Council"),
        (
            "A community-based health prevention service linked to a housing scheme in Ashford",
            "Ashford Borough Council",
        ),
    ]
    assert speakers_of(talks[0])[0][1] == "Community projects team"


def test_loaddemo_shows_two_films(event):
    item = event.agenda_items.get(kind=AgendaKind.FILM)
    films = list(item.presentations.order_by("order"))
    assert [(f.title, f.kind) for f in films] == [
        ("Improving children's health on Isle of Sheppey", "film"),
        ("Hope Community Arts Fund exhibition", "film"),
    ]
    assert [speakers_of(f)[0][0] for f in films] == [
        "Medway and Swale Health and Care Partnership",
        "Kent and Medway Suicide Prevention Team",
    ]


def test_loaddemo_strategy_has_both_public_health_directors(event):
    item = item_titled(event, "Kent and Medway's Integrated Care Strategy")
    assert speakers_of(item.presentations.get()) == [
        ("James Williams", "Director of Public Health", "Medway Council"),
        ("Anjan Ghosh", "Director of Public Health", "Kent County Council"),
    ]


def test_loaddemo_hilary_cottam_is_the_guest_speaker(event):
    item = item_titled(event, "Be brave")
    assert "Tell a new story." in item.description
    talk = Presentation.objects.get(speakers__slug="hilary-cottam")
    assert talk.agenda_item == item
    assert talk.kind == "keynote"


def test_loaddemo_creates_the_five_themes_each_with_a_session(event):
    themes = list(Theme.objects.filter(event=event).values_list("number", "title"))
    assert themes == [
        (1, "Developing a healthier economy and population"),
        (
            2,
            "From volunteer to career – how to grow the next generation of health and "
            "social care professionals",
        ),
        (3, "Giving children and young people the best start in life"),
        (4, "Working alongside the VCSE as part of an effective integrated care system"),
        (5, "Health and housing"),
    ]
    breakout_round = event.agenda_items.get(kind=AgendaKind.BREAKOUT_ROUND)
    for theme in Theme.objects.filter(event=event):
        session = theme.sessions.get()
        assert theme.description
        assert session.agenda_item == breakout_round
        assert session.capacity > 0
        assert session.facilitator
        assert session.room.name == f"Breakout room {theme.number}"


def test_loaddemo_fills_one_session_with_two_on_its_waitlist(event):
    sessions = sessions_with_places(BreakoutSession.objects.filter(theme__event=event))
    places = {s.theme.number: (s.capacity, s.places_taken, s.waitlist_length) for s in sessions}
    assert places[5] == (20, 20, 2)
    for number in (1, 2, 3, 4):
        capacity, taken, waiting = places[number]
        assert 0 < taken < capacity
        assert waiting == 0


def test_loaddemo_delegates_span_every_sector(event):
    delegates = Delegate.objects.filter(event=event)
    assert set(delegates.values_list("sector", flat=True)) == set(Sector.values)
    assert all(
        email.endswith("@example.org") for email in delegates.values_list("email", flat=True)
    )
    assert all(delegate.full_name.startswith("Sample Delegate ") for delegate in delegates)
    assert not delegates.filter(privacy_consent_at__isnull=True).exists()
    assert not delegates.filter(status=RegistrationStatus.WAITLISTED).exists()
    cancelled = delegates.filter(status=RegistrationStatus.CANCELLED)
    assert cancelled.count() == 3
    assert not cancelled.filter(cancelled_at__isnull=True).exists()
    assert DelegateNeeds.objects.filter(delegate__event=event).count() == 10


def test_loaddemo_every_speaker_has_a_photo_and_thumbnail(event):
    for speaker in Speaker.objects.all():
        assert speaker.photo.storage.exists(speaker.photo.name)
        assert speaker.photo_thumbnail.storage.exists(speaker.photo_thumbnail.name)
        assert speaker.biography


def admin_login(client, password, username="organiser"):
    """Sign in through the admin's own form, as a person does (django-axes watches it)."""
    response = client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}
    )
    return response.status_code == 302 and response["Location"] == "/admin/"


def test_loaddemo_organiser_can_log_in_and_is_not_a_superuser(event, client):
    organiser = get_user_model().objects.get(username="organiser")
    assert admin_login(client, "symposium-demo") is True
    assert organiser.is_staff is True
    assert organiser.is_superuser is False
    assert list(organiser.groups.values_list("name", flat=True)) == ["Organisers"]


def test_loaddemo_password_option_beats_environment(client, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "from-the-environment")
    load("--password", "from-the-option")
    assert admin_login(client, "from-the-option") is True


def test_loaddemo_password_from_environment(client, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "from-the-environment")
    output = load()
    assert admin_login(client, "from-the-environment") is True
    assert "password: from-the-environment" in output


def test_loaddemo_prints_the_login_and_public_urls():
    output = load()
    assert "http://127.0.0.1:8000/admin/" in output
    assert "username: organiser" in output
    assert "password: symposium-demo" in output
    assert "http://127.0.0.1:8000/events/kent-medway-symposium/" in output


# Running it again, and the demo's own consistency ------------------------------------


def waitlisted_with_places(event):
    """Delegates waiting for the event while it has places, and breakout choices waiting
    for a session that has places: none should exist."""
    confirmed = Delegate.objects.filter(event=event).confirmed().count()
    problems = []
    if confirmed < event.delegate_capacity:
        waiting = Delegate.objects.filter(event=event, status=RegistrationStatus.WAITLISTED)
        problems += [f"{d.email} waits with {confirmed}/{event.delegate_capacity}" for d in waiting]
    for session in sessions_with_places(BreakoutSession.objects.filter(theme__event=event)):
        if session.waitlist_length and session.places_taken < session.capacity:
            problems.append(
                f"theme {session.theme.number}: {session.waitlist_length} waiting with "
                f"{session.places_taken}/{session.capacity} places taken"
            )
    return problems


def test_loaddemo_waitlists_only_what_is_full(event):
    assert waitlisted_with_places(event) == []
    assert BreakoutChoice.objects.filter(session__theme__number=5, status="waitlisted").count()


def test_loaddemo_registers_missing_delegates_as_the_portal_would(event):
    """Organisers made the event smaller and cleared its delegates: loading again
    registers the sample delegates into the places there are now, the rest wait."""
    Delegate.objects.filter(event=event).delete()
    Event.objects.filter(pk=event.pk).update(delegate_capacity=10)
    BreakoutSession.objects.filter(theme__event=event).update(capacity=3)
    load()
    event.refresh_from_db()

    assert waitlisted_with_places(event) == []
    delegates = Delegate.objects.filter(event=event)
    assert delegates.confirmed().count() == 10
    assert delegates.filter(status=RegistrationStatus.WAITLISTED).count() == 60 - 10 - 3
    # A delegate waiting for the event holds no breakout place.
    assert not BreakoutChoice.objects.exclude(delegate__status=RegistrationStatus.CONFIRMED)


def test_loaddemo_again_keeps_organisers_edits(event, client):
    load()
    counts = model_counts()
    Event.objects.filter(pk=event.pk).update(name="Kent and Medway Symposium 2027")
    Speaker.objects.filter(slug="paul-bentley").update(biography="Edited by an organiser.")
    Theme.objects.filter(event=event, number=2).update(title="Growing our workforce")
    session = BreakoutSession.objects.get(theme__event=event, theme__number=1)
    BreakoutSession.objects.filter(pk=session.pk).update(capacity=session.capacity + 5)
    organiser = get_user_model().objects.get(username="organiser")
    organiser.set_password("the-organisers-own")
    organiser.save()

    output = load()

    assert model_counts() == counts
    assert Event.objects.get(pk=event.pk).name == "Kent and Medway Symposium 2027"
    assert Speaker.objects.get(slug="paul-bentley").biography == "Edited by an organiser."
    assert Theme.objects.get(event=event, number=2).title == "Growing our workforce"
    assert BreakoutSession.objects.get(pk=session.pk).capacity == session.capacity + 5
    assert admin_login(client, "the-organisers-own") is True
    assert "password: the one you set" in output


def test_loaddemo_adds_what_is_missing(event):
    counts = model_counts()
    Speaker.objects.filter(slug="hilary-cottam").delete()
    item_titled(event, "Be brave").delete()
    Delegate.objects.filter(event=event, email="sample.delegate.01@example.org").delete()
    load()
    assert model_counts() == counts
    talk = Presentation.objects.get(speakers__slug="hilary-cottam")
    assert talk.agenda_item == item_titled(event, "Be brave")
    assert Delegate.objects.get(email="sample.delegate.01@example.org").breakout_choices.get()


# The port: `make demo PORT=8301` -----------------------------------------------------


def demo_settings_site_url(**env):
    environment = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "HOST", "PORT"}}
    environment |= {"DEBUG": "true", "DJANGO_SETTINGS_MODULE": "symposium.settings", **env}
    environment.pop("REDIS_URL", None)
    code = "from django.conf import settings; print(settings.SITE_URL)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_site_url_follows_host_and_port_unless_set():
    assert demo_settings_site_url() == "http://127.0.0.1:8000"
    assert demo_settings_site_url(PORT="8301") == "http://127.0.0.1:8301"
    assert demo_settings_site_url(HOST="localhost", PORT="8301") == "http://localhost:8301"
    assert (
        demo_settings_site_url(PORT="8301", SITE_URL="https://symposium.example.org/")
        == "https://symposium.example.org"
    )


def test_make_demo_passes_host_and_port_to_every_step():
    result = subprocess.run(
        ["make", "--dry-run", "--always-make", "demo", "PORT=8301"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    steps = [line for line in result.stdout.splitlines() if "manage.py" in line]
    # One shell line per step, inside scripts/embedded_pg.py (PostgreSQL of its own).
    assert [re.search(r"manage\.py ([^&']+)", step)[1].strip() for step in steps] == [
        "migrate --noinput",
        "loaddemo",
        "rundemo 127.0.0.1:8301",  # runserver, with a task worker on PostgreSQL
    ]
    assert all("HOST=127.0.0.1 PORT=8301" in step for step in steps)


def test_loaddemo_prints_the_admin_address_and_emails_links_on_the_demo_port(settings):
    settings.SITE_URL = "http://127.0.0.1:8301"  # what PORT=8301 makes of it
    output = load()
    assert "Organiser login: http://127.0.0.1:8301/admin/" in output
    delegate = Delegate.objects.confirmed().first()
    assert emails.manage_url(delegate).startswith("http://127.0.0.1:8301/events/")


def test_loaddemo_ships_the_partners_the_seeds_name_and_affiliates_delegates(event):
    from partners.models import Network, Organisation
    from partners.selectors import to_match

    names = set(Organisation.objects.current().values_list("name", flat=True))
    assert {
        "NHS Kent and Medway",
        "Kent County Council",
        "Medway Council",
        "Kent Police",
        "Healthwatch Kent",
        "Healthwatch Medway",
        "Dads Unlimited",
        "Rising Sun",
        "Dover District Council",
        "Sevenoaks District Council",
        "Ashford Borough Council",
    } <= names
    assert (
        sum(
            name.endswith(("District Council", "Borough Council", "City Council")) for name in names
        )
        == 12
    )
    assert set(Network.objects.values_list("name", flat=True)) == {
        "Kent and Medway Better Mental Health Network",
        "Kent and Medway Suicide Prevention Network",
    }
    police = Organisation.objects.get(name="Kent Police")
    assert police.networks.count() == 2
    assert police.affiliations.count() == 6
    assert set(police.affiliations.values_list("delegate__sector", flat=True)) == {Sector.POLICE}
    delegates = Delegate.objects.filter(event=event)
    assert delegates.filter(affiliation__isnull=False).count() == 60 - 14
    # What the directory does not know waits for an organiser, as typed.
    assert {u.name for u in to_match(event=event)} == {
        "University of Kent",
        "Canterbury Christ Church University",
        "Example Homes Housing Association",
        "Office for Health Improvement and Disparities",
        "Kent and Medway Suicide Prevention Network",
        "Better Mental Health Network",
    }
