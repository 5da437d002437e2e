"""Admin registrations for this app's models: read-only (workers and services write jobs, never the admin)."""

from django.contrib import admin

from jobs.models import Job, Schedule


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(_ReadOnly):
    list_display = [
        "id",
        "kind",
        "title",
        "requested_by",
        "status",
        "created_at",
        "finished_at",
        "progress_done",
        "progress_total",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["title", "error", "requested_by__employee_id"]


@admin.register(Schedule)
class ScheduleAdmin(_ReadOnly):
    list_display = ["name", "next_run_at", "last_enqueued_at", "last_task_result_id"]
