"""Public pages rendered once and served from the shared cache (Redis in production).

A cached page is keyed by the page, its URL arguments, the site's content version and
what it shows that changes without an organiser saving anything (places left, whether
registration is open): those few values are read live on every request, in a fixed
number of small queries, so a cached page is never out of date. Everything else on the
public pages is what organisers edit; any save or delete of it, in the admin or
anywhere, starts a new content version once its transaction commits (see
symposium.receivers), which every app server sees at once through the shared cache.

bulk_create and QuerySet.update() send no signals: code that loads data that way (the
benchmark) calls `content_changed()` itself.
"""

import hashlib
import uuid

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "public-pages:version"
# Pages are dropped by a new version, not by age; the timeout only frees memory.
PAGE_TIMEOUT = 60 * 60 * 24


def content_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    return version


def content_changed() -> None:
    """Every cached public page is out of date from the end of this transaction on.

    Bumped on commit: a page rendered from the old rows in the meantime is stored under
    the old version, which is never read again."""
    transaction.on_commit(lambda: cache.set(VERSION_KEY, uuid.uuid4().hex, None))


def page_key(*parts) -> str:
    digest = hashlib.sha256(repr((content_version(), *parts)).encode()).hexdigest()
    return f"public-page:{digest[:40]}"


def get_page(key: str) -> bytes | None:
    return cache.get(key)


def store_page(key: str, content: bytes) -> None:
    cache.set(key, content, PAGE_TIMEOUT)
