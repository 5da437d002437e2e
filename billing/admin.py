from django.contrib import admin

from billing.models import AccountHistory, Config, IncomingSms, TariffRate
from ccportal.admin import AuditedAdmin


@admin.register(AccountHistory)
class AccountHistoryAdmin(AuditedAdmin):
    list_display = [
        "id",
        "accountnumber",
        "transaction_date",
        "payment",
        "transaction_amount",
        "rate_used",
        "kwh_value",
        "current_balance",
    ]
    list_filter = ["payment"]
    search_fields = ["accountnumber", "meterid"]
    date_hierarchy = "transaction_date"


@admin.register(Config)
class ConfigAdmin(AuditedAdmin):
    list_display = ["id", "therate"]


@admin.register(TariffRate)
class TariffRateAdmin(AuditedAdmin):
    list_display = ["scope", "scope_key", "rate_lsl", "effective_from", "effective_to", "created_by", "note"]
    list_filter = ["scope"]
    search_fields = ["scope_key", "note"]


@admin.register(IncomingSms)
class IncomingSmsAdmin(AuditedAdmin):
    list_display = ["arrived_at", "gateway_id", "sender", "provider", "status", "note"]
    list_filter = ["status", "provider"]
    search_fields = ["gateway_id", "text"]
    date_hierarchy = "arrived_at"

    # The SMS as the gateway sent it is evidence: read here, never edited or deleted.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
