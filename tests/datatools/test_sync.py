"""Sync: a superadmin queues an ACDB import (a job) from an upload or the configured source; runs are listed.

`inline` runs the queued job as the request's transaction commits (the immediate task backend); the tests with
real workers in other processes are in tests/jobs/test_acdb_import_workers.py."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.models import Customer
from datatools.acdb.runs import import_run_create, import_run_queue
from datatools.models import ImportRun
from tests.datatools.acdb_source import build_acdb

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "access"


@pytest.fixture
def inline(settings, django_capture_on_commit_callbacks):
    """POST to the Sync page with the queued job run when the request's transaction commits."""

    class Inline:
        def __getattr__(self, name):
            return getattr(settings, name)

        def __setattr__(self, name, value):
            setattr(settings, name, value)

        def post(self, client, data, follow=False):
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post(reverse("datatools:sync"), data)
            return client.get(response.url) if follow and response.status_code == 302 else response

    return Inline()


@pytest.fixture
def acdb(tmp_path, settings):
    settings.CC_ACDB_SOURCE = build_acdb(tmp_path / "acdb.sqlite3")  # the configured source
    return settings.CC_ACDB_SOURCE


def access_upload(name="ASampleDatabase.accdb"):
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes(), content_type="application/octet-stream")


def test_only_a_superadmin_may_sync(onm_client, finance_client, generic_client, admin_client):
    url = reverse("datatools:sync")
    for client in (onm_client, finance_client, generic_client):
        assert client.get(url).status_code == 403
        assert client.post(url, {"source": "upload"}).status_code == 403
    assert admin_client.get(url).status_code == 200


def test_the_configured_source_imports(inline, acdb, admin_client, superadmin):
    inline.CC_ACDB_SOURCE = acdb
    response = inline.post(admin_client, {"source": "configured"}, follow=True)
    assert response.status_code == 200
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.SUCCEEDED and run.started_by == superadmin
    assert Customer.objects.count() == 3
    assert b"tblcustomer" in response.content and b"Import #" in response.content


def test_a_dry_run_saves_nothing(inline, acdb, admin_client):
    inline.CC_ACDB_SOURCE = acdb
    inline.post(admin_client, {"source": "configured", "dry_run": "on"})
    run = ImportRun.objects.get()
    assert run.dry_run and run.counts["tblcustomer"]["new"] == 3
    assert not Customer.objects.exists()


def test_an_uploaded_access_file_that_is_not_an_acdb_is_refused_and_removed(inline, admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = inline.post(admin_client, {"source": "upload", "file": access_upload()}, follow=True)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.REFUSED and "not an ACDB" in run.message
    assert run.source_label == "ASampleDatabase.accdb"
    assert b"not an ACDB" in response.content
    assert list((tmp_path / "acdb-uploads").iterdir()) == []


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("notes.txt", b"hello"), b"Only Access files"),
        (SimpleUploadedFile("fake.accdb", b"\x00\x01\x00\x00Not an Access file at all"), b"not an Access database"),
        (None, b"Choose an .accdb or .mdb file"),
    ],
)
def test_bad_uploads_re_render_with_errors(upload, message, inline, admin_client):
    data = {"source": "upload"}
    if upload is not None:
        data["file"] = upload
    response = admin_client.post(reverse("datatools:sync"), data)
    assert response.status_code == 200 and message in response.content
    assert not ImportRun.objects.exists()


def test_uploads_over_the_limit_are_refused(inline, admin_client, settings):
    settings.CC_ACDB_UPLOAD_MAX_MB = 0
    response = admin_client.post(reverse("datatools:sync"), {"source": "upload", "file": access_upload()})
    assert b"larger than" in response.content and not ImportRun.objects.exists()


def test_the_configured_option_needs_a_configured_source(inline, admin_client, settings):
    settings.CC_ACDB_SOURCE = ""
    response = admin_client.post(reverse("datatools:sync"), {"source": "configured"})
    assert response.status_code == 200 and not ImportRun.objects.exists()


def test_one_import_at_a_time(admin_client, superadmin, acdb, settings):
    settings.CC_ACDB_SOURCE = acdb
    import_run_create(source=acdb, by=superadmin)  # queued, not finished
    response = admin_client.post(reverse("datatools:sync"), {"source": "configured"}, follow=True)
    assert b"already running" in response.content and ImportRun.objects.count() == 1


