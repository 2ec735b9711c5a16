"""Staff see an unpublished event's public pages, marked as a preview.

A preview is never stored in the public page cache (the cache key does not know who
is looking, and the event is not public): it is rendered on every request and sent
with no-cache headers.
"""

from django.utils.cache import add_never_cache_headers

from symposium.models import Event

PREVIEW_PERMISSION = "symposium.view_event"


def unpublished_event(request, slug: str) -> Event | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return None
    if not user.has_perm(PREVIEW_PERMISSION):
        return None
    return Event.objects.filter(slug=slug, is_published=False).first()


def fresh(response):
    add_never_cache_headers(response)
    return response
