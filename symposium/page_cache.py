"""Public pages rendered once and served from the shared cache (Redis in production).

One key per page (its URL). A stored page carries the versions it was rendered under:
the content version, which any change organisers make to what the public pages show
starts anew, and, for pages that show places (places left, "full"), the places
version, which any change to a registration or a breakout place starts anew. A hit
reads the page and the current versions in one round trip (`lookup`) and is served
only if they still match: no query, nothing else read. A page whose content depends on
the clock (registration opens or closes) also carries the moment it stops being true.

Versions start anew once per transaction, when it commits (a page rendered from the
rows before the commit carries the versions read before it, so it is never served
after it). Single saves and deletes do this through signals (symposium.receivers);
the breakout services, which also update in bulk, call `places_changed()` themselves.
bulk_create and QuerySet.update() send no signals: code that loads data that way (the
benchmark) calls `content_changed()` and `places_changed()` itself.

Nothing that belongs to one visitor is ever stored: pages are rendered for anyone,
the CSRF token is added outside the cached part (symposium/register.html), and a
visitor with a message waiting gets the page rendered for them alone.
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string

CONTENT_KEY = "public-pages:content"
PLACES_KEY = "public-pages:places"
# Pages are dropped by a new version, not by age; the timeout only frees memory.
PAGE_TIMEOUT = 60 * 60 * 24


@dataclass(frozen=True)
class Versions:
    content: str | None
    places: str | None

    def complete(self) -> bool:
        return None not in (self.content, self.places)


@dataclass(frozen=True)
class Entry:
    """A stored value and what it was rendered under."""

    value: Any
    versions: Versions
    shows_places: bool
    until: dt.datetime | None

    def fresh(self, versions: Versions) -> bool:
        same = self.versions.content == versions.content and (
            not self.shows_places or self.versions.places == versions.places
        )
        return same and (self.until is None or timezone.now() < self.until)


def lookup(key: str) -> tuple[Any, Versions]:
    """(the stored value if still fresh, else None; the current versions), in one round
    trip. Render on a miss, then `store()` with these versions."""
    found = cache.get_many([key, CONTENT_KEY, PLACES_KEY])
    versions = Versions(found.get(CONTENT_KEY), found.get(PLACES_KEY))
    entry = found.get(key)
    if not versions.complete():
        return None, _first_versions()
    if entry is not None and entry.fresh(versions):
        return entry.value, versions
    return None, versions


def lookup_many(keys: list[str]) -> tuple[list[Any], Versions]:
    """As `lookup`, for several values kept side by side (each None unless fresh), in
    one round trip."""
    found = cache.get_many([*keys, CONTENT_KEY, PLACES_KEY])
    versions = Versions(found.get(CONTENT_KEY), found.get(PLACES_KEY))
    if not versions.complete():
        return [None] * len(keys), _first_versions()
    entries = [found.get(key) for key in keys]
    return [
        entry.value if entry is not None and entry.fresh(versions) else None for entry in entries
    ], versions


def _first_versions() -> Versions:
    """After Redis started afresh (or while it is away: then nothing is stored)."""
    cache.add(CONTENT_KEY, uuid.uuid4().hex, None)
    cache.add(PLACES_KEY, uuid.uuid4().hex, None)
    found = cache.get_many([CONTENT_KEY, PLACES_KEY])
    return Versions(found.get(CONTENT_KEY), found.get(PLACES_KEY))


def store(key, value, *, versions: Versions, shows_places: bool, until=None) -> None:
    """Keep a value rendered after `lookup()` gave these versions."""
    if versions.complete():
        cache.set(key, Entry(value, versions, shows_places, until), PAGE_TIMEOUT)


class _StartAnew:
    """The on-commit callback that starts a version anew. Robust: a cache that fails
    must not turn a committed change into an error; the failure is logged (Django's
    robust-hook logging names the callback by its `__qualname__`)."""

    def __init__(self, key: str):
        self.key, self.done = key, False
        self.__qualname__ = f"{type(self).__qualname__}({key!r})"

    def __call__(self):
        self.done = True
        cache.set(self.key, uuid.uuid4().hex, None)

    def pending_for(self, key: str) -> bool:
        return self.key == key and not self.done


def _once_on_commit(key: str) -> None:
    """One new version when the transaction commits, however many changes it makes
    (each registration saves several rows)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        isinstance(callback, _StartAnew) and callback.pending_for(key)
        for _, callback, _ in connection.run_on_commit
    ):
        return
    transaction.on_commit(_StartAnew(key), robust=True)


def content_changed() -> None:
    """Every cached public page is out of date once this transaction commits."""
    _once_on_commit(CONTENT_KEY)


def places_changed() -> None:
    """Places or registrations change: pages that show places are out of date once
    this transaction commits."""
    _once_on_commit(PLACES_KEY)


@dataclass(frozen=True)
class CachedPage:
    """A page's HTML, and the same compressed once when stored (the agenda of a large
    event is over 100 KB; compressing it on every request would cost more than the
    cache saves). Public pages carry no secret, so compression gives nothing away."""

    content: bytes
    gzipped: bytes

    @classmethod
    def of(cls, content: bytes) -> "CachedPage":
        return cls(content, compress_string(content))

    def response(self, request) -> HttpResponse:
        if "gzip" not in request.headers.get("Accept-Encoding", ""):
            response = HttpResponse(self.content)
        else:
            response = HttpResponse(self.gzipped)
            response["Content-Encoding"] = "gzip"
        patch_vary_headers(response, ("Accept-Encoding",))
        return response
