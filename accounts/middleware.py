"""Session rules the settings cannot express: the absolute 12 h limit, the idle limit refreshed without a write on
every request, and the forced change of a one-time password."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

LOGIN_AT_KEY = "cc_login_at"
# When the session was last saved for activity: the idle expiry (SESSION_COOKIE_AGE) slides forward at most every
# CC_SESSION_REFRESH_SECONDS, instead of an UPDATE and a commit on every request.
SEEN_AT_KEY = "cc_seen_at"


def session_login_stamp(sender, request, user, **kwargs):
    """user_logged_in receiver: remember when this session began (the inactivity timeout is SESSION_COOKIE_AGE)."""
    request.session[LOGIN_AT_KEY] = request.session[SEEN_AT_KEY] = int(time.time())


class EmployeeSessionMiddleware:
    """Ends a session CC_SESSION_ABSOLUTE_SECONDS after its login, however active; saves an active session (so its
    idle expiry moves on) once per CC_SESSION_REFRESH_SECONDS; keeps an employee with a one-time password on the
    set-password page until they choose their own."""

    # Paths a must-change employee may still use (besides the set-password page): logging out and static files.
    ALLOWED_PREFIXES = ("/logout/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            login_at = request.session.get(LOGIN_AT_KEY)
            if login_at is None or now - login_at > settings.CC_SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, "Your session has ended. Please log in again.")
                return self._redirect(request, f"{reverse('login')}?next={request.path}")
            if now - request.session.get(SEEN_AT_KEY, 0) >= settings.CC_SESSION_REFRESH_SECONDS:
                request.session[SEEN_AT_KEY] = int(now)  # modified: SessionMiddleware saves it with a new expiry
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
