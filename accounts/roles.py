"""What each role may do. Every view and API view asks these helpers; templates only show their answers."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from accounts.models import Role

WRITE_CUSTOMERS = {Role.SUPERADMIN, Role.ONM_TEAM}
WRITE_TRANSACTIONS = {Role.SUPERADMIN, Role.ONM_TEAM, Role.FINANCE_TEAM}
MANAGE_TARIFFS = {Role.SUPERADMIN, Role.ONM_TEAM, Role.FINANCE_TEAM}
DELETE_RECORDS = {Role.SUPERADMIN, Role.ONM_TEAM}
REVERT_CHANGES = {Role.SUPERADMIN, Role.ONM_TEAM}
IMPORT_PAYMENTS = {Role.SUPERADMIN, Role.ONM_TEAM, Role.FINANCE_TEAM}
MANAGE_ROLES = {Role.SUPERADMIN}
SYNC_ACDB = {Role.SUPERADMIN}
SEE_ALL_JOBS = {Role.SUPERADMIN}  # everyone's background jobs and their files; others see their own
REBUILD_ROLLUPS = {Role.SUPERADMIN}
SET_PROVIDER_SIGNATORY = {Role.SUPERADMIN}
# generic may read everything except the audit detail.
READ_AUDIT_DETAIL = {Role.SUPERADMIN, Role.ONM_TEAM, Role.FINANCE_TEAM}


def _has(user, roles):
    return bool(user and user.is_authenticated and user.is_active and user.role in roles)


def is_employee(user):
    return bool(user and user.is_authenticated and user.is_active)


def can_write_customers(user):
    """Create and edit customers, meters and accounts; commission."""
    return _has(user, WRITE_CUSTOMERS)


def can_write_transactions(user):
    """Add, edit and delete ledger rows."""
    return _has(user, WRITE_TRANSACTIONS)


def can_manage_tariffs(user):
    return _has(user, MANAGE_TARIFFS)


def can_import_payments(user):
    return _has(user, IMPORT_PAYMENTS)


def can_delete_records(user):
    return _has(user, DELETE_RECORDS)


def can_revert_changes(user):
    return _has(user, REVERT_CHANGES)


def can_manage_roles(user):
    return _has(user, MANAGE_ROLES)


def can_sync_acdb(user):
    return _has(user, SYNC_ACDB)


def can_see_all_jobs(user):
    return _has(user, SEE_ALL_JOBS)


def can_rebuild_rollups(user):
    return _has(user, REBUILD_ROLLUPS)


def can_set_provider_signatory(user):
    """Choose who signs every contract for the company, with their signature."""
    return _has(user, SET_PROVIDER_SIGNATORY)


def can_read_audit_detail(user):
    return _has(user, READ_AUDIT_DETAIL)


def permissions_for(user):
    """The permission flags the API and the templates show (SPEC §2 `permissions`)."""
    return {
        "write_customers": can_write_customers(user),
        "write_transactions": can_write_transactions(user),
        "manage_roles": can_manage_roles(user),
    }


def capabilities_for(user):
    """Every flag, for templates (`perms.<name>` in the context processor)."""
    return {
        "write_customers": can_write_customers(user),
        "write_transactions": can_write_transactions(user),
        "manage_tariffs": can_manage_tariffs(user),
        "import_payments": can_import_payments(user),
        "delete_records": can_delete_records(user),
        "revert_changes": can_revert_changes(user),
        "manage_roles": can_manage_roles(user),
        "sync_acdb": can_sync_acdb(user),
        "set_provider_signatory": can_set_provider_signatory(user),
        "read_audit_detail": can_read_audit_detail(user),
    }


def require(check):
    """Decorator for function views: logged in, then ``check(user)`` or 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def ensure(user, check):
    """Raise PermissionDenied unless ``check(user)``; for use inside views and selectors."""
    if not check(user):
        raise PermissionDenied
