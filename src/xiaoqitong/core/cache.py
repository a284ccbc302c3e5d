"""A Redis cache that degrades instead of failing: with Redis down, a read finds nothing, a write is dropped,
and the page computes what it needed (issue 11: pages still serve). Django's own RedisCache raises instead.

The first failure is logged as a warning, then at most once a minute, so a long outage does not flood the
log; the connect and read timeouts (``OPTIONS`` in settings) keep each miss short."""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)
WARN_EVERY = 60.0


def _degrade(default):
    def wrap(method):
        @functools.wraps(method)
        def safe(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNAVAILABLE as exc:
                now = time.monotonic()
                if now - self._warned_at > WARN_EVERY:
                    self._warned_at = now
                    log.warning("cache unavailable, serving without it: %s", exc)
                value = default(args, kwargs) if callable(default) else default
                return value

        return safe

    return wrap


def _get_default(args, kwargs):
    if "default" in kwargs:
        return kwargs["default"]
    return args[1] if len(args) > 1 else None


def _incr_error(args, kwargs):
    # incr of a key the cache cannot find: what Django does for a missing key
    raise ValueError("Key '%s' not found" % (args[0] if args else kwargs.get("key")))


class ResilientRedisCache(RedisCache):
    _warned_at = -WARN_EVERY

    get = _degrade(_get_default)(RedisCache.get)
    get_many = _degrade({})(RedisCache.get_many)
    has_key = _degrade(False)(RedisCache.has_key)
    add = _degrade(False)(RedisCache.add)
    set = _degrade(None)(RedisCache.set)
    set_many = _degrade(lambda args, kwargs: list((args[0] if args else kwargs.get("data", {})).keys()))(
        RedisCache.set_many
    )
    touch = _degrade(False)(RedisCache.touch)
    delete = _degrade(False)(RedisCache.delete)
    delete_many = _degrade(None)(RedisCache.delete_many)
    clear = _degrade(None)(RedisCache.clear)
    incr = _degrade(_incr_error)(RedisCache.incr)
