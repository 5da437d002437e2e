"""/reports/export/: every dataset as CSV and XLSX, filters, row counts, errors and permissions."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from billing.models import AccountHistory
from reports import exports
from reports.exports import DATASETS, FORMATS, dataset_queryset, export_filters
from tests.factories import AccountNumberFactory, CustomerFactory, LedgerRowFactory, MeterFactory, MeterReadingFactory
from tests.reports.factories import build_report_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(db):
    build_report_dataset()


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def xlsx_rows(response):
    content = b"".join(response.streaming_content)
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    rows = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    # An empty cell is not written, so a row ending in blanks is shorter: pad it as a spreadsheet shows it.
    return [row + [None] * (len(rows[0]) - len(row)) for row in rows]


FILTERS = [{}, {"site": "MAK"}, {"from": "2024-04-01", "to": "2024-06-30"}, {"q": "000"}, {"site": "mas", "q": "2"}]


@pytest.mark.parametrize("name", sorted(DATASETS))
@pytest.mark.parametrize("params", FILTERS)
def test_it_exports_as_many_rows_as_the_filtered_queryset(generic_client, dataset, name, params):
    filters, problems = export_filters(params)
    assert problems == []
    expected = dataset_queryset(DATASETS[name], filters).count()
    response = generic_client.get(f"/reports/export/{name}.csv", params)
    assert response.status_code == 200 and response.streaming
    rows = csv_rows(response)
    assert rows[0] == [header for header, _ in DATASETS[name].columns]
    assert len(rows) - 1 == expected
    response = generic_client.get(f"/reports/export/{name}.xlsx", params)
    assert response.status_code == 200
    assert len(xlsx_rows(response)) - 1 == expected


def test_it_filters_transactions_by_site_and_dates_and_names_the_site(generic_client, dataset):
    response = generic_client.get("/reports/export/transactions.csv", {"site": "MAK", "from": "2024-02-01", "to": "2024-02-29"})
    rows = csv_rows(response)
    header = rows[0]
    body = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert [(r["accountnumber"], r["Site code"], r["Site name"], r["transaction amount (LSL)"]) for r in body] == [
        ("0001MAK", "MAK", "Ha Makebe", "50.00"),
        ("0001MAK", "MAK", "Ha Makebe", "-20.00"),
    ]
    assert response["Content-Disposition"] == 'attachment; filename="transactions-MAK-2024-02-01-2024-02-29.csv"'


def test_it_writes_numbers_and_dates_as_such_in_xlsx(generic_client, dataset):
    rows = xlsx_rows(generic_client.get("/reports/export/customers.xlsx", {"site": "MAS"}))
    header = rows[0]
    first = dict(zip(header, rows[1], strict=True))
    assert first["Site name"] == "Mashai"
    assert first["DATE SERVICE CONNECTED"].date() == date(2024, 2, 1)
    assert isinstance(first["CUSTOMER ID"], int)


def test_it_answers_404_for_an_unknown_dataset_or_format(generic_client):
    assert generic_client.get("/reports/export/passwords.csv").status_code == 404
    assert generic_client.get("/reports/export/customers.json").status_code == 404


@pytest.mark.parametrize(
    "params,message",
    [
        ({"from": "02/31/2024"}, "YYYY-MM-DD or DD/MM/YYYY"),  # month-first is refused, day-first read
        ({"from": "2024-05-01", "to": "2024-04-01"}, "after"),
        ({"site": "ZZZ"}, "not a site code"),
    ],
)
def test_it_explains_a_bad_filter(generic_client, params, message):
    response = generic_client.get("/reports/export/customers.csv", params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_it_shows_the_export_page_with_links_carrying_the_filters(generic_client):
    response = generic_client.get("/reports/export/", {"site": "MAK", "from": "2024-01-01"})
    assert response.status_code == 200
    html = response.content.decode()
    for name in DATASETS:
        assert f"/reports/export/{name}.csv?site=MAK&amp;from=2024-01-01" in html
        assert f"/reports/export/{name}.xlsx?" in html


def test_it_refuses_anonymous_exports(client):
    response = client.get("/reports/export/transactions.csv")
    assert response.status_code == 302 and response.url.startswith("/login/")


# --- every column's value and place, against rows built by hand ------------------------------------------------


@pytest.fixture
def hand_rows(db):
    """One row of each dataset with every column set, plus two ledger rows at the same moment (ID breaks the
    tie) and one of an account with no tblaccountnumbers row; times stored in UTC, exported in Maseru time."""
    customer = CustomerFactory(
        first_name="Lineo",
        middle_name="Mpho",
        last_name="Mokoena",
        phone="+26650000001",
        cell_phone_1="",
        cell_phone_2="+26650000002",
        email="lineo@example.org",
        plot_number="MAK 0001 SME",
        street_address="",
        city="Ha Rantsimane",
        district="Maseru",
        site_code="MAK",
        customer_type="SME",
        date_service_connected=date(2024, 1, 15),
        date_service_terminated=None,
        national_id="123456789012",
        gender="Female",
        gps_x=27.651599,
        gps_y=-29.5,
        country="Lesotho",
        record_create_date=datetime(2024, 1, 15, 6, 30, 5, tzinfo=UTC),
        record_created_by="clerk 5001",
    )
    meter = MeterFactory(
        meterid="SMRSD-24-00000042",
        customer=customer,
        accountnumber="0001MAK",
        customer_type="SME",
        community="MAK",
        village_name="Ha Rantsimane",
        current_status="active",
        customer_connect_date=date(2024, 1, 16),
        latitude=-29.5,
        longitude=27.651599,
    )
    AccountNumberFactory(
        accountnumber="0001MAK",
        customer=customer,
        meter=meter,
        community="MAK",
        opened_date=datetime(2024, 1, 16, 22, 15, tzinfo=UTC),  # already the 17th in Maseru
        created_by="clerk 5001",
    )
    rows = {}
    for key, account, when, amount, rate, kwh, payment, balance in [
        ("later", "0001MAK", (2024, 2, 20, 7, 0), "-20.00", None, "-4.000", False, "6.000"),
        ("first", "0001MAK", (2024, 2, 10, 7, 0), "50.00", "5.0000", "10.000", True, "10.000"),
        ("tie", "0001mak", (2024, 2, 10, 7, 0), "0.50", "5.0000", "0.100", True, "10.100"),
        ("legacy", "9999XYZ", (2024, 3, 1, 21, 59, 59), "10.00", "4.5000", "2.222", True, None),
    ]:
        rows[key] = LedgerRowFactory(
            accountnumber=account,
            meterid="SMRSD-24-00000042" if account != "9999XYZ" else "",
            transaction_date=datetime(*when, tzinfo=UTC),
            transaction_amount=Decimal(amount),
            rate_used=Decimal(rate) if rate else None,
            kwh_value=Decimal(kwh),
            payment=payment,
            current_balance=Decimal(balance) if balance else None,
        )
    reading = MeterReadingFactory(
        meterid="SMRSD-24-00000042", whdatetime=datetime(2025, 1, 10, 16, 10, tzinfo=UTC), power_kw=Decimal("1.2500")
    )
    return customer, rows, reading


def expected_rows(name, customer, ledger, reading):
    """Per dataset: (CSV rows as text, XLSX rows as openpyxl reads them back), worked out by hand."""
    cid = customer.customer_id
    if name == "customers":
        csv_row = [str(cid), "Lineo", "Mpho", "Mokoena", "+26650000001", "", "+26650000002", "lineo@example.org"]
        csv_row += ["MAK 0001 SME", "", "Ha Rantsimane", "Maseru", "MAK", "Ha Makebe", "SME", "2024-01-15", ""]
        csv_row += ["123456789012", "Female", "27.651599", "-29.5", "Lesotho", "2024-01-15 08:30:05", "clerk 5001"]
        xlsx_row = [cid, "Lineo", "Mpho", "Mokoena", "+26650000001", None, "+26650000002", "lineo@example.org"]
        xlsx_row += ["MAK 0001 SME", None, "Ha Rantsimane", "Maseru", "MAK", "Ha Makebe", "SME", datetime(2024, 1, 15)]
        xlsx_row += [None, "123456789012", "Female", 27.651599, -29.5, "Lesotho", datetime(2024, 1, 15, 8, 30, 5)]
        xlsx_row += ["clerk 5001"]
        return [csv_row], [xlsx_row]
    if name == "meters":
        csv_row = ["SMRSD-24-00000042", str(cid), "Lineo", "Mokoena", "0001MAK", "SME", "MAK", "Ha Makebe"]
        csv_row += ["Ha Rantsimane", "active", "2024-01-16", "-29.5", "27.651599"]
        xlsx_row = ["SMRSD-24-00000042", cid, "Lineo", "Mokoena", "0001MAK", "SME", "MAK", "Ha Makebe"]
        xlsx_row += ["Ha Rantsimane", "active", datetime(2024, 1, 16), -29.5, 27.651599]
        return [csv_row], [xlsx_row]
    if name == "accounts":
        csv_row = ["0001MAK", str(cid), "Lineo", "Mokoena", "SMRSD-24-00000042", "MAK", "Ha Makebe"]
        csv_row += ["2024-01-17 00:15:00", "clerk 5001"]
        xlsx_row = ["0001MAK", cid, "Lineo", "Mokoena", "SMRSD-24-00000042", "MAK", "Ha Makebe"]
        xlsx_row += [datetime(2024, 1, 17, 0, 15), "clerk 5001"]
        return [csv_row], [xlsx_row]
    if name == "transactions":
        first, tie, later, legacy = (ledger[k] for k in ("first", "tie", "later", "legacy"))
        meter = "SMRSD-24-00000042"
        csv_rows = [
            [str(first.id), "0001MAK", "MAK", "Ha Makebe", meter, "2024-02-10 09:00:00", "True", "50.00", "5.0000"],
            [str(tie.id), "0001mak", "MAK", "Ha Makebe", meter, "2024-02-10 09:00:00", "True", "0.50", "5.0000"],
            [str(later.id), "0001MAK", "MAK", "Ha Makebe", meter, "2024-02-20 09:00:00", "False", "-20.00", ""],
            [str(legacy.id), "9999XYZ", "XYZ", "", "", "2024-03-01 23:59:59", "True", "10.00", "4.5000"],
        ]
        for row, kwh, balance in zip(
            csv_rows, ["10.000", "0.100", "-4.000", "2.222"], ["10.000", "10.100", "6.000", ""], strict=True
        ):
            row += [kwh, balance]
        xlsx_rows = [
            [first.id, "0001MAK", "MAK", "Ha Makebe", meter, datetime(2024, 2, 10, 9), True, 50, 5, 10, 10],
            [tie.id, "0001mak", "MAK", "Ha Makebe", meter, datetime(2024, 2, 10, 9), True, 0.5, 5, 0.1, 10.1],
            [later.id, "0001MAK", "MAK", "Ha Makebe", meter, datetime(2024, 2, 20, 9), False, -20, None, -4, 6],
            [legacy.id, "9999XYZ", "XYZ", None, None, datetime(2024, 3, 1, 23, 59, 59), True, 10, 4.5, 2.222, None],
        ]
        return csv_rows, xlsx_rows
    assert name == "readings"
    csv_row = [str(reading.id), "SMRSD-24-00000042", "MAK", "Ha Makebe", "2025-01-10 18:10:00", "1.2500"]
    xlsx_row = [reading.id, "SMRSD-24-00000042", "MAK", "Ha Makebe", datetime(2025, 1, 10, 18, 10), 1.25]
    return [csv_row], [xlsx_row]


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_it_writes_every_column_in_its_place_in_csv_and_xlsx(generic_client, hand_rows, name):
    expected_csv, expected_xlsx = expected_rows(name, *hand_rows)
    rows = csv_rows(generic_client.get(f"/reports/export/{name}.csv"))
    assert rows[0] == [header for header, _ in DATASETS[name].columns]
    assert rows[1:] == expected_csv
    rows = xlsx_rows(generic_client.get(f"/reports/export/{name}.xlsx"))
    assert rows[0] == [header for header, _ in DATASETS[name].columns]
    assert rows[1:] == expected_xlsx


def test_it_writes_money_and_energy_with_their_places_and_dates_with_a_date_format_in_xlsx(generic_client, hand_rows):
    content = b"".join(generic_client.get("/reports/export/transactions.xlsx").streaming_content)
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet["F2"].is_date and sheet["F2"].value == datetime(2024, 2, 10, 9)
    assert sheet["A1"].font.b and not sheet["A2"].font.b
    # Numbers, not text: 50.00, 5.0000, 10.000, 10.000 (the XML keeps the database's places; Excel reads doubles).
    assert [cell.data_type for cell in sheet[2]][7:] == ["n"] * 4
    assert [cell.value for cell in sheet[2]][7:] == [50, 5, 10, 10]


def test_it_drops_control_characters_xml_cannot_hold_from_xlsx_but_keeps_them_in_csv(generic_client, db):
    CustomerFactory(first_name="Pale\x0bsa", last_name="Mo\x01koena", plot_number="")
    rows = xlsx_rows(generic_client.get("/reports/export/customers.xlsx"))
    assert rows[1][1:4] == ["Palesa", None, "Mokoena"]
    assert rows[1][8] is None
    assert csv_rows(generic_client.get("/reports/export/customers.csv"))[1][1] == "Pale\x0bsa"


# --- fixed queries and constant memory ----------------------------------------------------------------------------


def more_rows(count):
    """``count`` customers, each with a meter, an account, two ledger rows and a reading."""
    for n in range(count):
        account = AccountNumberFactory(accountnumber=f"{n + 100:04d}MAS", customer__site_code="MAS")
        for day in (1, 2):
            LedgerRowFactory(accountnumber=account.accountnumber, transaction_date=datetime(2024, 5, day, 8, n % 60, tzinfo=UTC))
        MeterReadingFactory(meterid=account.meter_id, community="MAS")


EXPORT_QUERIES = 5  # session, employee, site check, site names, the rows: one cursor


@pytest.mark.parametrize("name", sorted(DATASETS))
@pytest.mark.parametrize("file_format", sorted(FORMATS))
@pytest.mark.parametrize("size", ["small", "larger"])
def test_it_reads_a_fixed_number_of_queries_whatever_the_row_count(
    generic_client, dataset, django_assert_max_num_queries, monkeypatch, name, file_format, size
):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 7)  # many chunks and batches even for a few rows
    monkeypatch.setattr(exports, "BATCH_ROWS", 3)
    if size == "larger":
        more_rows(25)
    expected = dataset_queryset(DATASETS[name], {"site": "MAS"}).count()
    with django_assert_max_num_queries(EXPORT_QUERIES):
        response = generic_client.get(f"/reports/export/{name}.{file_format}", {"site": "MAS"})
        content = b"".join(response.streaming_content)
    if file_format == "csv":
        assert content.decode("utf-8-sig").count("\r\n") - 1 == expected
    else:
        sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
        assert sum(1 for _ in sheet.iter_rows()) - 1 == expected
    assert size == "small" or expected > 25


def test_it_sends_csv_in_blocks_of_many_rows_not_one_row_per_block(generic_client, dataset):
    more_rows(30)
    blocks = list(generic_client.get("/reports/export/transactions.csv").streaming_content)
    assert len(blocks) == 2  # the header, then one batch: every row
    assert blocks[1].count(b"\r\n") == AccountHistory.objects.count()


# --- Excel's row limit -------------------------------------------------------------------------------------------


def test_it_continues_on_another_sheet_past_excels_row_limit_repeating_the_header(generic_client, dataset, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 3)
    ids = list(AccountHistory.objects.order_by("transaction_date", "id").values_list("id", flat=True))
    assert len(ids) == 8
    content = b"".join(generic_client.get("/reports/export/transactions.xlsx").streaming_content)
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    assert workbook.sheetnames == ["Transactions", "Transactions 2", "Transactions 3"]
    headers = [header for header, _ in DATASETS["transactions"].columns]
    sheets = [[list(r) for r in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets]
    assert [sheet[0] for sheet in sheets] == [headers] * 3
    assert [len(sheet) - 1 for sheet in sheets] == [3, 3, 2]
    assert [row[0] for sheet in sheets for row in sheet[1:]] == ids


def test_it_gives_an_empty_export_its_header_row(generic_client, db):
    rows = xlsx_rows(generic_client.get("/reports/export/transactions.xlsx"))
    assert rows == [[header for header, _ in DATASETS["transactions"].columns]]
    assert csv_rows(generic_client.get("/reports/export/transactions.csv")) == [rows[0]]