def test_the_run_partial_polls_while_active_and_stops_when_done(
    admin_client, superadmin, acdb, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        run = import_run_queue(by=superadmin)
    url = reverse("datatools:sync_run", args=[run.pk])
    waiting = admin_client.get(url).content
    assert b'hx-trigger="every 2s"' in waiting and b"Queued; waiting for a worker." in waiting
    for callback in queued:
        callback()  # the worker takes the job
    done = admin_client.get(url)
    assert b"every 2s" not in done.content and b"Succeeded" in done.content
    assert f"job {run.job_id}".encode() in done.content
    assert admin_client.get(reverse("datatools:sync_run", args=[9999])).status_code == 404


def test_the_request_only_queues_the_import(admin_client, acdb, settings):
    """No worker here (the dummy backend keeps what is queued): the page answers at once, the run waits."""
    settings.CC_ACDB_SOURCE = acdb
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    response = admin_client.post(reverse("datatools:sync"), {"source": "configured"}, follow=True)
    run = ImportRun.objects.select_related("job").get()
    assert run.status == ImportRun.Status.QUEUED and run.job.kind == "acdb_import" and run.job.status == "queued"
    assert run.job.params == {"run": run.pk, "upload": ""}  # the worker reads the configured source itself
    assert not Customer.objects.exists()
    assert b"queued for a worker" in response.content and response.context["active"] == run


def test_the_command_prints_progress(acdb, capsys):
    from django.core.management import call_command

    call_command("import_acdb", acdb)
    err = capsys.readouterr().err
    assert "Reading tblcustomer: 3 rows" in err and "rows in all" in err


def test_a_run_whose_job_lost_its_worker_is_marked_failed_when_the_page_is_read(admin_client, superadmin, acdb, settings):
    from datetime import timedelta

    from django.utils import timezone

    from jobs.models import Job

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    run = import_run_queue(by=superadmin)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING)
    stale = timezone.now() - timedelta(seconds=settings.CC_JOB_LEASE_SECONDS + 5)
    Job.objects.filter(pk=run.job_id).update(status=Job.Status.RUNNING, heartbeat_at=stale, worker="w1:99")
    response = admin_client.get(reverse("datatools:sync"))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and "stopped: no heartbeat since" in run.message
    assert response.context["active"] is None and b"no heartbeat since" in response.content


def test_a_cancelled_import_job_fails_its_run(superadmin, acdb, settings):
    from jobs.services import job_cancel

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    run = import_run_queue(by=superadmin)
    job_cancel(job=run.job, by=superadmin)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and "Cancelled" in run.message


def test_a_second_delivery_of_the_import_job_does_not_run_it_again(superadmin, acdb, django_capture_on_commit_callbacks):
    from jobs.services import job_run

    with django_capture_on_commit_callbacks(execute=True):
        run = import_run_queue(by=superadmin)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.SUCCEEDED and run.job.status == "succeeded"
    assert job_run(job_id=run.job_id) is None  # the job is no longer queued
    run.job.status = "queued"
    run.job.save()
    assert job_run(job_id=run.job_id) == "succeeded"  # the job claimed again finds its run taken: nothing imported
    run.job.refresh_from_db()
    assert "not run again" in run.job.message
    assert Customer.objects.count() == 3


def test_a_command_line_run_cut_off_by_a_restart_is_marked_failed(admin_client, superadmin, acdb):
    from datetime import timedelta

    from django.utils import timezone

    run = import_run_create(source=acdb, by=superadmin)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING, created_at=timezone.now() - timedelta(days=1))
    response = admin_client.get(reverse("datatools:sync"))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and b"Interrupted" in response.content
    assert response.context["active"] is None


def test_housekeeping_marks_the_run_of_a_lost_import_job_failed(superadmin, acdb, settings):
    from datetime import timedelta

    from django.utils import timezone

    from jobs.models import Job
    from jobs.tasks import housekeeping_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    run = import_run_queue(by=superadmin)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING)
    stale = timezone.now() - timedelta(seconds=settings.CC_JOB_LEASE_SECONDS + 5)
    Job.objects.filter(pk=run.job_id).update(status=Job.Status.RUNNING, heartbeat_at=stale)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
    assert housekeeping_task.enqueue().return_value["lost"] == 1  # the scheduler's housekeeping, nobody on a page
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and "no heartbeat since" in run.message


def test_the_page_still_answers_when_the_database_is_too_busy_to_check_for_lost_runs(admin_client, monkeypatch):
    from django.db import OperationalError

    from datatools import views

    def locked():
        raise OperationalError("database is locked")  # SQLite while an import holds the write lock

    monkeypatch.setattr(views, "jobs_fail_lost", locked)
    assert admin_client.get(reverse("datatools:sync")).status_code == 200
