"""Public pages rendered once and served from the shared cache (Redis in production).

A cached page is keyed by the page, its URL arguments, the site's content version and
what it shows that changes without an organiser saving anything (places left, whether
the event is full or registration open), so a cached page is never out of date.
Everything else on the public pages is what organisers edit; any save or delete of it,
in the admin or anywhere, starts a new content version once its transaction commits
(see symposium.receivers), which every app server sees at once through the shared cache.
The published event itself is kept under the content version (`content_value`), so a
cached page runs no query at all.

The live values themselves (`live_value`) are kept in the cache too, under a second
version that any change to a registration or a breakout place bumps: at once, and again
when its transaction commits (a page read in between may have stored what the
transaction had not yet committed). Single saves and deletes bump it through signals
(symposium.receivers); the breakout services, which also update in bulk, bump it when
they lock the sessions they change.

bulk_create and QuerySet.update() send no signals: code that loads data that way (the
benchmark) calls `content_changed()` and `live_changed()` itself.
"""

import hashlib
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string

VERSION_KEY = "public-pages:version"
LIVE_KEY = "public-pages:live"
# Every change that matters bumps the live version; the timeout is only a safety net.
LIVE_TIMEOUT = 60
# Pages are dropped by a new version, not by age; the timeout only frees memory.
PAGE_TIMEOUT = 60 * 60 * 24


# Within one public page request the versions are read once (see `versions_read_once`).
_request_versions: ContextVar[dict | None] = ContextVar("page_cache_versions", default=None)


def _version(key: str) -> str:
    known = _request_versions.get()
    if known is not None and key in known:
        return known[key]
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, None)
        # Still None while Redis is away (symposium.cache): keys made with it are never
        # stored, so every page is rendered afresh until Redis answers.
        version = cache.get(key)
    if known is not None:
        known[key] = version
    return version


@contextmanager
def versions_read_once():
    """For a read-only request: both versions in one round trip to the cache, then kept
    for the rest of the request (a page reads them several times)."""
    token = _request_versions.set(cache.get_many([VERSION_KEY, LIVE_KEY]))
    try:
        yield
    finally:
        _request_versions.reset(token)


def content_version() -> str:
    return _version(VERSION_KEY)


def _bump(key: str) -> None:
    cache.set(key, uuid.uuid4().hex, None)


def content_changed() -> None:
    """Every cached public page is out of date from the end of this transaction on.

    Bumped on commit: a page rendered from the old rows in the meantime is stored under
    the old version, which is never read again."""
    transaction.on_commit(lambda: _bump(VERSION_KEY))


def live_changed() -> None:
    """Places or registrations changed: every cached live value is out of date."""
    _bump(LIVE_KEY)
    transaction.on_commit(lambda: _bump(LIVE_KEY))


def content_value(name: str, compute):
    """`compute()`, kept until organisers change what the public pages show. A result
    of None (say, no such event) is not kept."""
    key = f"content:{name}:{content_version()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        if value is not None:
            cache.set(key, value, PAGE_TIMEOUT)
    return value


def live_value(name: str, event_pk: int, compute):
    """`compute()`, kept until registrations, places or the event's content change."""
    key = f"live:{name}:{event_pk}:{content_version()}:{_version(LIVE_KEY)}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, LIVE_TIMEOUT)
    return value


def page_key(*parts) -> str:
    digest = hashlib.sha256(repr((content_version(), *parts)).encode()).hexdigest()
    return f"public-page:{digest[:40]}"


@dataclass(frozen=True)
class CachedPage:
    """A page's HTML, and the same compressed once when stored (the agenda of a large
    event is over 100 KB; compressing it on every request would cost more than the
    cache saves). Public pages carry no secret, so compression gives nothing away."""

    content: bytes
    gzipped: bytes

    def response(self, request) -> HttpResponse:
        if "gzip" not in request.headers.get("Accept-Encoding", ""):
            response = HttpResponse(self.content)
        else:
            response = HttpResponse(self.gzipped)
            response["Content-Encoding"] = "gzip"
        patch_vary_headers(response, ("Accept-Encoding",))
        return response


def get_page(key: str) -> CachedPage | None:
    return cache.get(key)


def store_page(key: str, content: bytes) -> None:
    cache.set(key, CachedPage(content, compress_string(content)), PAGE_TIMEOUT)
