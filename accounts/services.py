"""Every change to an employee: creation, role, activation, passwords and lockouts, each in history with who and why."""

import logging
import secrets

from axes.utils import reset as axes_reset
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Employee
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
    """Clear the failed-login lockouts of an employee number, from every address."""
    cleared = axes_reset(username=employee_id)
    logger.warning("Lockout of employee %s cleared by %s (%s attempt rows)", employee_id, by.employee_id, cleared)
    return cleared
