"""The O&M report in Chromium: open it, change the quarter (htmx swap), download the XLSX and the PDF."""

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook

from customers.models import Site
from customers.sites import SITES
from tests.reports.factories import build_report_dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dataset(db):
    for code, name, district, kind in SITES:  # a transactional test database starts without the data migration's rows
        Site.objects.get_or_create(code=code, defaults={"name": name, "district": district, "kind": kind})
    build_report_dataset()


def test_it_changes_the_quarter_and_downloads_both_files(page, login, screenshot, generic, dataset, tmp_path):
    login(generic)
    page.goto("/reports/om/?quarter=2024+Q2")
    assert page.locator("h1").inner_text() == "O&M Report"
    assert page.get_by_role("heading", name="Table 1. Sites in 2024 Q2").is_visible()

    page.select_option("#om-quarter", "2024 Q1")
    page.get_by_role("heading", name="Table 1. Sites in 2024 Q1").wait_for()
    assert parse_qs(urlsplit(page.url).query)["quarter"] == ["2024 Q1"]  # the address follows the picker
    screenshot("om-report-tablet")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download XLSX").click()
    download = info.value
    assert download.suggested_filename == "om-report-2024-Q1.xlsx"
    xlsx = tmp_path / download.suggested_filename
    download.save_as(xlsx)
    assert "Sites" in load_workbook(xlsx, read_only=True).sheetnames

    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").click()
    download = info.value
    assert download.suggested_filename == "om-report-2024-Q1.pdf"
    pdf = tmp_path / download.suggested_filename
    download.save_as(pdf)
    assert Path(pdf).read_bytes().startswith(b"%PDF")
