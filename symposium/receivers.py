"""Signal receivers: a change to anything the public pages show from organisers' data
starts a new version of the page cache (symposium.page_cache)."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from breakouts.models import BreakoutChoice, BreakoutSession, Theme
from speakers.models import Presentation, PresentationSpeaker, Speaker
from symposium import page_cache
from symposium.models import AgendaItem, Delegate, Event, Room

# Registrations (Delegate, BreakoutChoice) only change the pages that show places left
# or "full": registering never empties the rest of the page cache.
LIVE_MODELS = [Delegate, BreakoutChoice]
PUBLISHED_MODELS = [
    Event,
    Room,
    AgendaItem,
    Speaker,
    Presentation,
    PresentationSpeaker,
    Theme,
    BreakoutSession,
]


def public_content_changed(sender, **kwargs):
    page_cache.content_changed()


def live_state_changed(sender, **kwargs):
    page_cache.places_changed()


def connect():
    for model in LIVE_MODELS:
        uid = f"live-state-{model._meta.label_lower}"
        post_save.connect(live_state_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(live_state_changed, sender=model, dispatch_uid=f"{uid}-delete")
    for model in PUBLISHED_MODELS:
        uid = f"page-cache-{model._meta.label_lower}"
        post_save.connect(public_content_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(public_content_changed, sender=model, dispatch_uid=f"{uid}-delete")
    m2m_changed.connect(
        public_content_changed,
        sender=Presentation.speakers.through,
        dispatch_uid="page-cache-presentation-speakers",
    )
