"""A count of requests per key over a window, shared by every process through the cache
(Redis in production): enough to slow down anyone trying codes on a public page."""

from django.core.cache import cache


def within_limit(key: str, *, limit: int, window: int) -> bool:
    """Count one more request under ``key``; False once the count passes ``limit``."""
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit
