"""Django's floor: an authenticated page with the site's chrome (base.html, menu, context processors) and an
empty body, served through the same middleware as every page. Page timings are divided by its time."""

from functools import cache

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines


@cache
def _template():
    # Compiled once, as the cached template loader does for real pages.
    return engines["django"].from_string(
        '{% extends "base.html" %}{% block title %}Floor{% endblock %}{% block content %}{% endblock %}'
    )


@login_required
def floor(request):
    return HttpResponse(_template().render({}, request))
