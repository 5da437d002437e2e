"""The Dashboard, the O&M report page and its XLSX and PDF downloads."""

import io

import pytest
from openpyxl import load_workbook

from tests.reports.factories import build_report_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(db):
    build_report_dataset()


def test_it_shows_the_dashboard_with_totals(generic_client, dataset):
    response = generic_client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "MWh sold" in html and "'000 LSL sold" in html and "Active customers" in html
    summary = response.context["summary"]
    assert summary["overview"]["total_customers"] == 4
    assert [(r["code"], r["customers"], str(r["mwh"]), str(r["lsl_thousands"])) for r in summary["sites"]] == [
        ("MAK", 2, "0.035", "0.18"),
        ("MAS", 2, "0.014", "0.07"),
        ("XYZ", 0, "0.002", "0.01"),
    ]
    assert summary["totals"]["customers"] == 4
    assert "<svg" in html


def test_it_shows_an_empty_dashboard(generic_client):
    response = generic_client.get("/")
    assert response.status_code == 200
    assert "No customers or sales yet" in response.content.decode()


def test_it_sends_anonymous_users_to_login(client):
    for url in ["/", "/reports/om/", "/reports/om/report.xlsx", "/reports/export/", "/reports/export/customers.csv"]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/login/"), url


def test_it_shows_the_om_report_for_a_quarter(generic_client, dataset, django_assert_max_num_queries):
    with django_assert_max_num_queries(40):
        response = generic_client.get("/reports/om/", {"quarter": "2024 Q2", "site": "MAK"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Table 1. Sites in 2024 Q2" in html
    assert html.count("<svg") >= 12
    assert 'value="2024 Q2" selected' in html
    assert "report.xlsx?quarter=2024+Q2&amp;site=MAK" in html


def test_it_returns_the_partial_to_htmx(generic_client, dataset):
    response = generic_client.get("/reports/om/", {"quarter": "2024 Q1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="om-report">')
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_it_explains_a_bad_quarter_instead_of_failing(generic_client, dataset):
    response = generic_client.get("/reports/om/", {"quarter": "last one", "site": "NOPE"}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "expected YYYY QN" in html
    assert "is not a site code" in html


def test_it_downloads_the_report_as_xlsx_with_a_sheet_per_table(generic_client, dataset):
    response = generic_client.get("/reports/om/report.xlsx", {"quarter": "2024 Q2"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="om-report-2024-Q2.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:2] == ["Overview", "Sites"]
    assert {
        "Growth",
        "Energy by site",
        "Sales by site",
        "Cumulative",
        "Average daily",
        "By type",
        "Load profile",
        "Generation",
        "ARPU",
    } <= set(workbook.sheetnames)
    sites = workbook["Sites"]
    rows = list(sites.iter_rows(values_only=True))
    mak = next(r for r in rows if r[0] == "MAK")
    assert mak[3:6] == (2, 2, 1)
    assert float(mak[8]) == 125.5  # sales in 2024 Q2, a number not text
    assert rows[-1][1] == "Total"


def test_it_downloads_the_report_as_an_a4_pdf(generic_client, dataset):
    response = generic_client.get("/reports/om/report.pdf", {"quarter": "2024 Q2"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_it_lays_the_pdf_out_on_a4_with_a_title_page(dataset):
    from ccportal.quarters import Quarter
    from reports.om_documents import om_report_pdf_document
    from reports.om_report import om_report_build

    document = om_report_pdf_document(om_report_build(quarter=Quarter(2024, 2)))
    width, height = document.pages[0].width, document.pages[0].height
    assert (round(width * 25.4 / 96), round(height * 25.4 / 96)) == (210, 297)  # CSS px to mm
    assert len(document.pages) >= 4
    assert "Operations & Maintenance Quarterly Report" in document.metadata.title


def test_it_refuses_an_unknown_report_format(generic_client):
    assert generic_client.get("/reports/om/report.docx").status_code == 404


@pytest.mark.parametrize("file_format", ["xlsx", "pdf"])
@pytest.mark.parametrize("query", [{"quarter": "2024 Q9"}, {"quarter": "2024 Q2", "site": "NOPE"}])
def test_a_download_with_a_bad_quarter_or_site_says_so_instead_of_another_quarters_file(
    generic_client, dataset, file_format, query
):
    response = generic_client.get(f"/reports/om/report.{file_format}", query)
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response
    body = response.content.decode()
    assert ("Showing the current quarter instead" in body) or ("is not a site code" in body)


def test_today_s_active_customers_are_one_figure_on_every_page(generic_client, generic):
    """Total − terminated on the Dashboard, Customers and the O&M overview; quarter figures are labelled so."""
    from datetime import date

    from rest_framework.test import APIClient

    from tests.factories import CustomerFactory, LedgerRowFactory, aware

    CustomerFactory.create_batch(4, date_service_connected=date(2020, 1, 1))
    CustomerFactory(date_service_connected=None)  # never connected: not terminated, so counted as active today
    CustomerFactory.create_batch(2, date_service_connected=date(2020, 1, 1), date_service_terminated=date(2024, 5, 1))
    dashboard = generic_client.get("/").context["summary"]["overview"]["active_customers"]
    customers = generic_client.get("/customers/").context["counts"]["active"]
    api = APIClient()
    api.force_authenticate(generic)
    overview = api.get("/api/om-report/overview").json()
    assert dashboard == customers == overview["active_customers"] == 5
    assert overview["active_customers"] + overview["terminated_customers"] == overview["total_customers"]
    LedgerRowFactory(accountnumber="0045MAK", payment=True, transaction_date=aware(2025, 2, 1))
    financial = generic_client.get("/financial/").content.decode()
    assert "Active in 2025 Q1" in financial and "Active in the quarter" in financial and "Active customers" not in financial
    om = generic_client.get("/reports/om/").content.decode()
    assert "Active in quarter" in om
