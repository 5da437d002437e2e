"""Project-level views: the health check."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET


@require_GET
def health(request):
    """Liveness for the proxy: no paths, versions or secrets."""
    return JsonResponse({"status": "ok"})
