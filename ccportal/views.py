"""Project-level views: the health check, /favicon.ico, the service worker and the offline queue's pages."""

import hashlib
import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET


@require_GET
def health(request):
    """Liveness for the proxy: no paths, versions or secrets."""
    return JsonResponse({"status": "ok"})


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says (PDFs, the API docs): send them to the hashed file."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))


# The field: the service worker and the pages of the offline queue (static/js/app.js keeps the queue itself).

# Pages the service worker keeps for use without a connection (network first, the kept copy when offline).
FIELD_PAGES = [r"^/customers/new/field/$", r"^/customers/\d+/commission/$", r"^/field/$", r"^/field/offline/$"]


@require_GET
def service_worker(request):
    """/sw.js, at the site root so its scope is the whole portal. Its text names the hashed static files, so a
    deployment with new files gets a new worker (browsers check this URL on every navigation: never cached)."""
    shell = [static("css/app.css"), static("js/portal.js"), static("favicon.svg")]
    pages = [reverse("field_offline"), reverse("field_queue"), reverse("customers:new_field")]
    version = hashlib.sha256("\n".join(shell + pages).encode()).hexdigest()[:12]
    context = {"shell": json.dumps(shell), "pages": json.dumps(pages), "keep": json.dumps(FIELD_PAGES), "version": version}
    response = render(request, "ccportal/service_worker.js", context, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def field_status(request):
    """For the queue before it sends: is the session alive, and the CSRF token to send with (JSON, never cached)."""
    authenticated = request.user.is_authenticated
    response = JsonResponse({"authenticated": authenticated, "csrf_token": get_token(request) if authenticated else ""})
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def field_queue(request):
    """What this tablet keeps to send: drawn by static/js/app.js from IndexedDB (the server holds none of it)."""
    return render(request, "ccportal/field_queue.html")


@require_GET
def field_offline(request):
    """What the service worker shows for a page that needs the server while there is no connection."""
    return render(request, "ccportal/field_offline.html")
