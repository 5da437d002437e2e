from django.contrib import admin

from billing.models import AccountHistory, Config, IncomingSms, TariffRate
from ccportal.admin import AuditedAdmin, ReadOnlyAdmin


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
class IncomingSmsAdmin(ReadOnlyAdmin):
    """The SMS as the gateway sent it is evidence: read here, never edited or deleted."""

    list_display = ["arrived_at", "gateway_id", "sender", "provider", "status", "note"]
    list_filter = ["status", "provider"]
    search_fields = ["gateway_id", "text"]
    date_hierarchy = "arrived_at"
