"""Formula injection (issue #16 item 2): text that a spreadsheet would run as a formula comes out of every CSV and
XLSX the portal writes neutralised with a leading quote, XLSX text cells are strings, and numbers stay numbers.
(Financial: tests/billing/test_financial.py.)"""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from billing import services
from billing.statements import statement_read
from ccportal.quarters import quarter_parse_optional
from ccportal.spreadsheet import spreadsheet_text
from customers.models import Site
from reports.om_documents import om_report_xlsx
from reports.om_report import om_report_build
from tests.factories import AccountNumberFactory, CustomerFactory, LedgerRowFactory, aware

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x","y")'
# One payer text per dangerous first character (OWASP: = + - @ tab carriage return).
PAYER_TEXTS = ["=1+1", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


@pytest.fixture
def hostile_customer():
    Site.objects.update_or_create(code="MAK", defaults={"name": "@Makebe"})
    customer = CustomerFactory(first_name=HYPERLINK, last_name="-Mokoena", email="+cmd@example.org", site_code="MAK")
    account = AccountNumberFactory(customer=customer, accountnumber="0001MAK")
    LedgerRowFactory(accountnumber=account.accountnumber, transaction_amount=Decimal("-50.00"), kwh_value=Decimal("-10.000"))
    return customer


def _csv(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def _workbook(content):
    return load_workbook(io.BytesIO(content))  # not read-only: every cell's data_type as written


def _assert_no_formula(workbook):
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):  # a string, and one the neutraliser leaves as it is
                    assert cell.data_type == "s" and spreadsheet_text(cell.value) == cell.value


def test_the_customers_csv_neutralises_text_and_keeps_phones_as_written(generic_client, hostile_customer):
    header, row = _csv(generic_client.get("/reports/export/customers.csv"))
    values = dict(zip(header, row, strict=True))
    assert values["FIRST NAME"] == "'" + HYPERLINK
    assert values["LAST NAME"] == "'-Mokoena"
    assert values["EMAIL"] == "'+cmd@example.org"
    assert values["Site name"] == "'@Makebe"
    assert values["PHONE"] == hostile_customer.phone  # +2665…: a number to a spreadsheet, never a formula


def test_the_customers_xlsx_writes_strings_never_formulas(generic_client, hostile_customer):
    workbook = _workbook(b"".join(generic_client.get("/reports/export/customers.xlsx").streaming_content))
    _assert_no_formula(workbook)
    header, row = list(workbook.worksheets[0].iter_rows(values_only=True))
    values = dict(zip(header, row, strict=False))
    assert values["FIRST NAME"] == "'" + HYPERLINK and values["Site name"] == "'@Makebe"
    assert values["PHONE"] == hostile_customer.phone


def test_negative_amounts_stay_numbers_in_the_transactions_export(generic_client, hostile_customer):
    header, row = _csv(generic_client.get("/reports/export/transactions.csv"))
    values = dict(zip(header, row, strict=True))
    assert values["transaction amount (LSL)"] == "-50.00" and values["kwh value"] == "-10.000"
    workbook = _workbook(b"".join(generic_client.get("/reports/export/transactions.xlsx").streaming_content))
    _assert_no_formula(workbook)
    header, row = list(workbook.worksheets[0].iter_rows(values_only=True))
    values = dict(zip(header, row, strict=False))
    assert values["transaction amount (LSL)"] == -50 and values["kwh value"] == -10


def test_the_tables_csv_neutralises_customer_text(generic_client, hostile_customer):
    rows = _csv(generic_client.get("/tables/tblcustomer/export.csv"))
    assert "'" + HYPERLINK in rows[1] and "'-Mokoena" in rows[1]
    assert HYPERLINK not in rows[1]


def test_statement_payer_text_with_each_dangerous_start_is_neutralised(generic_client, finance):
    header = "Receipt No,Completion Time,Details,Transaction Status,Paid in,Withdrawn,Balance,Reason Type,Other Party Info\n"
    lines = []
    for i, text in enumerate(PAYER_TEXTS):
        lines.append(f'R{i},2025-03-01 10:0{i}:00,"{text}",Completed,5.00,,0,Pay,"26657000001 - {text}"\n')
    content = (header + "".join(lines)).encode()
    rows = statement_read(content=content, filename="hostile.csv", provider="mpesa")
    assert [r.details for r in rows] == [t.strip() for t in PAYER_TEXTS]
    payment_import = services.payment_import_create(provider="mpesa", filename="hostile.csv", content=content, by=finance)
    services.payment_rows_post(payment_import=payment_import, rows=rows, by=finance)
    exported = _csv(generic_client.get("/tables/cc_imported_payment/export.csv", {"sort": "row_number"}))
    columns = exported[0]
    by_receipt = {row[columns.index("receipt")]: row for row in exported[1:]}
    for i, text in enumerate(PAYER_TEXTS):
        row = by_receipt[f"R{i}"]
        assert row[columns.index("details")] == "'" + text.strip()
        assert row[columns.index("payer_name")] == "'" + text.strip()


def test_the_om_workbook_writes_site_names_as_strings(hostile_customer):
    Site.objects.update_or_create(code="MAK", defaults={"name": HYPERLINK})
    LedgerRowFactory(accountnumber="0001MAK", transaction_date=aware(2025, 11, 1))
    report = om_report_build(quarter=quarter_parse_optional("2025 Q4"), site=None)
    workbook = _workbook(om_report_xlsx(report))
    _assert_no_formula(workbook)
    texts = {cell.value for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row}
    assert "'" + HYPERLINK in texts and HYPERLINK not in texts
