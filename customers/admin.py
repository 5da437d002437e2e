from django.contrib import admin

from ccportal.admin import AuditedAdmin
from customers.models import AccountNumber, Customer, Meter, MeterReading, Site


@admin.register(Site)
class SiteAdmin(AuditedAdmin):
    list_display = ["code", "name", "district", "kind", "country", "currency"]
    list_filter = ["kind", "district"]
    search_fields = ["code", "name", "district"]


@admin.register(Customer)
class CustomerAdmin(AuditedAdmin):
    list_display = [
        "customer_id",
        "first_name",
        "last_name",
        "site_code",
        "customer_type",
        "phone",
        "date_service_connected",
        "date_service_terminated",
    ]
    list_filter = ["site_code", "customer_type", "gender"]
    search_fields = ["=customer_id", "first_name", "last_name", "phone", "cell_phone_1", "plot_number", "national_id"]
    date_hierarchy = "date_service_connected"


@admin.register(Meter)
class MeterAdmin(AuditedAdmin):
    list_display = [
        "meterid",
        "accountnumber",
        "customer",
        "community",
        "customer_type",
        "current_status",
        "customer_connect_date",
    ]
    list_filter = ["community", "customer_type", "current_status"]
    search_fields = ["meterid", "accountnumber"]
    raw_id_fields = ["customer"]


@admin.register(AccountNumber)
class AccountNumberAdmin(AuditedAdmin):
    list_display = ["accountnumber", "customer", "meter", "community", "opened_date", "created_by"]
    list_filter = ["community"]
    search_fields = ["accountnumber", "meter__meterid", "=customer__customer_id"]
    raw_id_fields = ["customer", "meter"]


@admin.register(MeterReading)
class MeterReadingAdmin(admin.ModelAdmin):
    list_display = ["meterid", "whdatetime", "power_kw", "community"]
    list_filter = ["community"]
    search_fields = ["meterid"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False  # readings are machine data: imported, never edited by hand
