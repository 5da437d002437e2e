from django.contrib import admin

from billing.models import AccountHistory, Config, TariffRate
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
