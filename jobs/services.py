"""Every change to a job: queue it, claim it exactly once, record its progress and outcome, cancel it, mark it
failed when its worker died, prune old files and task results."""

import logging
import os
import socket
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone

from jobs.files import JobOutput, job_directory_remove, job_file_path, job_partials_remove
from jobs.kinds import KINDS
from jobs.models import Job

logger = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 0.5


class JobAbandoned(Exception):
    """The job is no longer this worker's (cancelled, or marked failed as lost): stop without recording more."""


def worker_name():
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


@transaction.atomic
def job_create(*, kind, params, title, by):
    """Queue a job of ``kind``: the row now, the task when the transaction commits (a worker never sees a job
    that does not exist yet). A backend that cannot take it (Redis down) leaves the job failed, saying why."""
    if kind not in KINDS:
        raise ValidationError({"kind": f"{kind!r} is not a kind of job."})
    job = Job.objects.create(kind=kind, params=params, title=title[:200], requested_by=by)
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id):
    from jobs.tasks import job_run_task

    try:
        result = job_run_task.enqueue(job_id=job_id)
    except Exception as exc:  # the queue itself is unreachable: say so on the job rather than fail the page
        logger.exception("Could not queue job %s", job_id)
        error = f"The job could not be queued: {exc}"[:2000]
        if Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
            status=Job.Status.FAILED, finished_at=timezone.now(), error=error
        ):
            _kind_told_failed(job_id, error)
        return
    Job.objects.filter(pk=job_id).update(task_result_id=str(result.id)[:64])


@transaction.atomic
def job_cancel(*, job, by):
    """Cancel a job no worker has taken yet (one conditional UPDATE: a worker claiming it at the same moment
    either wins, and the job runs, or loses, and it never starts)."""
    cancelled = Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
        status=Job.Status.CANCELLED, finished_at=timezone.now(), cancelled_by=by, message="Cancelled before it started."
    )
    if not cancelled:
        raise ValidationError({"job": "Only a queued job can be cancelled; this one has already started or finished."})
    job.refresh_from_db()
    _kind_told_failed(job.pk, f"Cancelled by {by} before it started.")
    return job


def _kind_told_failed(job_id, reason):
    """Tell the job's kind (its on_failed) that the job ended without its run recording why."""
    job = Job.objects.filter(pk=job_id).only("kind", "params").first()
    kind = KINDS.get(job.kind) if job else None
    if kind is not None and kind.on_failed is not None:
        kind.on_failed(params=job.params, reason=reason)


class Progress:
    """Rows done out of the expected total, written to the job's row at most every PROGRESS_EVERY_SECONDS (and at
    the end) so any process can read it; raises JobAbandoned once the job is no longer running.

    Work that holds a transaction open (the ACDB import is one) would write its progress where no other connection
    sees it until the end: then the heartbeat thread, on a connection of its own, writes it instead."""

    def __init__(self, job_id, heartbeat=None):
        self.job_id = job_id
        self.heartbeat = heartbeat
        self.done, self.total, self.message = 0, None, None
        self._written_at = 0.0

    def __call__(self, done, total=None, message=None):
        self.done = done
        if total is not None:
            self.total = total
        if message is not None:
            self.message = message
        if time.monotonic() - self._written_at >= PROGRESS_EVERY_SECONDS:
            self.write()

    def write(self):
        fields = {"progress_done": self.done, "heartbeat_at": timezone.now()}
        if self.total is not None:
            fields["progress_total"] = self.total
        if self.message is not None:
            fields["message"] = self.message[:500]
        self._written_at = time.monotonic()
        if self.heartbeat is not None and self.heartbeat.outside_transaction and connection.in_atomic_block:
            if self.heartbeat.abandoned:
                raise JobAbandoned(self.job_id)
            self.heartbeat.pending = fields
            return
        if not Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(**fields):
            raise JobAbandoned(self.job_id)


class _Heartbeat(threading.Thread):
    """Renews the running job's lease while the work runs, whatever the work is doing (a PDF, one transaction),
    and writes the progress that work inside a transaction hands it (Progress.write)."""

    def __init__(self, job_id):
        super().__init__(daemon=True, name=f"job-{job_id}-heartbeat")
        self.job_id = job_id
        self.stopped = threading.Event()
        # Started by a worker outside any transaction (not inside a test's): only then may this thread's own
        # connection stand in for the work's, and a row it cannot find mean the job is no longer running.
        self.outside_transaction = not connection.in_atomic_block
        self.pending = None  # progress fields waiting to be written
        self.abandoned = False

    def run(self):
        beat_at = time.monotonic()
        try:
            while not self.stopped.wait(min(PROGRESS_EVERY_SECONDS, settings.CC_JOB_HEARTBEAT_SECONDS)):
                fields, self.pending = self.pending, None
                if fields is None and time.monotonic() - beat_at < settings.CC_JOB_HEARTBEAT_SECONDS:
                    continue
                fields = {**(fields or {}), "heartbeat_at": timezone.now()}
                try:
                    written = Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(**fields)
                except OperationalError as exc:  # busy, or on SQLite write-locked by the work's own transaction
                    logger.warning("Heartbeat of job %s not written: %s", self.job_id, exc)
                    continue
                except Exception:  # whatever it is, it must not kill the job; the next beat tries again
                    logger.warning("Heartbeat of job %s not written", self.job_id, exc_info=True)
                    continue
                beat_at = time.monotonic()
                if not written and self.outside_transaction:
                    self.abandoned = True
        finally:
            connections.close_all()  # this thread's own connections

    def stop(self):
        self.stopped.set()
        self.join(timeout=5)


