"""An employee prepares an export as a job, watches it on the Jobs page (htmx polling) and downloads the file."""

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from customers.models import Site
from customers.sites import SITES
from jobs.models import Job
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_prepares_an_export_as_a_job_and_downloads_it(page, login, screenshot, generic, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    for code, name, district, kind in SITES:  # an earlier transactional test may have flushed the migration's rows
        Site.objects.get_or_create(code=code, defaults={"name": name, "district": district, "kind": kind})
    CustomerFactory.create_batch(3, site_code="MAK")
    login(generic)
    page.goto("/reports/export/?site=MAK")
    page.locator("section", has_text="Customers").first.get_by_role("button", name="XLSX").click()
    page.wait_for_url("**/jobs/*/")
    job = Job.objects.get()
    assert job.params["filters"]["site"] == "MAK" and job.status == Job.Status.SUCCEEDED  # immediate backend
    assert page.get_by_text("3 rows written.").is_visible()
    screenshot("job-done")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download customers-MAK.xlsx").click()
    path = tmp_path / "customers.xlsx"
    info.value.save_as(path)
    assert load_workbook(path).worksheets[0].max_row == 4


def test_the_jobs_page_follows_a_running_job_until_it_finishes(page, login, screenshot, generic):
    job = Job.objects.create(
        kind="export", title="Transactions as CSV", requested_by=generic, status=Job.Status.RUNNING,
        progress_done=400, progress_total=1000, message="Writing rows", heartbeat_at=timezone.now(),
    )  # fmt: skip
    login(generic)
    page.goto("/jobs/")
    assert page.get_by_text("Writing rows: 400 of 1,000").is_visible()
    screenshot("jobs-running")
    Job.objects.filter(pk=job.pk).update(progress_done=900, heartbeat_at=timezone.now())
    page.get_by_text("Writing rows: 900 of 1,000").wait_for(timeout=8000)  # polled, no reload
    Job.objects.filter(pk=job.pk).update(status=Job.Status.SUCCEEDED, finished_at=timezone.now(), message="1,000 rows written.")
    page.get_by_text("1,000 rows written.").wait_for(timeout=8000)
    assert page.locator("[hx-trigger]").count() == 0  # nothing left to poll
