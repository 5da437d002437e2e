"""The data tools' records: the runs of the ACDB import (who, when, source, progress, counts, errors)."""

from django.conf import settings
from django.db import models


class ImportRun(models.Model):
    """One run of the ACDB import (`manage.py import_acdb` or the Sync page). Written by the system, never
    edited by people: it is the import's own report, so it carries no change history."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        REFUSED = "refused", "Refused"

    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=500, help_text="The file, DSN or connection string read (no password).")
    source_label = models.CharField(max_length=255, blank=True, default="", help_text="What the operator chose.")
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress_table = models.CharField(max_length=100, blank=True, default="")
    progress_rows = models.PositiveBigIntegerField(default=0)
    # {"tblcustomer": {"new": 1, "updated": 0, "unchanged": 3, "rejected": 1}, ...}
    counts = models.JSONField(default=dict, blank=True)
    # [{"table": "tblcustomer", "row": "45", "reason": "..."}, ...] (the first few hundred)
    errors = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True, default="")
    # The job a worker runs it as (the Sync page); none for `manage.py import_acdb`, which runs it in its own process.
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table = "cc_import_run"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"ACDB import #{self.pk} {self.status} ({self.source_label or self.source})"

    @property
    def is_active(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def rejected_total(self):
        return sum(table.get("rejected", 0) for table in (self.counts or {}).values())
