"""Admin helpers shared by the apps: history-aware ModelAdmin that asks no one for a reason twice."""

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from ccportal.history import history_save


class AuditedAdmin(SimpleHistoryAdmin):
    """ModelAdmin whose saves and deletes are recorded with the admin user and a change reason.
    Its history pages are read-only: a POST to a history entry (which would revert the record without
    the Mutations page's conflict check) is refused."""

    list_per_page = 50
    show_full_result_count = False  # COUNT(*) on ACDB-sized tables on every admin page is wasteful

    def save_model(self, request, obj, form, change):
        # Through history_save, so that a row that predates its history gets its baseline first.
        history_save(obj, by=request.user, reason="Edited in Django admin" if change else "Created in Django admin")

    def delete_model(self, request, obj):
        obj._change_reason = "Deleted in Django admin"
        super().delete_model(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied("History is read-only; revert from the Mutations page.")
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyAdmin(AuditedAdmin):
    """For records that are evidence (contracts issued, SMS received): readable in the admin, never edited there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
