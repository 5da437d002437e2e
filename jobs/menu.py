"""The jobs app's menu entry (gathered by ccportal.navigation)."""

from accounts import roles
from ccportal.navigation import MenuEntry

MENU = [
    MenuEntry(115, "Jobs", "jobs:list", roles.is_employee),
]
