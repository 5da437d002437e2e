"""Admin of the data tools: the ACDB import's runs, readable and never edited by hand."""

from django.contrib import admin

from datatools.models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """The import's own report: readable, never edited by hand."""

    list_display = ["id", "status", "source_label", "dry_run", "started_by", "created_at", "finished_at"]
    list_filter = ["status", "dry_run"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
