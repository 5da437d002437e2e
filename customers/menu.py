"""The customers app's menu entries (gathered by ccportal.navigation)."""

from accounts import roles
from ccportal.navigation import MenuEntry

MENU = [
    MenuEntry(20, "Customers", "customers:list", roles.is_employee),
]
