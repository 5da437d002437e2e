"""Every change to an employee: creation, role, activation, passwords and lockouts, each in history with who and why;
and the API's token families (login, refresh, logout), which are not staff changes and keep no history."""

import logging
import secrets

from axes.utils import reset as axes_reset
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework_simplejwt.utils import datetime_from_epoch

from accounts.lockout import ceiling_window
from accounts.models import Employee, KnownLoginAddress, LoginCeiling, TokenFamily
from accounts.tokens import FAMILY_CLAIM, refresh_token_for
from ccportal.history import history_save

logger = logging.getLogger(__name__)

# No 0/O, 1/l/I: a one-time password is read aloud or copied by hand.
_ONE_TIME_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


def one_time_password_generate():
    """A random password in three groups of five, e.g. ``k7mqa-9xc2r-utp4e`` (about 75 bits)."""
    groups = ["".join(secrets.choice(_ONE_TIME_ALPHABET) for _ in range(5)) for _ in range(3)]
    return "-".join(groups)


def _refuse_own(employee, by, what):
    # An admin who demotes or deactivates themselves could leave no one able to manage roles.
    if employee.pk == by.pk:
        raise ValidationError(f"You cannot {what} yourself; ask another superadmin.")


@transaction.atomic
def employee_create(*, employee_id, name, email, role, by):
    """Create an employee with a one-time password; returns ``(employee, one_time_password)``.

    The password is shown once to the admin and never stored in clear; the employee must change it at first login."""
    one_time_password = one_time_password_generate()
    employee = Employee(employee_id=employee_id.strip(), name=name, email=email, role=role, must_change_password=True)
    employee.set_password(one_time_password)
    history_save(employee, by=by, reason="Employee created in Admin Roles")
    return employee, one_time_password


@transaction.atomic
def employee_role_change(*, employee, role, by, reason):
    """Give ``employee`` a new role; it applies on their next request (roles are read from the database)."""
    _refuse_own(employee, by, "change the role of")
    employee.role = role
    return history_save(employee, by=by, reason=reason, update_fields=["role"])


@transaction.atomic
def employee_deactivate(*, employee, by, reason):
    """Stop an employee from logging in; their sessions and tokens stop working on the next request."""
    _refuse_own(employee, by, "deactivate")
    employee.is_active = False
    return history_save(employee, by=by, reason=reason, update_fields=["is_active"])


@transaction.atomic
def employee_reactivate(*, employee, by, reason):
    employee.is_active = True
    return history_save(employee, by=by, reason=reason, update_fields=["is_active"])


@transaction.atomic
def employee_password_reset(*, employee, by):
    """Issue a new one-time password (returned once); the old password, sessions and tokens stop working."""
    _refuse_own(employee, by, "reset the password of")
    one_time_password = one_time_password_generate()
    employee.set_password(one_time_password)
    employee.must_change_password = True
    history_save(employee, by=by, reason="Password reset by an admin", update_fields=["password", "must_change_password"])
    axes_reset(username=employee.employee_id)
    return one_time_password


@transaction.atomic
def employee_password_set(*, employee, password):
    """The employee sets their own (already validated) password, ending the one-time one."""
    employee.set_password(password)
    employee.must_change_password = False
    return history_save(
        employee, by=employee, reason="Password changed by the employee", update_fields=["password", "must_change_password"]
    )


def employee_last_login_record(*, employee):
    """Note a login without a history row: a login is not a change to the employee (axes keeps the access log)."""
    employee.last_login = timezone.now()
    Employee.objects.filter(pk=employee.pk).update(last_login=employee.last_login)


def employee_unlock(*, employee_id, by):
    """Clear the failed-login lockouts of an employee number, from every address, and its cross-address count."""
    cleared = axes_reset(username=employee_id)
    LoginCeiling.objects.filter(username=employee_id).delete()
    logger.warning("Lockout of employee %s cleared by %s (%s attempt rows)", employee_id, by.employee_id, cleared)
    return cleared


# --- API token families (refresh-token rotation with reuse detection, OAuth 2.0 Security BCP §4.14) -------------


class _NotCurrent(Exception):
    """The presented refresh token is no longer its family's current one."""


