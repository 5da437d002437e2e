"""Reads about employees: the Admin Roles list with each employee's lockout state."""

from datetime import timedelta

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts import roles
from accounts.models import Employee, LoginCeiling


def _locked_out_attempts():
    """Attempt rows that lock their employee+address pair right now (AXES_FAILURE_LIMIT within the cool-off)."""
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=timezone.now() - get_cool_off()
    )


def _cooling_down_ceilings():
    """Per-employee counts past the ceiling whose longest cool-down may still run (accounts.lockout)."""
    longest = timedelta(seconds=settings.CC_LOCKOUT_EMPLOYEE_COOLDOWN_MAX_SECONDS)
    return LoginCeiling.objects.filter(
        failures__gte=settings.CC_LOCKOUT_EMPLOYEE_FAILURES, last_failure_at__gte=timezone.now() - longest
    )


def employee_list(*, user, search=""):
    """Employees for Admin Roles, each with ``is_locked_out`` (from one address, or cooling down across all of
    them); superadmins only."""
    roles.ensure(user, roles.can_manage_roles)
    employees = Employee.objects.annotate(
        is_locked_out=Exists(_locked_out_attempts().filter(username=OuterRef("employee_id")))
        | Exists(_cooling_down_ceilings().filter(username=OuterRef("employee_id")))
    ).order_by("employee_id")
    search = search.strip()
    if search:
        employees = employees.filter(Q(employee_id__icontains=search) | Q(name__icontains=search) | Q(email__icontains=search))
    return employees


def employee_get_for_admin(*, user, pk):
    """One employee for an Admin Roles action (with ``is_locked_out``); 403 for non-superadmins, 404 if unknown."""
    return get_object_or_404(employee_list(user=user), pk=pk)
