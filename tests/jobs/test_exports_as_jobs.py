"""Every export runs as a job: the file it leaves under CC_PRIVATE_ROOT holds what the streaming download holds."""

import csv
import io

import pytest
from openpyxl import load_workbook

from jobs.models import Job
from reports.exports import DATASETS, dataset_queryset, export_filters
from tests.reports.factories import build_report_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(db):
    build_report_dataset()


def _downloaded(client, job):
    response = client.get(f"/jobs/{job.pk}/download")
    assert response.status_code == 200, job.error
    return b"".join(response.streaming_content)


def _sheet_rows(content):
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    rows = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    return [row + [None] * (len(rows[0]) - len(row)) for row in rows]


@pytest.mark.parametrize("name", sorted(DATASETS))
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_it_exports_each_dataset_as_a_job_with_the_same_content_as_the_download(
    generic_client, dataset, start_job, name, file_format
):
    params = {"site": "MAK"}
    response = start_job(generic_client, "export", {"dataset": name, "format": file_format, **params})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == Job.Status.SUCCEEDED, job.error
    filters, _ = export_filters(params)
    expected = dataset_queryset(DATASETS[name], filters).count()
    assert (job.progress_done, job.progress_total, job.result["rows"]) == (expected, expected, expected)
    streamed = b"".join(generic_client.get(f"/reports/export/{name}.{file_format}", params).streaming_content)
    content = _downloaded(generic_client, job)
    if file_format == "csv":
        assert content == streamed
        assert len(list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))) == expected + 1
    else:
        assert _sheet_rows(content) == _sheet_rows(streamed)
    assert job.result_name == f"{name}-MAK.{file_format}"


def test_it_exports_the_om_report_pdf_and_xlsx_the_financial_xlsx_and_a_table_csv_as_jobs(generic_client, dataset, start_job):
    start_job(generic_client, "om_report", {"format": "pdf", "quarter": "2024-Q1"})
    start_job(generic_client, "om_report", {"format": "xlsx", "quarter": "2024-Q1", "site": "MAK"})
    start_job(generic_client, "financial_xlsx", {"site": ""})
    start_job(generic_client, "table_csv", {"table": "tblcustomer", "sort": "CUSTOMER ID", "order": "desc"})
    pdf, om_xlsx, financial, table = Job.objects.order_by("pk")
    assert [j.status for j in (pdf, om_xlsx, financial, table)] == [Job.Status.SUCCEEDED] * 4, [
        j.error for j in (pdf, om_xlsx, financial, table)
    ]
    assert _downloaded(generic_client, pdf).startswith(b"%PDF")
    assert pdf.result_name == "om-report-2024-Q1.pdf"
    assert load_workbook(io.BytesIO(_downloaded(generic_client, om_xlsx))).sheetnames
    assert _sheet_rows(_downloaded(generic_client, financial)) == _sheet_rows(generic_client.get("/financial/download/").content)
    streamed = b"".join(
        generic_client.get("/tables/tblcustomer/export.csv", {"sort": "CUSTOMER ID", "order": "desc"}).streaming_content
    )
    assert _downloaded(generic_client, table) == streamed
    assert table.progress_done == table.progress_total


def test_it_refuses_a_bad_filter_before_queuing_anything(generic_client, dataset, start_job):
    response = start_job(
        generic_client, "export", {"dataset": "customers", "format": "csv", "from": "2024-13-01", "next": "/reports/export/"}
    )
    assert response.status_code == 302 and response["Location"] == "/reports/export/"
    assert not Job.objects.exists()
    response = start_job(generic_client, "export", {"dataset": "nothing", "format": "csv"})
    assert not Job.objects.exists()
