"""Runs of the ACDB import: record each one (ImportRun), execute it, and run it off the request thread.

The import itself is one database transaction, so its row progress cannot be seen by other connections
until it commits; live progress is kept in this process's memory and shown by the Sync page's poll."""

import logging
import threading
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from datatools.acdb import reader
from datatools.acdb.importer import NotAnAcdb, acdb_import, display_source
from datatools.models import ImportRun

log = logging.getLogger(__name__)
_live = {}  # run id -> {"table": ..., "rows": ...}
_live_lock = threading.Lock()


def import_run_create(*, source, by, dry_run=False, label=""):
    return ImportRun.objects.create(
        source=display_source(source)[:500],
        source_label=(label or display_source(source))[:255],
        started_by=by,
        dry_run=dry_run,
    )


def import_run_execute(run, *, source=None, connection=None):
    """Run the import recorded by ``run`` and store its outcome; never raises for a bad source or row."""
    run.status = ImportRun.Status.RUNNING
    run.started_at = timezone.now()
    run.save(update_fields=["status", "started_at"])

    def progress(table, rows):
        with _live_lock:
            _live[run.pk] = {"table": table, "rows": rows}

    try:
        report = acdb_import(
            source=source or run.source, by=run.started_by, dry_run=run.dry_run, progress=progress, connection=connection
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
    finally:
        with _live_lock:
            last = _live.pop(run.pk, None)
    if last:
        run.progress_table, run.progress_rows = last["table"], last["rows"]
    run.finished_at = timezone.now()
    run.save()
    return run


def import_run_start(run, *, source=None, delete_after=None):
    """Start ``run`` without blocking the caller: a daemon thread in this process (inline when
    CC_SYNC_INLINE is set, as in tests). ``delete_after``: an uploaded file removed when the run ends."""

    def execute():
        try:
            import_run_execute(run, source=source)
        finally:
            if delete_after:
                Path(delete_after).unlink(missing_ok=True)

    if settings.CC_SYNC_INLINE:
        execute()
        return None

    def target():
        close_old_connections()
        try:
            execute()
        finally:
            close_old_connections()

    thread = threading.Thread(target=target, name=f"acdb-import-{run.pk}", daemon=True)
    thread.start()
    return thread


def import_run_progress(run):
    """Live progress of a run executing in this process: {"table", "rows"} or None."""
    with _live_lock:
        live = _live.get(run.pk)
    return dict(live) if live else None


def import_runs_expire(*, older_than_hours=12):
    """Mark runs still queued or running after this long as failed: their process stopped (a restart)
    and, the import being one transaction, nothing of theirs was saved."""
    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    return ImportRun.objects.filter(status__in=[ImportRun.Status.QUEUED, ImportRun.Status.RUNNING], created_at__lt=cutoff).update(
        status=ImportRun.Status.FAILED,
        finished_at=timezone.now(),
        message="Interrupted: the server stopped during this run. Nothing was changed; start it again.",
    )
