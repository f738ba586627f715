"""The 405 page: Django's `require_GET`/`require_POST` answer a wrong method with an empty
HttpResponseNotAllowed, which no handler setting covers. This renders the site's own page instead,
keeping the status and the Allow header."""

from django.http import HttpResponseNotAllowed
from django.shortcuts import render


class MethodNotAllowedPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed) and not response.content:
            page = render(request, "errors/405.html", status=405)
            page["Allow"] = response["Allow"]
            page._has_been_logged = getattr(response, "_has_been_logged", False)
            return page
        return response
