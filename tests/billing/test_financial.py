"""Financial figures (SPEC §4) against hand-computed ones, the page, the XLSX and the quarter helpers."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from billing import financial
from tests.factories import CustomerFactory, LedgerRowFactory, aware


@pytest.fixture
def small_world(db):
    CustomerFactory(site_code="MAK", date_service_connected=date(2024, 1, 15))
    CustomerFactory(site_code="MAK", date_service_connected=date(2024, 5, 1), date_service_terminated=date(2024, 6, 15))
    CustomerFactory(site_code="KET", date_service_connected=date(2024, 8, 1))
    CustomerFactory(site_code="KET", date_service_connected=None)  # never connected: never active
    for account, when, amount in [
        ("0001MAK", aware(2024, 2, 10, 9), "100.00"),
        ("0001MAK", aware(2024, 3, 31, 23, 30), "10.00"),  # still Q1 in Maseru (21:30 UTC)
        ("0001MAK", aware(2024, 4, 5, 9), "50.00"),
        ("0002MAK", aware(2024, 5, 10, 9), "30.00"),
        ("0001KET", aware(2024, 8, 15, 9), "80.00"),
    ]:
        LedgerRowFactory(accountnumber=account, transaction_date=when, transaction_amount=Decimal(amount))
    # Consumption rows are not sales.
    LedgerRowFactory(
        accountnumber="0001MAK", transaction_date=aware(2024, 8, 1), payment=False, transaction_amount=Decimal("-20.00")
    )


def test_it_computes_quarters_sales_active_and_arpu(small_world, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        summary = financial.financial_summary()
    assert [(q["quarter"], q["sales"], q["active_customers"], q["arpu"]) for q in summary["quarters"]] == [
        ("2024 Q1", Decimal("110.00"), 1, Decimal("110.00")),
        ("2024 Q2", Decimal("80.00"), 2, Decimal("40.00")),
        ("2024 Q3", Decimal("80.00"), 2, Decimal("40.00")),
    ]
    assert summary["growth_pct"] == Decimal("0.0")
    assert summary["table"] == [
        {"site": "KET", "sales": [Decimal("0.00"), Decimal("0.00"), Decimal("80.00")], "total": Decimal("80.00")},
        {"site": "MAK", "sales": [Decimal("110.00"), Decimal("80.00"), Decimal("0.00")], "total": Decimal("190.00")},
    ]
    assert summary["grand_total"] == Decimal("270.00")
    assert {r["site"]: r["arpu"] for r in summary["latest_by_site"]} == {"KET": Decimal("80.00"), "MAK": Decimal("0.00")}


def test_it_filters_by_site(small_world):
    summary = financial.financial_summary(site_code="MAK")
    assert [q["quarter"] for q in summary["quarters"]] == ["2024 Q1", "2024 Q2"]
    assert summary["sites"] == ["MAK"]


def test_quarter_helpers():
    assert financial.quarter_bounds("2025 Q4") == (date(2025, 10, 1), date(2025, 12, 31))
    assert financial.quarter_bounds("2024q1") == (date(2024, 1, 1), date(2024, 3, 31))
    assert financial.quarters_between("2024 Q3", "2025 Q2") == ["2024 Q3", "2024 Q4", "2025 Q1", "2025 Q2"]
    with pytest.raises(ValueError, match="2025 Q4"):
        financial.quarter_bounds("2025-13")


def test_the_page_and_download(small_world, generic_client):
    page = generic_client.get("/financial/")
    assert page.status_code == 200
    assert b"M 40.00" in page.content and b"<svg" in page.content
    assert generic_client.get("/financial/?site=ZZZ").status_code == 200
    download = generic_client.get("/financial/download/?site=MAK")
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(download.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Site", "2024 Q1", "2024 Q2", "Total")
    assert rows[-1][0] == "Total" and Decimal(str(rows[-1][-1])) == Decimal("190")


@pytest.mark.django_db
def test_an_empty_ledger_says_what_to_do(generic_client):
    assert b"No payments recorded" in generic_client.get("/financial/").content


@pytest.mark.django_db
def test_the_download_writes_a_legacy_site_code_as_text_not_a_formula(generic_client):
    """A ledger account number from the legacy database can end in anything; its "site" is never a formula."""
    LedgerRowFactory(accountnumber="0001=A1", transaction_date=aware(2024, 2, 10, 9), transaction_amount=Decimal("-5.00"))
    LedgerRowFactory(accountnumber="0002MAK", transaction_date=aware(2024, 2, 10, 9), transaction_amount=Decimal("10.00"))
    workbook = load_workbook(BytesIO(generic_client.get("/financial/download/").content))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    by_site = {row[0]: row for row in workbook.worksheets[0].iter_rows(values_only=True)}
    assert by_site["'=A1"][1] == -5 and by_site["MAK"][1] == 10  # the amount stays a number
