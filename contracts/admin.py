"""Admin registrations for this app's models: readable, never editable (contracts are issued, not edited)."""

from django.contrib import admin

from ccportal.admin import ReadOnlyAdmin
from contracts.models import Commissioning, ContractVersion


@admin.register(Commissioning)
class CommissioningAdmin(ReadOnlyAdmin):
    list_display = ("id", "account", "customer", "commissioned_at", "commissioned_by", "sms_status")
    list_filter = ("sms_status", "service_phase")
    search_fields = ("account__accountnumber", "customer__first_name", "customer__last_name")
    raw_id_fields = ("customer", "account", "meter")
    exclude = ("signature",)


@admin.register(ContractVersion)
class ContractVersionAdmin(ReadOnlyAdmin):
    list_display = ("id", "account", "language", "version", "created_at", "created_by", "sha256")
    list_filter = ("language",)
    search_fields = ("account__accountnumber", "customer__first_name", "customer__last_name")
    raw_id_fields = ("customer", "account", "commissioning")
    exclude = ("file",)
