"""The shared cache (Redis) as a cache, not a single point of failure.

`FailOpenRedisCache` is Django's RedisCache whose operations, when Redis does not
answer, behave as they would on an empty cache that keeps nothing: reads miss, writes
are dropped, `incr` finds no key. So the page cache renders pages afresh, the rate limits
let requests through (django-ratelimit fails open on a missing counter). Sessions are
not kept here at all (settings.SESSION_ENGINE): a signed-out session must not survive
in a copy.

After a failure the process leaves Redis alone for `retry_seconds`, so a Redis that
has gone away costs one short timeout now and then, not one per cache call; the outage
is logged once when it starts and once when it ends. Keys written or deleted while
Redis was away are deleted before it is used again: a Redis that was only out of reach
still holds their old values (a page-cache version since bumped), which must not come
back. That list is one process's memory: what must never come back (a signed-out
session) is therefore not kept in Redis.
"""

import logging
import threading
import time
from functools import wraps

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis import exceptions as redis_errors

logger = logging.getLogger(__name__)

# Redis not answering, or not taking writes; any other error is a bug, and raised.
UNAVAILABLE = (
    redis_errors.ConnectionError,
    redis_errors.TimeoutError,
    redis_errors.OutOfMemoryError,
    redis_errors.ReadOnlyError,
)
# Keys remembered during one outage; beyond this, the oldest values may come back.
STALE_KEYS_LIMIT = 10_000


class Outage:
    """What one process knows about one Redis being away (shared by its threads)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.since = None
        self.retry_at = 0.0
        self.stale_keys = set()
        self.stale_keys_dropped = False

    def remember(self, keys):
        with self.lock:
            room = STALE_KEYS_LIMIT - len(self.stale_keys)
            keys = list(keys)
            self.stale_keys.update(keys[:room])
            self.stale_keys_dropped |= len(keys) > room


_outages: dict[tuple, Outage] = {}
_outages_lock = threading.Lock()


def _outage_for(servers) -> Outage:
    # Django gives each thread its own cache object; the outage is one per process.
    with _outages_lock:
        return _outages.setdefault(tuple(servers), Outage())


def _fail_open(on_outage, *, writes=None):
    """Run the operation on Redis, or `on_outage(*args)` while Redis is away.
    `writes(*args)` names the keys a dropped write leaves stale in Redis."""

    def decorator(operation):
        @wraps(operation)
        def wrapped(self, *args):
            if not self._redis_available():
                self._outage.remember(writes(*args) if writes else ())
                return on_outage(*args)
            try:
                return operation(self, *args)
            except UNAVAILABLE as error:
                self._outage_started(error)
                self._outage.remember(writes(*args) if writes else ())
                return on_outage(*args)

        return wrapped

    return decorator


def _key_not_found(key, delta):
    raise ValueError(f"Key '{key}' not found.")


class FailOpenRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, retry_seconds=1.0, **options):
        super().__init__(servers, **options)
        self._retry_seconds = retry_seconds
        self._outage = _outage_for(servers)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        """Django makes a new redis.Redis for every operation, and redis-py fills ~170
        response callbacks each time (about 5% of a register POST's CPU went there,
        bench/register_profile.py). One per pool is enough: it is safe across threads,
        its pool hands each call a connection."""
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(write)
            )
        return client

    def ping(self) -> bool:
        """One PING, past the pause after a failure (for /healthz)."""
        try:
            return bool(self.get_client(write=True).ping())
        except redis_errors.RedisError:
            return False

    def _redis_available(self) -> bool:
        outage = self._outage
        if outage.since is None:
            return True
        with outage.lock:
            if outage.since is None:
                return True
            if time.monotonic() < outage.retry_at:
                return False
            try:
                self._forget_stale_keys()
            except UNAVAILABLE:
                outage.retry_at = time.monotonic() + self._retry_seconds
                return False
            logger.info(
                "Redis answers again after %.1f s: the cache is in use again.",
                time.monotonic() - outage.since,
            )
            outage.since = None
            return True

    def _forget_stale_keys(self):
        outage = self._outage
        client = self.get_client(write=True)
        if outage.stale_keys:
            client.delete(*outage.stale_keys)
        else:
            client.ping()
        if outage.stale_keys_dropped:
            logger.warning("Redis may hold values older than those written while it was away.")
        outage.stale_keys.clear()
        outage.stale_keys_dropped = False

    def _outage_started(self, error):
        outage = self._outage
        with outage.lock:
            outage.retry_at = time.monotonic() + self._retry_seconds
            if outage.since is not None:
                return
            outage.since = time.monotonic()
        logger.warning(
            "Redis does not answer (%s): serving without the cache, rate limits off, "
            "sessions from the database, until it answers again.",
            error,
        )

    add = _fail_open(lambda key, value, timeout: False)(RedisCacheClient.add)
    get = _fail_open(lambda key, default: default)(RedisCacheClient.get)
    set = _fail_open(lambda key, value, timeout: None, writes=lambda key, *_: [key])(
        RedisCacheClient.set
    )
    touch = _fail_open(lambda key, timeout: False)(RedisCacheClient.touch)
    delete = _fail_open(lambda key: False, writes=lambda key: [key])(RedisCacheClient.delete)
    get_many = _fail_open(lambda keys: {})(RedisCacheClient.get_many)
    has_key = _fail_open(lambda key: False)(RedisCacheClient.has_key)
    incr = _fail_open(_key_not_found)(RedisCacheClient.incr)
    set_many = _fail_open(lambda data, timeout: None, writes=lambda data, _: list(data))(
        RedisCacheClient.set_many
    )
    delete_many = _fail_open(lambda keys: None, writes=lambda keys: keys)(
        RedisCacheClient.delete_many
    )
    clear = _fail_open(lambda: False)(RedisCacheClient.clear)


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FailOpenRedisCacheClient

    def ping(self) -> bool:
        return self._cache.ping()