@transaction.atomic
def token_family_start(*, employee):
    """An API login: a new token family and its first refresh token (whose ``.access_token`` goes with it)."""
    family = TokenFamily(employee=employee)
    refresh = refresh_token_for(employee, family_id=family.pk)
    family.current_jti = refresh["jti"]
    family.expires_at = datetime_from_epoch(refresh["exp"])
    family.save()
    return refresh


@transaction.atomic
def token_family_rotate(*, employee, refresh):
    """Exchange ``refresh`` (a verified refresh token of ``employee``) for the next token of its family; None if
    it may not be exchanged.

    Single use under concurrency: the family's ``current_jti`` moves from the presented token to the new one in
    one conditional UPDATE, which exactly one of any number of simultaneous exchanges wins (the database's row
    lock orders them; every engine). A token that is not the current one, because it was already exchanged, is
    a replay: the whole family is revoked, so neither the thief nor the owner can go on without logging in."""
    family_id = refresh.get(FAMILY_CLAIM)
    try:
        with transaction.atomic():  # a savepoint: a lost exchange leaves no outstanding token behind
            new = refresh_token_for(employee, family_id=family_id)
            won = TokenFamily.objects.filter(pk=family_id, employee=employee, current_jti=refresh["jti"], revoked_at=None).update(
                current_jti=new["jti"], rotated_at=timezone.now(), expires_at=datetime_from_epoch(new["exp"])
            )
            if not won:
                raise _NotCurrent
            refresh.blacklist()
            return new
    except _NotCurrent:
        pass
    if token_family_revoke(employee=employee, family_id=family_id, reason="reuse"):
        logger.warning("Refresh token reuse for employee %s: token family %s revoked", employee.employee_id, family_id)
    return None


def token_family_revoke(*, employee, family_id, reason):
    """End a family: none of its refresh or access tokens works any more. Returns whether it was still live."""
    return bool(
        TokenFamily.objects.filter(pk=family_id, employee=employee, revoked_at=None).update(
            revoked_at=timezone.now(), revoked_reason=reason
        )
    )


@transaction.atomic
def token_family_logout(*, employee, refresh):
    """Log out of the API: blacklist the refresh token and revoke its family (the access tokens end with it)."""
    refresh.blacklist()
    token_family_revoke(employee=employee, family_id=refresh.get(FAMILY_CLAIM), reason="logout")


@transaction.atomic
def token_families_prune(*, now=None):
    """Delete the token families whose refresh token has expired (scheduled housekeeping), with simplejwt's
    expired outstanding and blacklisted tokens. Nothing that still works goes: an access token never outlives the
    refresh token it was issued with, so a family past ``expires_at`` has no token left (and a token whose family
    is gone is refused anyway). Returns the number of families deleted."""
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

    now = now or timezone.now()
    deleted, _ = TokenFamily.objects.filter(expires_at__lt=now).delete()
    OutstandingToken.objects.filter(expires_at__lt=now).delete()  # their blacklist rows go with them
    if deleted:
        logger.info("Pruned %s expired API token families", deleted)
    return deleted


@transaction.atomic
def login_failure_record(*, username, now=None):
    """Count one checked, failed login of ``username`` (from any address) toward the per-employee ceiling; a
    failure after a quiet spell of CC_LOCKOUT_EMPLOYEE_WINDOW_MINUTES starts the count again. No history: a
    failed login is not a change to an employee (axes keeps the attempts)."""
    now = now or timezone.now()
    username = username[:150]
    try:
        with transaction.atomic():
            row, created = LoginCeiling.objects.select_for_update().get_or_create(
                username=username, defaults={"failures": 1, "first_failure_at": now, "last_failure_at": now}
            )
    except IntegrityError:  # another request created the row at the same moment
        row, created = LoginCeiling.objects.select_for_update().get(username=username), False
    if created:
        return row
    if now - row.last_failure_at > ceiling_window():
        row.failures, row.first_failure_at = 1, now
    else:
        row.failures += 1
    row.last_failure_at = now
    row.save(update_fields=["failures", "first_failure_at", "last_failure_at"])
    return row


@transaction.atomic
def login_success_record(*, username, ip_address, now=None):
    """A correct password for ``username``: its cross-address count is cleared and ``ip_address`` is known."""
    now = now or timezone.now()
    LoginCeiling.objects.filter(username=username).delete()
    if ip_address:
        KnownLoginAddress.objects.update_or_create(
            username=username[:150], ip_address=str(ip_address)[:64], defaults={"last_login_at": now}
        )
