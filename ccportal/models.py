"""Portal-wide operational records: the submissions of the field forms' offline queue (ccportal.submissions)."""

from django.conf import settings
from django.db import models


class Submission(models.Model):
    """One submission sent from a device (the offline queue of the field forms), applied once: its idempotency
    key (a UUID made on the device, unique here) and the first answer, which a resend of the key gets again."""

    key = models.UUIDField(unique=True)
    kind = models.CharField(max_length=30)
    employee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status_code = models.PositiveSmallIntegerField()
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "cc_submission"

    def __str__(self):
        return f"{self.kind} {self.key}"
