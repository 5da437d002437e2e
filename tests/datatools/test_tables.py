"""Tables browser: every table listed, sort and filter on every column, no way to inject SQL."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer
from datatools import tables
from tests.factories import AccountNumberFactory, CustomerFactory, LedgerRowFactory

pytestmark = pytest.mark.django_db

INJECTIONS = [
    "tblcustomer]; DROP TABLE tblcustomer;--",
    "FIRST NAME] FROM tblcustomer; DELETE FROM tblcustomer;--",
    "1; DROP TABLE tblcustomer",
    "' OR '1'='1",
    '"FIRST NAME"; DROP TABLE tblcustomer; --',
    "password",
    "__class__",
    "first_name",  # a field name, not a column: only the database's own column names are accepted
]


@pytest.fixture
def data():
    account = AccountNumberFactory(customer=CustomerFactory(first_name="Palesa", last_name="Mokoena"))
    CustomerFactory(first_name="Thabo", last_name="Lebona", site_code="MAS")
    LedgerRowFactory(accountnumber=account.accountnumber)
    return account


def test_it_lists_every_acdb_and_portal_table(data, generic_client):
    response = generic_client.get(reverse("datatools:tables"))
    assert response.status_code == 200
    names = [s["table"].name for s in response.context["summaries"]]
    for name in ("tblcustomer", "tblmeter", "tblaccountnumbers", "tblaccounthistory1", "tblconfig", "tblmeterdata1"):
        assert name in names
    assert "cc_site" in names and "cc_tariff_rate" in names and "cc_employee" in names and "cc_import_run" in names
    assert not any("historical" in n for n in names)  # history is read on the Mutations page
    counts = {s["table"].name: s["rows"] for s in response.context["summaries"]}
    assert counts["tblcustomer"] == 2 and counts["cc_site"] == 15


def test_every_table_opens(data, generic_client):
    for name in tables.browsable_tables():
        response = generic_client.get(reverse("datatools:table", args=[name]))
        assert response.status_code == 200, name


def test_it_never_shows_password_hashes(generic_client):
    response = generic_client.get(reverse("datatools:table", args=["cc_employee"]))
    assert b"md5$" not in response.content and b"pbkdf2" not in response.content
    assert "password" not in [c.name for c in response.context["columns"]]


@pytest.mark.parametrize("name", sorted(tables.browsable_tables()))
def test_it_sorts_and_filters_on_every_column(name, data, generic_client):
    table = tables.table_get(name)
    for column in table.columns:
        for order in ("asc", "desc"):
            response = generic_client.get(reverse("datatools:table", args=[name]), {"sort": column.name, "order": order})
            assert response.status_code == 200
            assert response.context["query"].sort == column and not response.context["query"].messages
        response = generic_client.get(reverse("datatools:table", args=[name]), {"col": column.name, "val": "1"})
        assert response.status_code == 200


def test_it_sorts_rows(data, generic_client):
    url = reverse("datatools:table", args=["tblcustomer"])
    first = generic_client.get(url, {"sort": "FIRST NAME", "order": "desc"}).context["rows"]
    assert first[0][1] == "Thabo"
    assert generic_client.get(url, {"sort": "FIRST NAME"}).context["rows"][0][1] == "Palesa"


def test_it_searches_text_columns_and_filters_a_column(data, generic_client):
    url = reverse("datatools:table", args=["tblcustomer"])
    assert [r[1] for r in generic_client.get(url, {"q": "lebona"}).context["rows"]] == ["Thabo"]
    assert [r[1] for r in generic_client.get(url, {"col": "Concession name", "val": "mas"}).context["rows"]] == ["Thabo"]
    response = generic_client.get(url, {"col": "CUSTOMER ID", "val": "not a number"})
    assert response.context["rows"] == [] and response.context["query"].messages


@pytest.mark.parametrize("rows", [3, tables.PER_PAGE * 2 + 5])
def test_a_page_runs_a_fixed_number_of_queries(generic_client, django_assert_num_queries, rows):
    CustomerFactory.create_batch(rows)
    url = reverse("datatools:table", args=["tblcustomer"])
    generic_client.get(url)  # the row count is cached for a few minutes
    # session, user, the page (one row more than shown)
    with django_assert_num_queries(3):
        first = generic_client.get(url)
    with django_assert_num_queries(4):  # a search or filter also counts its matches (capped)
        generic_client.get(url, {"after": first.context["page"].next_cursor or "", "q": "a", "col": "CITY", "val": ""})
    with django_assert_num_queries(3):
        generic_client.get(url, {"sort": "FIRST NAME", "page": "2"})


def test_the_key_order_pages_by_cursor_both_ways(generic_client):
    CustomerFactory.create_batch(tables.PER_PAGE * 2 + 5)
    url = reverse("datatools:table", args=["tblcustomer"])
    for order in ("asc", "desc"):
        pages, response = [], generic_client.get(url, {"order": order})
        while True:
            pages.append([row[0] for row in response.context["rows"]])
            if not response.context["page"].has_next:
                break
            response = generic_client.get(url, {"order": order, "after": response.context["page"].next_cursor})
        seen = [pk for page in pages for pk in page]
        assert [len(page) for page in pages] == [tables.PER_PAGE, tables.PER_PAGE, 5]
        assert seen == sorted(seen, reverse=order == "desc")
        back = generic_client.get(url, {"order": order, "before": response.context["page"].previous_cursor})
        assert [row[0] for row in back.context["rows"]] == pages[1]
        assert b"after=" in back.content and b"before=" in back.content
    assert generic_client.get(url, {"after": "not-a-cursor"}).context["rows"][0][0] == seen[-1]


def test_other_sorts_page_by_offset_up_to_a_bound(generic_client):
    CustomerFactory.create_batch(tables.PER_PAGE + 5)
    url = reverse("datatools:table", args=["tblcustomer"])
    first = generic_client.get(url, {"sort": "FIRST NAME"})
    assert len(first.context["rows"]) == tables.PER_PAGE and first.context["has_next"]
    assert b"page=2" in first.content
    second = generic_client.get(url, {"sort": "FIRST NAME", "page": "2"})
    assert len(second.context["rows"]) == 5 and not second.context["has_next"]
    assert generic_client.get(url, {"page": "lots"}).status_code == 200
    assert generic_client.get(url, {"sort": "FIRST NAME", "page": "999999"}).context["query"].page == tables.MAX_PAGE


def test_ledger_rows_page_by_their_id(generic_client):
    for _ in range(tables.PER_PAGE + 1):
        LedgerRowFactory()
    url = reverse("datatools:table", args=["tblaccounthistory1"])
    first = generic_client.get(url)
    second = generic_client.get(url, {"after": first.context["page"].next_cursor})
    assert len(second.context["rows"]) == 1
    assert second.context["rows"][0][0] > max(row[0] for row in first.context["rows"])


@pytest.mark.parametrize("attempt", INJECTIONS)
def test_injection_through_the_table_name_is_a_404(attempt, generic_client):
    assert generic_client.get(f"/tables/{attempt}/").status_code in (404,)
    assert Customer.objects.model._default_manager.count() >= 0  # the table is still there


@pytest.mark.parametrize("attempt", INJECTIONS)
@pytest.mark.parametrize("parameter", ["sort", "col"])
def test_injection_through_sort_and_filter_names_is_a_message(attempt, parameter, data, generic_client):
    response = generic_client.get(reverse("datatools:table", args=["tblcustomer"]), {parameter: attempt, "val": "x"})
    assert response.status_code == 200
    assert any("There is no column" in m for m in response.context["query"].messages)
    assert Customer.objects.count() == 2


@pytest.mark.parametrize("attempt", INJECTIONS)
def test_injection_through_filter_and_search_values_is_data(attempt, data, generic_client):
    url = reverse("datatools:table", args=["tblcustomer"])
    assert generic_client.get(url, {"col": "FIRST NAME", "val": attempt}).context["rows"] == []
    assert generic_client.get(url, {"q": attempt}).context["rows"] == []
    assert generic_client.get(url, {"order": attempt}).status_code == 200
    assert Customer.objects.count() == 2


def test_the_export_streams_the_same_view(data, generic_client):
    response = generic_client.get(reverse("datatools:table_export", args=["tblcustomer"]), {"q": "thabo", "sort": "FIRST NAME"})
    assert response["Content-Disposition"] == 'attachment; filename="tblcustomer.csv"'
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("CUSTOMER ID,FIRST NAME,")
    assert len(lines) == 2 and ",Thabo," in lines[1]
    assert generic_client.get("/tables/tblcustomer]--/export.csv").status_code == 404


def test_the_browser_answers_htmx_with_rows_only(data, generic_client):
    response = generic_client.get(reverse("datatools:table", args=["tblcustomer"]), HTTP_HX_REQUEST="true")
    assert b"<h1>" not in response.content and b"Palesa" in response.content
    assert "HX-Request" in response["Vary"]


def test_tables_need_a_login(client):
    assert client.get(reverse("datatools:tables")).status_code == 302
    assert client.get(reverse("datatools:table", args=["tblcustomer"])).status_code == 302


def test_the_row_count_follows_the_search_and_the_filter(generic_client, monkeypatch):
    for i in range(3):
        CustomerFactory(first_name=f"Counted{i}", last_name="Mokoena")
    CustomerFactory(first_name="Other", last_name="Thabane")
    page = generic_client.get("/tables/tblcustomer/", {"q": "Mokoena"}).content.decode()
    assert "3 rows match this search or filter." in page
    one = generic_client.get("/tables/tblcustomer/", {"col": "FIRST NAME", "val": "Other"}, HTTP_HX_REQUEST="true")
    assert "1 row matches this search or filter." in one.content.decode()
    assert "match this search" not in generic_client.get("/tables/tblcustomer/").content.decode()
    monkeypatch.setattr(tables, "MATCH_COUNT_CAP", 2)
    assert "More than 2 rows match" in generic_client.get("/tables/tblcustomer/", {"q": "Mokoena"}).content.decode()


def test_a_date_filter_reads_day_first_as_the_forms_do(generic_client):
    from datetime import date

    CustomerFactory(first_name="Lineo", date_service_connected=date(2024, 2, 1))
    CustomerFactory(first_name="Mpho", date_service_connected=date(2024, 1, 2))
    url = reverse("datatools:table", args=["tblcustomer"])
    for typed in ("2024-02-01", "01/02/2024", "01-02-2024"):
        rows = generic_client.get(url, {"col": "DATE SERVICE CONNECTED", "val": typed}).context["rows"]
        assert [r[1] for r in rows] == ["Lineo"], typed
    LedgerRowFactory(transaction_date=timezone.make_aware(datetime(2024, 2, 1, 9, 30)))
    ledger = reverse("datatools:table", args=["tblaccounthistory1"])
    assert len(generic_client.get(ledger, {"col": "transaction date", "val": "01/02/2024"}).context["rows"]) == 1
