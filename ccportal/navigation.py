"""The navigation of every page: (label, URL name, capability needed). Entries whose URL does not exist
yet are left out, so an app adds its page to the menu by defining the named URL."""

from functools import lru_cache

from django.urls import NoReverseMatch, reverse

from accounts import roles
from ccportal.links import url_context

NAVIGATION = [
    ("Dashboard", "reports:dashboard", roles.is_employee),
    ("Customers", "customers:list", roles.is_employee),
    ("O&M Report", "reports:om", roles.is_employee),
    ("Financial", "billing:financial", roles.is_employee),
    ("Tariffs", "billing:tariffs", roles.is_employee),
    ("Payments", "billing:payment_import", roles.can_import_payments),
    ("Payment lookup", "billing:payment_lookup", roles.is_employee),
    ("Messages", "messaging:list", roles.is_employee),
    ("Export", "reports:export", roles.is_employee),
    ("Mutations", "reports:mutations", roles.is_employee),
    ("Tables", "reports:tables", roles.is_employee),
    ("Sync", "reports:sync", roles.can_sync_acdb),
    ("Roles", "accounts:roles", roles.can_manage_roles),
]


@lru_cache(maxsize=16)
def _entries(urlconf, script_prefix):
    """(label, URL, check) of the entries whose URL exists, reversed once per URL configuration and script
    prefix rather than on every page."""
    entries = []
    for label, name, check in NAVIGATION:
        try:
            entries.append((label, reverse(name, urlconf=urlconf), check))
        except NoReverseMatch:
            continue
    return tuple(entries)


def navigation_for(user, current_path):
    items = []
    for label, url, check in _entries(*url_context()):
        if not check(user):
            continue
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    return items
