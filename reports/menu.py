"""The reports app's menu entries (gathered by ccportal.navigation)."""

from accounts import roles
from ccportal.navigation import MenuEntry

MENU = [
    MenuEntry(10, "Dashboard", "reports:dashboard", roles.is_employee),
    MenuEntry(30, "O&M Report", "reports:om", roles.is_employee),
    MenuEntry(80, "Export", "reports:export", roles.is_employee),
]
