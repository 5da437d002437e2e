"""/reports/export/: every dataset as CSV and XLSX, filters, row counts, errors and permissions."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from reports.exports import DATASETS, dataset_queryset, export_filters
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
    return [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]


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
        ({"from": "01/02/2024"}, "YYYY-MM-DD"),
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
