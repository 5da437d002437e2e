"""Forms for staff accounts: login, Admin Roles actions and passwords."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accounts.models import Employee, Role


class EmployeeLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "That employee number and password do not match. Passwords are case-sensitive.",
        "inactive": "This employee account is deactivated. Ask a superadmin.",
    }


class EmployeeCreateForm(forms.ModelForm):
    class Meta:
        model = Employee
        fields = ["employee_id", "name", "email", "role"]

    def clean_employee_id(self):
        employee_id = self.cleaned_data["employee_id"].strip()
        if Employee.objects.filter(employee_id__iexact=employee_id).exists():
            raise forms.ValidationError("An employee with this number already exists.")
        return employee_id


class ReasonForm(forms.Form):
    """A reason for a deactivation or reactivation (and the base of a role change): kept in the history."""

    reason = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"placeholder": "Why (kept in the history)"}))


class RoleChangeForm(ReasonForm):
    role = forms.ChoiceField(choices=Role.choices)
