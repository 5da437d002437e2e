"""Scheduled work on any task backend (django-tasks has no scheduler): a registry of schedules, and the tick that
`manage.py run_scheduler` runs every few seconds to enqueue what is due. Each schedule has a row (jobs.Schedule);
a tick moves its `next_run_at` on with a conditional UPDATE before enqueuing, so however many schedulers run,
each due run is enqueued once."""

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from jobs.models import Schedule

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Every:
    """Due every ``seconds`` (a number, or the name of a setting holding it), first at once."""

    name: str
    seconds: int | str
    task: str = ""  # dotted path of a django-tasks task taking no arguments
    job_kind: str = ""  # or a kind of job (jobs.kinds), queued as a job so its outcome is on the Jobs page
    description: str = ""

    def first(self, now):
        return now

    def next_after(self, now):
        seconds = getattr(settings, self.seconds) if isinstance(self.seconds, str) else self.seconds
        return now + timedelta(seconds=seconds)


@dataclass(frozen=True)
class Daily:
    """Due once a day at ``at`` (local time, Africa/Maseru)."""

    name: str
    at: time
    task: str = ""
    job_kind: str = ""
    description: str = ""

    def first(self, now):
        return self.next_after(now)

    def next_after(self, now):
        local = timezone.localtime(now)
        moment = timezone.make_aware(datetime.combine(local.date(), self.at))
        return moment if moment > now else timezone.make_aware(datetime.combine(local.date() + timedelta(days=1), self.at))


SCHEDULES = [
    Every(
        "tariffs_apply_due",
        "CC_TARIFF_CHECK_SECONDS",
        task="jobs.tasks.tariffs_apply_due_task",
        description="Due tariff changes reach tblconfig",
    ),
    Every(
        "messages_send_due",
        "CC_MESSAGES_SEND_SECONDS",
        task="jobs.tasks.messages_send_due_task",
        description="Due customer messages sent (retries, held alerts, large batches)",
    ),
    Every(
        "housekeeping",
        15 * 60,
        task="jobs.tasks.housekeeping_task",
        description="Lost jobs failed; old files, task results, expired token families pruned",
    ),
    Daily("rollup_check", time(2, 30), job_kind="rollups_check", description="Nightly rollup check"),
]


def schedule_tick(*, now=None, schedules=None):
    """Enqueue every schedule that is due; returns the names enqueued by this call."""
    now = now or timezone.now()
    enqueued = []
    for entry in schedules or SCHEDULES:
        row, _ = Schedule.objects.get_or_create(name=entry.name, defaults={"next_run_at": entry.first(now)})
        if row.next_run_at > now:
            continue
        if _schedule_run(entry, row, now):
            enqueued.append(entry.name)
    return enqueued


@transaction.atomic
def _schedule_run(entry, row, now):
    claimed = Schedule.objects.filter(name=row.name, next_run_at=row.next_run_at).update(
        next_run_at=entry.next_after(now), last_enqueued_at=now
    )
    if not claimed:  # another scheduler took this run
        return False
    if entry.job_kind:
        from jobs.services import job_create

        job = job_create(kind=entry.job_kind, params={}, title=entry.description or entry.name, by=None)
        Schedule.objects.filter(name=row.name).update(last_task_result_id=f"job {job.pk}")
    else:
        transaction.on_commit(lambda: _enqueue_task(entry))
    logger.info("Scheduled %s enqueued", entry.name)
    return True


def _enqueue_task(entry):
    result = import_string(entry.task).enqueue()
    Schedule.objects.filter(name=entry.name).update(last_task_result_id=str(result.id)[:64])
