"""What every public page of an event shares: the event it is about, the page cache,
and the preview staff see of an unpublished event.

Staff see an unpublished event's public pages, marked as a preview. A preview is never
stored in the public page cache (the cache key does not know who is looking, and the
event is not public): it is rendered on every request and sent with no-cache headers.
"""

from django.contrib.messages import get_messages
from django.http import Http404
from django.utils.cache import add_never_cache_headers
from django.utils.functional import cached_property

from symposium import page_cache, selectors
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


class EventPageMixin:
    """Finds the published event named in the URL once (404 for unknown or unpublished
    events) and gives the template `event` and `nav`, which base.html uses."""

    nav = ""
    event_slug_kwarg = "event_slug"
    # Staff looking at an unpublished event (`unpublished_event`).
    is_preview = False

    @cached_property
    def event(self):
        slug = self.kwargs[self.event_slug_kwarg]
        event = selectors.published_events().filter(slug=slug).first()
        if event is None:
            event = unpublished_event(self.request, slug)
            self.is_preview = event is not None
        if event is None:
            raise Http404("No published event has this address.")
        return event

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            event=self.event, nav=self.nav, preview=self.is_preview, **kwargs
        )


class CachedPageMixin:
    """Serves an event page from the shared cache (symposium.page_cache), keyed by its
    URL: a hit is one round trip to the cache and no query.

    `shows_places`: the page shows places left or "full", so a registration makes it
    out of date. `valid_until()`: when the page stops being true by the clock alone.
    A visitor with a message waiting (base.html shows it) gets the page rendered for
    them, so no one's message is ever stored for others. Nor is a staff preview of an
    unpublished event (`unpublished_event`): rendered on every request, not kept."""

    shows_places = False

    def valid_until(self):
        return None

    def get(self, request, *args, **kwargs):
        if get_messages(request):
            return super().get(request, *args, **kwargs)
        key = f"page:{request.path}"
        page, versions = page_cache.lookup(key)
        if page is not None:
            return page.response(request)
        response = super().get(request, *args, **kwargs)
        if self.is_preview:
            return fresh(response)
        response.render()
        if response.status_code == 200:
            page_cache.store(
                key,
                page_cache.CachedPage.of(response.content),
                versions=versions,
                shows_places=self.shows_places,
                until=self.valid_until(),
            )
        return response
