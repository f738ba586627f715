"""The project's URLs plus one that fails, for the 500 page's test (tests/test_error_pages.py)."""

from django.urls import path

from config.urls import handler403, handler404, handler500, urlpatterns  # noqa: F401


def broken(request):
    raise RuntimeError("broken on purpose")


urlpatterns = [*urlpatterns, path("broken-on-purpose/", broken)]
