"""Pages that combine apps: each role's home page. (adoption/ may import every other app.)"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from adoption import selectors


@require_GET
@login_required
def home(request):
    return render(request, "adoption/home.html", selectors.home_context(request.user))
