from django.contrib import admin

from accounts.models import Employee
from ccportal.admin import AuditedAdmin


@admin.register(Employee)
class EmployeeAdmin(AuditedAdmin):
    list_display = ["employee_id", "name", "email", "role", "is_active", "must_change_password", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["employee_id", "name", "email"]
    readonly_fields = ["password", "last_login", "date_joined"]
    fields = [
        "employee_id",
        "name",
        "email",
        "role",
        "is_active",
        "must_change_password",
        "password",
        "last_login",
        "date_joined",
    ]
