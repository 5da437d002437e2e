"""The billing app's menu entries (gathered by ccportal.navigation)."""

from accounts import roles
from ccportal.navigation import MenuEntry

MENU = [
    MenuEntry(40, "Financial", "billing:financial", roles.is_employee),
    MenuEntry(50, "Tariffs", "billing:tariffs", roles.is_employee),
    MenuEntry(60, "Payments", "billing:payment_import", roles.can_import_payments),
    MenuEntry(70, "Payment lookup", "billing:payment_lookup", roles.is_employee),
]
