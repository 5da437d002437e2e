"""Failed-login lockouts and what a locked-out employee sees.

Two limits, both bounded in time so that nobody can lock an employee out for good (README "Lockout"):
- per employee and address (django-axes): CC_LOCKOUT_FAILURES failures lock that pair for CC_LOCKOUT_HOURS;
- per employee across every address (the ceiling, here): once CC_LOCKOUT_EMPLOYEE_FAILURES failures have come
  from any addresses with no quiet spell of CC_LOCKOUT_EMPLOYEE_WINDOW_MINUTES, each further attempt waits a
  cool-down after the last failure: CC_LOCKOUT_EMPLOYEE_COOLDOWN_SECONDS, doubling with every further failure, at
  most CC_LOCKOUT_EMPLOYEE_COOLDOWN_MAX_SECONDS. An attempt inside the cool-down is refused without checking
  the password and is not counted, so hammering cannot extend it. The ceiling does not apply from an address the
  employee has logged in from in the last CC_LOCKOUT_KNOWN_ADDRESS_DAYS days. A login clears the count; so does
  a superadmin's unlock."""

import math
from datetime import timedelta

from axes.helpers import get_client_ip_address, get_cool_off
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.models import KnownLoginAddress, LoginCeiling


def lockout_minutes():
    """How long a lockout lasts (AXES_COOLOFF_TIME, from CC_LOCKOUT_HOURS), in whole minutes."""
    return int(get_cool_off().total_seconds() // 60)


def ceiling_window():
    return timedelta(minutes=settings.CC_LOCKOUT_EMPLOYEE_WINDOW_MINUTES)


def ceiling_cooldown_seconds(failures):
    """The cool-down after the last of ``failures`` failures (0 below the ceiling): growing, capped."""
    excess = failures - settings.CC_LOCKOUT_EMPLOYEE_FAILURES
    if excess < 0:
        return 0
    return min(
        settings.CC_LOCKOUT_EMPLOYEE_COOLDOWN_SECONDS * 2 ** min(excess, 32), settings.CC_LOCKOUT_EMPLOYEE_COOLDOWN_MAX_SECONDS
    )


def ceiling_wait_seconds(*, username, ip_address, now=None):
    """Seconds ``username`` must still wait before a login attempt from ``ip_address`` is checked (0: go ahead)."""
    now = now or timezone.now()
    row = LoginCeiling.objects.filter(username=username).only("failures", "last_failure_at").first()
    if row is None or now - row.last_failure_at > ceiling_window():
        return 0
    cooldown = ceiling_cooldown_seconds(row.failures)
    remaining = (row.last_failure_at + timedelta(seconds=cooldown) - now).total_seconds()
    if remaining <= 0:
        return 0
    known_since = now - timedelta(days=settings.CC_LOCKOUT_KNOWN_ADDRESS_DAYS)
    if (
        ip_address
        and KnownLoginAddress.objects.filter(username=username, ip_address=ip_address, last_login_at__gte=known_since).exists()
    ):
        return 0
    return math.ceil(remaining)


class EmployeeCeilingBackend:
    """An authentication backend placed after django-axes' and before ModelBackend: refuses an attempt during the
    employee's cool-down before the password is checked (Django's authenticate stops at PermissionDenied, then
    AxesMiddleware and the JWT view answer with lockout_response because the request is marked locked out)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or not username or not settings.CC_LOCKOUT_EMPLOYEE_ENABLED:
            return None
        wait = ceiling_wait_seconds(username=username, ip_address=get_client_ip_address(request))
        if wait:
            request.cc_ceiling_wait_seconds = wait
            request.axes_locked_out = True  # axes then neither counts this attempt nor lets it through
            raise PermissionDenied("cooling down")
        request.cc_password_checked = True  # what a failure from here on is: a wrong password (login_failed)
        return None  # (no get_user: sessions name ModelBackend, the first backend that has one)


def login_failed(sender, credentials, request=None, **kwargs):
    """user_login_failed receiver: count a failure whose password was checked (not one refused beforehand)."""
    from accounts.services import login_failure_record

    if request is not None and getattr(request, "cc_password_checked", False) and credentials.get("username"):
        login_failure_record(username=str(credentials["username"]))


def login_succeeded(request, username):
    """A correct password: the employee's count is cleared and the address becomes a known one."""
    from accounts.services import login_success_record

    login_success_record(username=username, ip_address=get_client_ip_address(request) if request is not None else None)


def lockout_response(request, original_response, credentials):
    wait = getattr(request, "cc_ceiling_wait_seconds", None)
    if wait:
        duration = f"{wait} seconds" if wait < 120 else f"{math.ceil(wait / 60)} minutes"
        detail = (
            f"Too many failed logins for this employee number from several addresses: try again in {duration}. "
            "The wait grows with each further failure but never passes "
            f"{math.ceil(settings.CC_LOCKOUT_EMPLOYEE_COOLDOWN_MAX_SECONDS / 60)} minutes."
        )
    else:
        wait = int(get_cool_off().total_seconds())
        detail = (
            f"Too many failed logins: this employee number is locked from this address for {lockout_minutes()} minutes. "
            "Try again later or ask a superadmin to unlock it."
        )
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": detail}, status=settings.AXES_HTTP_RESPONSE_CODE)
    else:
        response = render(request, "accounts/locked_out.html", {"detail": detail}, status=settings.AXES_HTTP_RESPONSE_CODE)
    response["Retry-After"] = str(wait)
    return response
