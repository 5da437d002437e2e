"""Runs of the ACDB import: record each one (ImportRun), queue it as a job for a worker (the Sync page) or execute
it here (`manage.py import_acdb`), and mark it failed when its job ended without it (worker died, cancelled).

The import itself is one database transaction; while it runs, its progress (table, rows done of the total) is
written to its job's row by the job's heartbeat thread on a connection of its own, so any process sees it."""

import logging
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from datatools.acdb import reader
from datatools.acdb.importer import NotAnAcdb, acdb_import, display_source
from datatools.models import ImportRun

log = logging.getLogger(__name__)
ACTIVE = (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING)


def import_run_create(*, source, by, dry_run=False, label=""):
    return ImportRun.objects.create(
        source=display_source(source)[:500],
        source_label=(label or display_source(source))[:255],
        started_by=by,
        dry_run=dry_run,
    )


@transaction.atomic
def import_run_queue(*, by, upload="", label="", dry_run=False):
    """Record a run and queue it as an `acdb_import` job (a worker takes it once this transaction commits): of
    ``upload`` (a file under CC_PRIVATE_ROOT, removed when the run ends however it ends) or, without one, of the
    configured CC_ACDB_SOURCE, which the worker reads from its own settings (a connection string's password is
    never stored with the job)."""
    from jobs.services import job_create

    source = upload or settings.CC_ACDB_SOURCE
    run = import_run_create(source=source, by=by, dry_run=dry_run, label=label or ("" if upload else "configured source"))
    title = f"ACDB import #{run.pk} from {run.source_label}" + (" (dry run)" if dry_run else "")
    run.job = job_create(kind="acdb_import", params={"run": run.pk, "upload": str(upload or "")}, title=title, by=by)
    run.save(update_fields=["job"])
    return run


def import_run_execute(run, *, source=None, connection=None, progress=None):
    """Run the import recorded by ``run`` and store its outcome; never raises for a bad source or row.

    The run is claimed first (queued → running, one conditional UPDATE): a second delivery of its job, or a
    second worker, finds it taken and returns None. ``progress(table, rows, done, total)`` as rows are read."""
    now = timezone.now()
    if not ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.QUEUED).update(
        status=ImportRun.Status.RUNNING, started_at=now
    ):
        log.info("ACDB import run %s was not queued (already run, or failed): not run again", run.pk)
        return None
    run.refresh_from_db()
    last = {}

    def step(table, rows, done, total):
        last.update(table=table, rows=rows)
        if progress is not None:
            progress(table, rows, done, total)

    try:
        report = acdb_import(
            source=source or run.source, by=run.started_by, dry_run=run.dry_run, progress=step, connection=connection
        )
    except NotAnAcdb as exc:
        run.status, run.message = ImportRun.Status.REFUSED, f"{run.source_label}: {exc}"
    except reader.AcdbSourceError as exc:
        run.status, run.message = ImportRun.Status.FAILED, str(exc)
    except Exception as exc:  # the transaction rolled back; the run must still say what happened
        log.exception("ACDB import run %s failed", run.pk)
        run.status, run.message = ImportRun.Status.FAILED, f"Nothing was changed: {type(exc).__name__}: {exc}"[:2000]
    else:
        run.status = ImportRun.Status.SUCCEEDED
        run.counts = report.counts()
        run.errors = report.errors
        verb = "would change" if run.dry_run else "changed"
        run.message = f"{report.changed:,} rows {verb}; {report.error_count:,} rejected rows or warnings."
    if last:
        run.progress_table, run.progress_rows = last["table"], last["rows"]
    run.finished_at = timezone.now()
    run.save()
    return run


def import_run_fail(*, run_id, reason, upload=""):
    """Mark a queued or running run failed with ``reason`` (its job's worker died, or the job was cancelled or
    could not be queued); the import being one transaction, nothing of it was saved. Returns whether it did."""
    if upload:
        Path(upload).unlink(missing_ok=True)
    return bool(
        ImportRun.objects.filter(pk=run_id, status__in=ACTIVE).update(
            status=ImportRun.Status.FAILED,
            finished_at=timezone.now(),
            message=f"{reason} Nothing was changed (the import is all or nothing); start it again.",
        )
    )


def import_runs_expire(*, older_than_hours=12):
    """Mark failed the runs of `manage.py import_acdb` (no job, so no heartbeat) still queued or running after
    this long: their process stopped and, the import being one transaction, nothing of theirs was saved. Runs
    with a job are failed through their job's lease (jobs.services.jobs_fail_lost)."""
    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    stale = ImportRun.objects.filter(status__in=ACTIVE, job__isnull=True, created_at__lt=cutoff)
    if not stale.exists():  # read first: on SQLite an UPDATE waits for a running import's write lock
        return 0
    return stale.update(
        status=ImportRun.Status.FAILED,
        finished_at=timezone.now(),
        message="Interrupted: the server stopped during this run. Nothing was changed; start it again.",
    )
