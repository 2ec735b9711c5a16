"""Signal receivers: a change to anything the public pages show from organisers' data
starts a new version of the page cache (symposium.page_cache)."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from symposium import page_cache
from symposium.models import AgendaItem, Delegate, Event, Room


def public_content_changed(sender, **kwargs):
    page_cache.content_changed()


def live_state_changed(sender, **kwargs):
    page_cache.places_changed()


def watch(*, live=(), published=()):
    """Registrations (`live`: Delegate, BreakoutChoice) only change the pages that show
    places left or "full": registering never empties the rest of the page cache. Any
    change to a `published` model does. The apps whose models the public pages show
    call this when they are ready."""
    for model in live:
        uid = f"live-state-{model._meta.label_lower}"
        post_save.connect(live_state_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(live_state_changed, sender=model, dispatch_uid=f"{uid}-delete")
    for model in published:
        uid = f"page-cache-{model._meta.label_lower}"
        post_save.connect(public_content_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(public_content_changed, sender=model, dispatch_uid=f"{uid}-delete")


def watch_m2m(through, *, dispatch_uid):
    m2m_changed.connect(public_content_changed, sender=through, dispatch_uid=dispatch_uid)


def connect():
    watch(live=[Delegate], published=[Event, Room, AgendaItem])
