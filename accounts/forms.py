"""Forms for staff accounts."""

from django.contrib.auth.forms import AuthenticationForm


class EmployeeLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "That employee number and password do not match. Passwords are case-sensitive.",
        "inactive": "This employee account is deactivated. Ask a superadmin.",
    }
