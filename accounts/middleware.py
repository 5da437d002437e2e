"""Session rules the settings cannot express: the absolute 12 h limit and the forced change of a one-time password."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

LOGIN_AT_KEY = "cc_login_at"


def session_login_stamp(sender, request, user, **kwargs):
    """user_logged_in receiver: remember when this session began (the inactivity timeout is SESSION_COOKIE_AGE)."""
    request.session[LOGIN_AT_KEY] = int(time.time())


class EmployeeSessionMiddleware:
    """Ends a session CC_SESSION_ABSOLUTE_SECONDS after its login, however active, and keeps an employee
    with a one-time password on the set-password page until they choose their own."""

    # Paths a must-change employee may still use (besides the set-password page): logging out and static files.
    ALLOWED_PREFIXES = ("/logout/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            login_at = request.session.get(LOGIN_AT_KEY)
            if login_at is None or time.time() - login_at > settings.CC_SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, "Your session has ended. Please log in again.")
                return self._redirect(request, f"{reverse('login')}?next={request.path}")
            password_set_url = reverse("accounts:password_set")
            if user.must_change_password and not request.path.startswith((password_set_url, *self.ALLOWED_PREFIXES)):
                return self._redirect(request, password_set_url)
        return self.get_response(request)

    @staticmethod
    def _redirect(request, url):
        response = redirect(url)
        if getattr(request, "htmx", False):
            # htmx would swap the login page into a fragment; ask it to navigate instead.
            response.status_code = 204
            response["HX-Redirect"] = url
        return response
