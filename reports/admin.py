"""Admin registrations for this app's models."""

from django.contrib import admin

from ccportal.admin import AuditedAdmin
from reports.models import SiteGeneration


@admin.register(SiteGeneration)
class SiteGenerationAdmin(AuditedAdmin):
    list_display = ["site", "day", "kwh_generated", "source", "updated_at"]
    list_filter = ["site"]
    date_hierarchy = "day"
    search_fields = ["site__code", "site__name", "source"]
    ordering = ["site", "-day"]
