"""The ACDB import as a job run by real workers in other processes, on the database backend and on RQ: the Sync
request only queues it, the worker's progress is read by this process, a killed worker's run is marked failed."""

import time

import pytest
from django.db import connection
from django.urls import reverse

from customers.models import Customer
from datatools.models import ImportRun
from jobs.models import Job
from tests.datatools.acdb_source import build_acdb
from tests.jobs.workers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)
PAUSE = {"CC_TEST_ACDB_PAUSE_SECONDS": "0.8"}  # after each of the import's 7 progress reports (tests/jobs/slow_kind.py)


@pytest.fixture
def sync_client(client_for, superadmin, settings, tmp_path):
    settings.CC_ACDB_SOURCE = build_acdb(tmp_path / "acdb.sqlite3")
    return client_for(superadmin)


def _worker(workers, settings):
    """A worker that reads the configured source from its own settings, as in production (the same .env)."""
    return workers.worker(CC_ACDB_SOURCE=settings.CC_ACDB_SOURCE, **PAUSE)


def _queue(client):
    client.get(reverse("datatools:sync"))  # a first request warms up (templates, URL resolvers)
    started = time.monotonic()
    response = client.post(reverse("datatools:sync"), {"source": "configured"})
    seconds = time.monotonic() - started
    assert response.status_code == 302
    run = ImportRun.objects.select_related("job").get()
    return run, seconds


def _run(run):
    """``run`` read afresh, its job read first: the worker saves the run and then ends the job, so a job seen
    ended means the run read after it is final (read the other way round, the run could be read just before
    its save and the job just after its end)."""
    job = Job.objects.get(pk=run.job_id)
    run.refresh_from_db()
    run.job = job
    return run


def test_the_request_returns_at_once_and_the_worker_imports(workers, sync_client, settings):
    run, seconds = _queue(sync_client)
    assert seconds < 2 and run.status == ImportRun.Status.QUEUED and not Customer.objects.exists()
    _worker(workers, settings)
    wait_for(lambda: _run(run).job.status == Job.Status.SUCCEEDED, timeout=60, what=f"the import ({workers.errors()})")
    assert run.status == ImportRun.Status.SUCCEEDED
    assert Customer.objects.count() == 3 and run.counts["tblcustomer"]["new"] == 3
    assert run.job.status == Job.Status.SUCCEEDED and run.job.progress_done == run.job.progress_total > 0


def test_progress_written_by_the_worker_is_read_by_this_process(workers, sync_client, settings):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite locks the whole database for the import's one transaction: progress lands at its end")
    run, _ = _queue(sync_client)
    _worker(workers, settings)
    seen = wait_for(
        lambda: _run(run).status == ImportRun.Status.RUNNING and run.job.message.startswith("Reading") and run.job.message,
        timeout=30,
        what=f"progress from the worker ({workers.errors()})",
    )
    assert 0 < run.job.progress_done < run.job.progress_total
    page = sync_client.get(reverse("datatools:sync_run", args=[run.pk])).content.decode()
    assert "Reading tbl" in page and f"of {run.job.progress_total:,}" in page
    later = wait_for(lambda: _run(run).job.message != seen and run.job.message, timeout=30, what="the next table")
    assert later.startswith("Reading") or run.status == ImportRun.Status.SUCCEEDED
    wait_for(lambda: _run(run).status == ImportRun.Status.SUCCEEDED, timeout=60, what="the import to end")


def test_a_killed_workers_import_is_marked_failed_not_left_running(workers, sync_client, settings):
    run, _ = _queue(sync_client)
    worker = _worker(workers, settings)
    wait_for(lambda: _run(run).status == ImportRun.Status.RUNNING, timeout=30, what=f"the import to start ({workers.errors()})")
    time.sleep(1)  # in the middle of its transaction
    workers.kill(worker)
    settings.CC_JOB_LEASE_SECONDS = 1
    time.sleep(1.2)
    page = sync_client.get(reverse("datatools:sync"))
    _run(run)
    assert run.status == ImportRun.Status.FAILED and "stopped: no heartbeat since" in run.message
    assert run.job.status == Job.Status.FAILED and page.context["active"] is None
    assert "no heartbeat since" in page.content.decode()
    assert not Customer.objects.exists()  # its transaction never committed


def test_the_worker_reads_the_upload_from_private_storage_and_deletes_it(workers, client_for, superadmin, private_root):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.datatools.test_sync import FIXTURES

    upload = SimpleUploadedFile("ASampleDatabase.accdb", (FIXTURES / "ASampleDatabase.accdb").read_bytes())
    response = client_for(superadmin).post(reverse("datatools:sync"), {"source": "upload", "file": upload})
    assert response.status_code == 302
    run = ImportRun.objects.select_related("job").get()
    (stored,) = (private_root / "acdb-uploads").iterdir()  # waiting for the worker in private storage
    assert run.job.params == {"run": run.pk, "upload": str(stored)}
    workers.worker()
    wait_for(lambda: _run(run).job.is_finished, timeout=60, what=f"the import ({workers.errors()})")
    assert run.status == ImportRun.Status.REFUSED and "not an ACDB" in run.message  # a real Access file, read
    assert run.job.status == Job.Status.FAILED and "not an ACDB" in run.job.error
    assert not stored.exists()
