"""/jobs/: my jobs, everyone's for superadmins; progress, download rights, cancel with confirmation, stale queue."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ccportal.rollup import ROLLUPS
from jobs.files import JobOutput
from jobs.models import Job
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _job(by, **fields):
    return Job.objects.create(kind="export", title=f"Customers for {by}", requested_by=by, **fields)


def _finished_with_file(by, content=b"CUSTOMER ID\r\n"):
    job = _job(by, status=Job.Status.SUCCEEDED, finished_at=timezone.now())
    output = JobOutput(job.pk)
    output.write_bytes("customers.csv", content)
    Job.objects.filter(pk=job.pk).update(result_path=output.relative_path, result_name=output.name, result_size=len(content))
    return job


def test_it_lists_my_jobs_only_and_everyones_for_a_superadmin(client_for, generic, finance, superadmin):
    mine, theirs = _job(generic), _job(finance)
    page = client_for(generic).get("/jobs/").content.decode()
    assert mine.title in page and theirs.title not in page
    page = client_for(superadmin).get("/jobs/").content.decode()
    assert mine.title in page and theirs.title in page and "Schedules" in page


def test_the_list_has_a_fixed_number_of_queries(client_for, generic, django_assert_max_num_queries):
    client = client_for(generic)
    client.get("/jobs/")
    for _ in range(30):
        _job(generic, status=Job.Status.RUNNING, progress_done=5, progress_total=10, heartbeat_at=timezone.now())
    with django_assert_max_num_queries(9):
        assert client.get("/jobs/").status_code == 200


def test_it_polls_while_a_job_is_active_and_stops_when_all_are_finished(client_for, generic):
    client = client_for(generic)
    job = _job(
        generic,
        status=Job.Status.RUNNING,
        progress_done=250,
        progress_total=1000,
        message="Writing rows",
        heartbeat_at=timezone.now(),
    )
    page = client.get("/jobs/").content.decode()
    assert 'hx-trigger="every 2s"' in page and "Writing rows: 250 of 1,000" in page and 'value="25"' in page
    partial = client.get("/jobs/", headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="job-rows"') and "<html" not in partial
    Job.objects.filter(pk=job.pk).update(status=Job.Status.SUCCEEDED, finished_at=timezone.now(), message="250 rows written.")
    assert 'hx-trigger="every 2s"' not in client.get("/jobs/").content.decode()


def test_a_queued_job_no_worker_took_says_so(client_for, generic, settings):
    job = _job(generic)
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=2, seconds=5))
    assert "Queued; no worker has taken it for 2 minutes" in client_for(generic).get(f"/jobs/{job.pk}/").content.decode()


def test_only_the_requester_and_superadmins_download_the_file(client_for, generic, finance, superadmin):
    job = _finished_with_file(generic)
    response = client_for(generic).get(f"/jobs/{job.pk}/download")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"CUSTOMER ID\r\n"
    assert 'filename="customers.csv"' in response["Content-Disposition"]
    assert client_for(superadmin).get(f"/jobs/{job.pk}/download").status_code == 200
    assert client_for(finance).get(f"/jobs/{job.pk}/download").status_code == 403
    assert client_for(finance).get(f"/jobs/{job.pk}/").status_code == 403
    assert client_for(finance).get("/jobs/2147483000/download").status_code == 403  # no existence oracle
    assert client_for(superadmin).get("/jobs/2147483000/download").status_code == 404


def test_a_failed_or_unfinished_job_has_nothing_to_download(client_for, generic):
    failed = _job(generic, status=Job.Status.FAILED, error="The worker running this job stopped.")
    assert client_for(generic).get(f"/jobs/{failed.pk}/download").status_code == 404
    assert "The worker running this job stopped." in client_for(generic).get("/jobs/").content.decode()


def test_it_cancels_a_queued_job_after_confirmation_and_never_a_started_one(client_for, generic, finance):
    client = client_for(generic)
    job = _job(generic)
    confirm = client.get(f"/jobs/{job.pk}/cancel")
    assert confirm.status_code == 200 and "Cancel job" in confirm.content.decode()
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED  # the GET only asks
    assert client_for(finance).post(f"/jobs/{job.pk}/cancel").status_code == 403
    client.post(f"/jobs/{job.pk}/cancel")
    job.refresh_from_db()
    assert (job.status, job.cancelled_by) == (Job.Status.CANCELLED, generic)
    running = _job(generic, status=Job.Status.RUNNING, heartbeat_at=timezone.now())
    page = client.post(f"/jobs/{running.pk}/cancel", follow=True).content.decode()
    assert "Only a queued job can be cancelled" in page
    running.refresh_from_db()
    assert running.status == Job.Status.RUNNING


def test_a_cancelled_job_never_runs(generic):
    from jobs.services import job_run

    job = _job(generic, status=Job.Status.CANCELLED)
    assert job_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED and job.started_at is None


def test_the_export_page_offers_every_dataset_as_a_job(client_for, generic, start_job):
    CustomerFactory(site_code="MAK")
    page = client_for(generic).get("/reports/export/", {"site": "MAK"}).content.decode()
    assert page.count('action="/jobs/start/export"') == 5 and 'name="site" value="MAK"' in page
    response = start_job(client_for(generic), "export", {"dataset": "customers", "format": "xlsx", "site": "MAK"})
    job = Job.objects.get()
    detail = client_for(generic).get(response["Location"]).content.decode()
    assert job.status == Job.Status.SUCCEEDED and f"/jobs/{job.pk}/download" in detail and "1 rows written." in detail


def test_a_generic_employee_may_not_rebuild_rollups_but_a_superadmin_may(client_for, generic, superadmin, start_job):
    assert client_for(generic).post("/jobs/start/rollups_rebuild").status_code == 403
    assert "Rebuild the report rollups" not in client_for(generic).get("/jobs/").content.decode()
    start_job(client_for(superadmin), "rollups_rebuild", {})
    job = Job.objects.get()
    assert job.status == Job.Status.SUCCEEDED and job.message.startswith(f"Rebuilt {len(ROLLUPS)} rollups")
