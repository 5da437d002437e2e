"""Background jobs: one row per piece of work a person (or the scheduler) asked for, written by the worker that
runs it so every process sees its status and progress; and one row per schedule, claimed by one scheduler."""

from django.conf import settings
from django.db import models


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    kind = models.CharField(max_length=40)  # a name in jobs.kinds.KINDS
    params = models.JSONField(default=dict, blank=True)  # plain values only: primary keys, codes, dates as text
    title = models.CharField(max_length=200)  # what the person asked for, in words ("Transactions as XLSX, MAK")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # The worker's lease: a running job whose heartbeat is older than CC_JOB_LEASE_SECONDS lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=100, blank=True, default="")
    progress_done = models.PositiveBigIntegerField(default=0)
    progress_total = models.PositiveBigIntegerField(null=True, blank=True)  # None: not known (yet)
    message = models.CharField(max_length=500, blank=True, default="")  # what it is doing, or what it did
    error = models.TextField(blank=True, default="")  # why it failed, for people
    # The file a job made, relative to CC_PRIVATE_ROOT (never served directly), and the name it downloads as.
    result_path = models.CharField(max_length=300, blank=True, default="")
    result_name = models.CharField(max_length=200, blank=True, default="")
    result_size = models.PositiveBigIntegerField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)  # figures the job reports (counts posted, cells rebuilt)
    task_result_id = models.CharField(max_length=64, blank=True, default="")  # the django-tasks result id
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table = "cc_job"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="cc_job_requester_recent"),
            models.Index(fields=["status", "heartbeat_at"], name="cc_job_status_heartbeat"),
        ]

    def __str__(self):
        return f"Job {self.pk} {self.kind} ({self.status})"

    @property
    def is_finished(self):
        return self.status in self.FINISHED


class Schedule(models.Model):
    """When a registered schedule (jobs.schedule.SCHEDULES) is next due. A scheduler enqueues its task only after
    moving `next_run_at` on with a conditional UPDATE, so two schedulers never enqueue the same run twice."""

    name = models.CharField(max_length=60, primary_key=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    last_task_result_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        db_table = "cc_schedule"
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} (next {self.next_run_at:%Y-%m-%d %H:%M})"
