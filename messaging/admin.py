"""Admin views of the outbox and preferences: read-mostly (changes go through the pages and their services)."""

from django.contrib import admin

from messaging.models import CustomerPreference, LowBalanceRule, Message, MessageTemplate


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "number", "accountnumber", "status", "attempts", "created_at")
    list_filter = ("kind", "status", "language")
    search_fields = ("number", "accountnumber", "trigger_key", "provider_message_id")
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CustomerPreference)
class CustomerPreferenceAdmin(admin.ModelAdmin):
    list_display = ("customer", "language", "opted_out", "opt_out_reason", "opted_out_at")
    list_filter = ("language", "opted_out")
    readonly_fields = ("opted_out_at",)


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ("kind", "language", "updated_at", "updated_by")
    readonly_fields = ("updated_by", "updated_at")


@admin.register(LowBalanceRule)
class LowBalanceRuleAdmin(admin.ModelAdmin):
    list_display = ("site_code", "threshold_kwh", "clear_kwh", "max_per_day", "quiet_start", "quiet_end")
    readonly_fields = ("updated_by", "updated_at")
