"""A small fixed-window rate limit in the shared cache, for public forms allauth does not cover
(sign-in slip codes, certificate checks), keyed on the same client address as allauth's own limits.

Behind a reverse proxy every request comes from the proxy's address, so one address would be shared
by the whole council. `client_address` asks allauth, which reads TRUSTED_PROXY_COUNT (the last that
many X-Forwarded-For entries were added by our own proxies; anything before them was sent by the
client and is ignored) or TRUSTED_CLIENT_IP_HEADER (e.g. X-Real-IP set by the proxy). With neither
set, X-Forwarded-For is ignored and REMOTE_ADDR is used (README, "Behind a reverse proxy")."""

import ipaddress
import time

from allauth.account.adapter import get_adapter
from django.core.cache import cache

IPV6_PREFIX = 64  # one IPv6 client usually holds a whole /64: count it as one address, as allauth does


def client_address(request) -> str:
    """The client's address as allauth's rate limits see it. allauth refuses (403) a request whose
    address cannot be told, e.g. a trusted header that is missing."""
    ip = get_adapter(request).get_client_ip(request)
    address = ipaddress.ip_address(ip)
    if address.version == 6:
        return str(ipaddress.IPv6Network(f"{address}/{IPV6_PREFIX}", strict=False).network_address)
    return str(address)


def allow(request, action: str, *, limit: int, seconds: int, key: str = "") -> bool:
    """Count one attempt; False once `limit` attempts were made in the current window."""
    window = int(time.time() // seconds)
    who = client_address(request)
    cache_key = f"rl:{action}:{who}:{key}:{window}"
    if cache.add(cache_key, 1, timeout=seconds + 1):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=seconds + 1)
        return True
    return count <= limit
