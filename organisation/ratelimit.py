"""A small fixed-window rate limit in the shared cache, for public forms allauth does not cover
(sign-in slip codes, certificate checks). The client address is REMOTE_ADDR: behind a proxy, set the
proxy to pass the real address there (e.g. gunicorn's --forwarded-allow-ips)."""

import time

from django.core.cache import cache


def allow(request, action: str, *, limit: int, seconds: int, key: str = "") -> bool:
    """Count one attempt; False once `limit` attempts were made in the current window."""
    window = int(time.time() // seconds)
    who = request.META.get("REMOTE_ADDR", "unknown")
    cache_key = f"rl:{action}:{who}:{key}:{window}"
    if cache.add(cache_key, 1, timeout=seconds + 1):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=seconds + 1)
        return True
    return count <= limit
