"""Every URL pattern in the project, found from the URLconf (so a new page cannot be missed)."""

from django.urls import URLPattern, URLResolver, get_resolver


def all_patterns():
    """Yield (key, route) for every pattern: key is the namespaced name, or the route for unnamed ones."""

    def walk(patterns, prefix="", ns=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = ns
                if p.namespace:
                    inner = f"{ns}:{p.namespace}" if ns else p.namespace
                yield from walk(p.url_patterns, prefix + str(p.pattern), inner)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                key = (f"{ns}:{p.name}" if ns else p.name) if p.name else route
                yield key, route

    yield from walk(get_resolver().url_patterns)
