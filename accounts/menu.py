"""The accounts app's menu entries (gathered by ccportal.navigation)."""

from accounts import roles
from ccportal.navigation import MenuEntry

MENU = [
    MenuEntry(120, "Roles", "accounts:roles", roles.can_manage_roles),
]
