"""The data tools' menu entries (gathered by ccportal.navigation)."""

from accounts import roles
from ccportal.navigation import MenuEntry

MENU = [
    MenuEntry(90, "Mutations", "datatools:mutations", roles.is_employee),
    MenuEntry(100, "Tables", "datatools:tables", roles.is_employee),
    MenuEntry(110, "Sync", "datatools:sync", roles.can_sync_acdb),
]
