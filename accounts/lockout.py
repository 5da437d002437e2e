"""What a locked-out employee sees (django-axes AXES_LOCKOUT_CALLABLE): a page for the login form, JSON for the API."""

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render


def lockout_minutes():
    """How long a lockout lasts (AXES_COOLOFF_TIME, from CC_LOCKOUT_HOURS), in whole minutes."""
    return int(get_cool_off().total_seconds() // 60)


def lockout_response(request, original_response, credentials):
    minutes = lockout_minutes()
    if request.path.startswith("/api/"):
        detail = (
            f"Too many failed logins: this employee number is locked from this address for {minutes} minutes. "
            "Try again later or ask a superadmin to unlock it."
        )
        return JsonResponse({"detail": detail}, status=settings.AXES_HTTP_RESPONSE_CODE)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=settings.AXES_HTTP_RESPONSE_CODE)
