"""Signal receivers: a change to anything the public pages show from organisers' data
starts a new version of the page cache (symposium.page_cache)."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from breakouts.models import BreakoutSession, Theme
from speakers.models import Presentation, PresentationSpeaker, Speaker
from symposium import page_cache
from symposium.models import AgendaItem, Event, Room

# Registrations (Delegate, BreakoutChoice) are not here: the places and "full" they
# change are read live by each page, so registering never empties the cache.
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


def connect():
    for model in PUBLISHED_MODELS:
        uid = f"page-cache-{model._meta.label_lower}"
        post_save.connect(public_content_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(public_content_changed, sender=model, dispatch_uid=f"{uid}-delete")
    m2m_changed.connect(
        public_content_changed,
        sender=Presentation.speakers.through,
        dispatch_uid="page-cache-presentation-speakers",
    )
