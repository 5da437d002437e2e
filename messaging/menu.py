"""The messaging app's menu entry (gathered by ccportal.navigation)."""

from accounts import roles
from ccportal.navigation import MenuEntry

MENU = [
    MenuEntry(75, "Messages", "messaging:list", roles.is_employee),
]
