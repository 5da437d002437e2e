"""Job services: statement posting and rollups as jobs, a failing job leaves no file, pruning, the scheduler's
claim-once tick."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from billing.models import AccountHistory, PaymentImport
from jobs import schedule
from jobs.files import JobOutput, job_directory
from jobs.models import Job, Schedule
from jobs.services import job_create, job_files_prune, job_run, task_results_prune

pytestmark = pytest.mark.django_db


def test_posting_a_statement_runs_as_a_job_and_twice_posts_nothing_more(
    finance_client, finance, statement, priced_accounts, start_job
):
    content, name = statement("mpesa_day.csv")
    finance_client.post("/payments/import/", {"provider": "mpesa", "statement": SimpleUploadedFile(name, content)})
    payment_import = PaymentImport.objects.get()
    preview = finance_client.get(f"/payments/import/{payment_import.pk}/").content.decode()
    assert 'action="/jobs/start/payment_import_confirm"' in preview
    response = start_job(finance_client, "payment_import_confirm", {"payment_import": payment_import.pk})
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == Job.Status.SUCCEEDED and job.result["posted"] == 2 and job.message.startswith("Posted 2 payments")
    assert job.requested_by == finance and AccountHistory.objects.filter(payment=True).count() == 2
    again = start_job(
        finance_client, "payment_import_confirm", {"payment_import": payment_import.pk, "next": "/payments/import/"}
    )
    assert again["Location"] == "/payments/import/" and Job.objects.count() == 1  # refused before queuing
    assert AccountHistory.objects.count() == 2


def test_a_failing_job_records_why_and_leaves_no_file(generic, monkeypatch):
    from reports import exports

    def broken(dataset, file_format, filters, path, progress=None):
        path.write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(exports, "export_write", broken)
    job = job_create(
        kind="export", params={"dataset": "customers", "format": "csv", "filters": {}}, title="Customers", by=generic
    )
    with pytest.raises(OSError):
        job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.error == "OSError: disk full" and job.result_path == ""
    assert not job_directory(job.pk).exists()


def test_a_job_runs_once_however_often_its_task_is_delivered(generic):
    job = job_create(kind="rollups_rebuild", params={}, title="Rollups", by=generic)
    assert job_run(job_id=job.pk) == Job.Status.SUCCEEDED
    assert job_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED


def test_it_prunes_files_older_than_the_kept_days_and_keeps_the_rows(generic, settings):
    settings.CC_EXPORT_KEEP_DAYS = 7
    old, recent = (Job.objects.create(kind="export", title=t, requested_by=generic, status=Job.Status.SUCCEEDED) for t in "ab")
    for job, age in ((old, 8), (recent, 6)):
        output = JobOutput(job.pk)
        output.write_bytes("customers.csv", b"x")
        Job.objects.filter(pk=job.pk).update(
            result_path=output.relative_path, result_name=output.name, finished_at=timezone.now() - timedelta(days=age)
        )
    assert job_files_prune() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert not job_directory(old.pk).exists() and old.result_path == "" and "deleted after 7 days" in old.message
    assert (job_directory(recent.pk) / "customers.csv").exists() and recent.result_path


def test_it_prunes_finished_task_results(settings):
    from django_tasks_db.models import DBTaskResult

    from jobs.tasks import housekeeping_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    done, waiting = housekeeping_task.enqueue(), housekeeping_task.enqueue()
    DBTaskResult.objects.filter(pk=done.id).update(status="SUCCESSFUL", finished_at=timezone.now() - timedelta(days=30))
    assert task_results_prune() == 1
    assert list(DBTaskResult.objects.values_list("pk", flat=True)) == [waiting.db_result.pk]


def test_the_scheduler_enqueues_each_due_run_once_however_many_schedulers_tick(settings, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    every = schedule.Every("test_every", 60, task="jobs.tasks.tariffs_apply_due_task")
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert schedule.schedule_tick(now=now, schedules=[every]) == ["test_every"]
        assert schedule.schedule_tick(now=now + timedelta(seconds=30), schedules=[every]) == []  # not due again yet
        row = Schedule.objects.get(name="test_every")
        assert row.next_run_at == now + timedelta(seconds=60)
        # Two schedulers read the same due row; only the first conditional UPDATE wins.
        later = now + timedelta(seconds=61)
        assert schedule._schedule_run(every, row, later) is True
        assert schedule._schedule_run(every, row, later) is False
    assert DBTaskResult.objects.filter(task_path="jobs.tasks.tariffs_apply_due_task").count() == 2


def test_a_daily_schedule_is_next_due_at_its_local_time():
    daily = schedule.Daily("nightly", at=timezone.datetime(2000, 1, 1, 2, 30).time())
    evening = timezone.make_aware(timezone.datetime(2026, 3, 1, 22, 0))
    assert timezone.localtime(daily.next_after(evening)) == timezone.make_aware(timezone.datetime(2026, 3, 2, 2, 30))
    early = timezone.make_aware(timezone.datetime(2026, 3, 1, 1, 0))
    assert timezone.localtime(daily.next_after(early)) == timezone.make_aware(timezone.datetime(2026, 3, 1, 2, 30))


def test_the_nightly_rollup_check_is_a_job_saying_what_it_found(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        schedule._schedule_run(
            schedule.Daily(
                "rollup_check", at=timezone.now().time(), job_kind="rollups_check", description="Nightly rollup check"
            ),
            Schedule.objects.create(name="rollup_check", next_run_at=timezone.now()),
            timezone.now(),
        )
    job = Job.objects.get()
    assert (job.kind, job.title, job.status, job.requested_by) == (
        "rollups_check",
        "Nightly rollup check",
        Job.Status.SUCCEEDED,
        None,
    )
    assert job.message == "Every rollup equals its table."


def test_housekeeping_prunes_expired_token_families_and_keeps_live_ones(onm, client):
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

    from accounts.models import TokenFamily
    from accounts.services import token_family_start
    from jobs.tasks import housekeeping_task

    expired_refresh, live_refresh = token_family_start(employee=onm), token_family_start(employee=onm)
    expired = TokenFamily.objects.get(current_jti=expired_refresh["jti"])
    TokenFamily.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    OutstandingToken.objects.filter(jti=expired_refresh["jti"]).update(expires_at=timezone.now() - timedelta(minutes=1))
    result = housekeeping_task.enqueue().return_value  # the immediate backend: run now
    assert result["token_families"] == 1
    assert list(TokenFamily.objects.values_list("current_jti", flat=True)) == [live_refresh["jti"]]
    assert not OutstandingToken.objects.filter(jti=expired_refresh["jti"]).exists()
    me = client.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {live_refresh.access_token}")
    assert me.status_code == 200  # the live family's tokens still work
