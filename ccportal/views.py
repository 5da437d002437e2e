"""Project-level views: the health check and /favicon.ico."""

from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.http import require_GET


@require_GET
def health(request):
    """Liveness for the proxy: no paths, versions or secrets."""
    return JsonResponse({"status": "ok"})


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says (PDFs, the API docs): send them to the hashed file."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))