def job_run(*, job_id, worker=None):
    """Run job ``job_id`` in this worker: claim it with a conditional UPDATE (queued → running; a second worker
    or a second delivery of the same task finds nothing to claim), do the work, record the outcome. Returns the
    final status, or None when the job was not this worker's to run."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=now, heartbeat_at=now, worker=(worker or worker_name())[:100]
    )
    if not claimed:
        logger.info("Job %s was not queued (cancelled, or another worker took it): not run", job_id)
        return None
    job = Job.objects.get(pk=job_id)
    output = JobOutput(job_id)
    heartbeat = _Heartbeat(job_id)
    progress = Progress(job_id, heartbeat)
    heartbeat.start()
    try:
        kind = KINDS.get(job.kind)
        if kind is None:
            raise ValueError(f"{job.kind!r} is not a kind of job this portal runs.")
        figures = kind.run(params=job.params, progress=progress, output=output, by=job.requested_by) or {}
    except JobAbandoned:
        output.discard()
        return None
    except Exception as exc:
        output.discard()
        if Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(
            status=Job.Status.FAILED, finished_at=timezone.now(), error=_error_text(exc)
        ):
            _kind_told_failed(job_id, _error_text(exc))
        raise  # the task backend records the failure (and its traceback) too
    finally:
        heartbeat.stop()
    fields = {
        "status": Job.Status.SUCCEEDED,
        "finished_at": timezone.now(),
        "result": figures,
        "progress_done": progress.done,
        "progress_total": progress.total if progress.total is not None else progress.done,
        "message": (figures.get("message") or progress.message or "Done.")[:500],
    }
    if output.path:
        fields.update(result_path=output.relative_path, result_name=output.name, result_size=output.path.stat().st_size)
    if not Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(**fields):
        output.discard()  # marked lost while it ran: its record says failed, so no file may appear either
        return None
    return Job.Status.SUCCEEDED


def _error_text(exc):
    """Why a job failed, in words: the messages of a validation or statement error, else the exception."""
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)[:2000]
    errors = getattr(exc, "errors", None)
    if isinstance(errors, list) and errors:
        return "; ".join(f"Row {n}: {m}" if n else str(m) for n, m in errors[:20])[:2000]
    return f"{type(exc).__name__}: {exc}"[:2000]


def jobs_fail_lost(*, now=None):
    """Mark failed every running job whose worker stopped renewing its lease (killed, machine restarted), remove
    its partial files, and fail its django-tasks-db result too so nothing is left "running". Returns the count."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.CC_JOB_LEASE_SECONDS)
    lost = list(
        Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=cutoff).values_list(
            "pk", "worker", "heartbeat_at", "task_result_id"
        )
    )
    count = 0
    for pk, worker, heartbeat_at, task_result_id in lost:
        seen = timezone.localtime(heartbeat_at).strftime("%Y-%m-%d %H:%M:%S")
        reason = (
            f"The worker running this job ({worker or 'unknown'}) stopped: no heartbeat since {seen}. "
            "Nothing it was writing was kept; start the job again."
        )
        if Job.objects.filter(pk=pk, status=Job.Status.RUNNING, heartbeat_at=heartbeat_at).update(
            status=Job.Status.FAILED, finished_at=now, error=reason
        ):
            count += 1
            job_partials_remove(pk)
            _task_result_fail(task_result_id, reason)
            _kind_told_failed(pk, reason)
    return count


def _task_result_fail(task_result_id, reason):
    from django.apps import apps

    if not task_result_id or not apps.is_installed("django_tasks_db"):
        return
    from django_tasks_db.models import DBTaskResult

    try:
        DBTaskResult.objects.filter(pk=task_result_id, status="RUNNING").update(
            status="FAILED", finished_at=timezone.now(), exception_class_path="jobs.services.JobAbandoned", traceback=reason
        )
    except ValidationError:  # not a UUID: the result belongs to another backend
        pass


def job_files_prune(*, now=None, keep_days=None):
    """Delete the files of jobs finished more than ``keep_days`` (CC_EXPORT_KEEP_DAYS) ago; their rows stay,
    saying the file was pruned. Returns the number of files removed."""
    now = now or timezone.now()
    keep_days = settings.CC_EXPORT_KEEP_DAYS if keep_days is None else keep_days
    old = Job.objects.filter(finished_at__lt=now - timedelta(days=keep_days)).exclude(result_path="")
    count = 0
    for pk, relative in old.values_list("pk", "result_path"):
        path = job_file_path(relative)
        if path is not None and path.exists():
            count += 1
        job_directory_remove(pk)
        Job.objects.filter(pk=pk).update(result_path="", message=f"The file was deleted after {keep_days} days.")
    return count


def task_results_prune(*, now=None, keep_days=None):
    """Delete finished django-tasks-db results older than ``keep_days`` (RQ expires its own). Returns the count."""
    from django.apps import apps

    if not apps.is_installed("django_tasks_db"):
        return 0
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    keep_days = settings.CC_TASK_RESULTS_KEEP_DAYS if keep_days is None else keep_days
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=now - timedelta(days=keep_days)).delete()
    return deleted
