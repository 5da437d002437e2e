"""Dates outside a plausible range and non-finite or absurd numbers are refused at every door (#16 items 1, 5):
forms, inline edits, the ledger dialogs, tariffs, filters, exports, statements, the import commands, the generation
and ACDB imports and API parameters answer with a message naming the field or row, never a 500, and store nothing."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from billing.models import AccountHistory, ImportedPayment, PaymentImport, TariffRate
from billing.statements import StatementError, statement_read
from ccportal import bounds, units
from reports.generation_import import generation_file_read
from tests.factories import AccountNumberFactory, CustomerFactory, TariffRateFactory, aware
from tests.security.urlmatrix import bearer_for

pytestmark = pytest.mark.django_db

ABSURD_DATES = ["0001-01-01", "1899-12-31", "9999-12-31", "2999-01-01"]
ABSURD_NUMBERS = ["Infinity", "-Infinity", "NaN", "sNaN", "1e30", "1E+30", "99999999999999999999"]
MPESA_HEADER = "Receipt No,Completion Time,Details,Transaction Status,Paid in,Withdrawn,Balance,Reason Type,Other Party Info"


def mpesa(completed="2025-03-01 10:15:00", paid_in="50.00"):
    row = f"RCP0000001,{completed},Pay Bill 0045MAK,Completed,{paid_in},,100.00,Pay Bill,26657000001 - Lerato"
    return f"{MPESA_HEADER}\n{row}\n".encode()


# --- the ground floor ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ABSURD_NUMBERS[:5])
def test_units_refuse_non_finite_and_huge_numbers_with_a_value_error(text):
    for convert in (units.money, units.energy, units.rate):
        with pytest.raises(ValueError):
            convert(text)


def test_the_bounds_come_from_settings(settings):
    settings.CC_MONEY_MAX_LSL = 10
    with pytest.raises(bounds.BoundsError, match="10 LSL"):
        bounds.number_check(Decimal("10.01"), label="Amount", within=bounds.MONEY)
    assert bounds.number_check(Decimal("10"), label="Amount", within=bounds.MONEY) == Decimal("10")
    settings.CC_DATES_YEARS_AHEAD = 1
    far = timezone.localdate() + timedelta(days=400)
    with pytest.raises(bounds.BoundsError, match="not plausible"):
        bounds.date_check(far, label="Effective from", within=bounds.EFFECTIVE)


def test_events_may_not_lie_in_the_future_beyond_the_clock_skew():
    now = timezone.now()
    assert bounds.moment_check(now + timedelta(minutes=5), label="Paid at", within=bounds.EVENT)
    with pytest.raises(bounds.BoundsError, match="Paid at"):
        bounds.moment_check(now + timedelta(hours=2), label="Paid at", within=bounds.EVENT)


# --- tariffs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "9999-12-31T23:59", "1999-12-31T23:00"])
def test_a_tariff_in_an_implausible_year_is_refused_with_a_field_error(admin_client, when):
    response = admin_client.post(
        "/tariffs/set/", {"scope": "global", "rate_lsl": "5", "effective_from": when, "reason": "typo in the year"}
    )
    assert response.status_code == 400
    assert "not plausible" in response.content.decode() and not TariffRate.objects.exists()
    assert admin_client.get("/tariffs/").status_code == 200


@pytest.mark.parametrize("rate", [*ABSURD_NUMBERS, "0", "-1", "100.0001"])
def test_a_tariff_rate_must_be_finite_and_plausible(admin_client, rate):
    response = admin_client.post("/tariffs/set/", {"scope": "global", "rate_lsl": rate, "effective_from": "", "reason": "x"})
    assert response.status_code == 400 and not TariffRate.objects.exists()


def test_the_tariff_service_refuses_a_year_one_start_itself(superadmin):
    from django.core.exceptions import ValidationError

    from billing.services import tariff_rate_set

    with pytest.raises(ValidationError) as caught:
        tariff_rate_set(scope="global", rate_lsl="5", effective_from=aware(1, 1, 1), by=superadmin, reason="x")
    assert "effective_from" in caught.value.message_dict


@pytest.mark.parametrize("field", ["since", "until"])
def test_the_tariff_history_filter_ignores_an_implausible_date(admin_client, field):
    assert admin_client.get("/tariffs/", {field: "0001-01-01"}).status_code == 200


# --- the ledger dialogs -------------------------------------------------------------------------------


@pytest.fixture
def account():
    TariffRateFactory(scope="site", scope_key="MAK", rate_lsl=Decimal("4.6000"), effective_from=aware(2020, 1, 1))
    return AccountNumberFactory(accountnumber="0045MAK")


def _ledger_post(client, **values):
    data = {"new-when": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "new-kind": "payment", "new-reason": "office"}
    data.update({f"new-{k}": v for k, v in values.items()})
    return client.post("/accounts/0045MAK/ledger/add/", data)


@pytest.mark.parametrize("field", ["amount", "kwh", "rate"])
@pytest.mark.parametrize("text", ABSURD_NUMBERS)
def test_a_ledger_row_with_an_absurd_number_is_refused(finance_client, account, field, text):
    values = {"amount": "46", field: text}
    response = _ledger_post(finance_client, **values)
    assert response.status_code == 400 and not AccountHistory.objects.exists()


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "9999-12-31T23:59", "2999-01-01T10:00"])
def test_a_ledger_row_in_an_implausible_year_or_the_future_is_refused(finance_client, account, when):
    response = _ledger_post(finance_client, when=when, amount="46")
    assert response.status_code == 400 and "not plausible" in response.content.decode()
    assert not AccountHistory.objects.exists()


def test_a_derived_kwh_out_of_range_is_a_field_error_not_a_500(finance_client, account):
    # 1,000,000 LSL at 0.0001 LSL/kWh would be 10 billion kWh
    response = _ledger_post(finance_client, amount="1000000", rate="0.0001")
    assert response.status_code == 400 and "kWh" in response.content.decode()
    assert not AccountHistory.objects.exists()


def test_an_edit_to_an_implausible_date_is_refused(finance_client, account):
    from tests.factories import LedgerRowFactory

    row = LedgerRowFactory(accountnumber="0045MAK", transaction_date=aware(2025, 1, 1))
    prefix = f"row{row.pk}"
    response = finance_client.post(
        f"/accounts/0045MAK/ledger/{row.pk}/",
        {f"{prefix}-when": "0001-01-01T00:00", f"{prefix}-kind": "payment", f"{prefix}-amount": "5", f"{prefix}-reason": "x"},
    )
    assert response.status_code == 400
    row.refresh_from_db()
    assert row.transaction_date == aware(2025, 1, 1)


# --- customers: the wizard, inline edits, meter assignment, termination -----------------------------------


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_the_wizard_refuses_a_connection_in_an_implausible_year(onm_client, value):
    from tests.customers.test_wizard import LOCATION, PERSONAL, SERVICE, walk

    walk(onm_client, PERSONAL, LOCATION)
    response = onm_client.post("/customers/new/", {**SERVICE, "date_service_connected": value})
    assert response.status_code == 200 and "not plausible" in response.context["form"].errors["date_service_connected"][0]


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_an_inline_date_edit_is_refused_with_its_error(onm_client, value):
    customer = CustomerFactory()
    response = onm_client.post(
        f"/customers/{customer.pk}/field/date_service_connected/", {"date_service_connected": value, "reason": "typo"}
    )
    assert "not plausible" in response.content.decode()
    customer.refresh_from_db()
    assert customer.date_service_connected != __import__("datetime").date.fromisoformat(value)


@pytest.mark.parametrize("value", ["Infinity", "NaN", "1e30"])
def test_an_inline_gps_edit_refuses_absurd_numbers(onm_client, value):
    customer = CustomerFactory(gps_y=-29.5)
    response = onm_client.post(f"/customers/{customer.pk}/field/gps_y/", {"gps_y": value, "reason": "x"})
    assert response.status_code in (200, 400)
    customer.refresh_from_db()
    assert customer.gps_y == -29.5


def test_termination_in_year_one_is_refused(onm_client, superadmin, client_for):
    customer = CustomerFactory()
    response = client_for(superadmin).post(
        f"/customers/{customer.pk}/terminate/", {"terminate-on": "0001-01-01", "terminate-reason": "x"}
    )
    assert response.status_code in (200, 302, 400)
    customer.refresh_from_db()
    assert customer.date_service_terminated is None


# --- filters, exports and API parameters --------------------------------------------------------------


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_export_dates_out_of_range_are_a_message(admin_client, value):
    for key in ("from", "to"):
        response = admin_client.get("/reports/export/customers.csv", {key: value})
        assert response.status_code == 400 and "not plausible" in response.content.decode()


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_mutation_filters_out_of_range_do_not_fail(admin_client, value):
    assert admin_client.get("/mutations/", {"date_from": value, "date_to": value}).status_code == 200


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("transaction_date", "0001-01-01"),
        ("transaction_date", "9999-12-31 23:59"),
        ("transaction_amount", "1e30"),
        ("ID", "99999999999999999999"),
    ],
)
def test_a_tables_filter_value_the_column_cannot_hold_is_a_message(admin_client, column, value):
    response = admin_client.get("/tables/tblaccounthistory1/", {"col": column, "val": value})
    assert response.status_code == 200
    export = admin_client.get("/tables/tblaccounthistory1/export.csv", {"col": column, "val": value})
    assert export.status_code == 200 and b"".join(export.streaming_content)


@pytest.mark.parametrize("quarter", ["9999 Q4", "0000 Q1", "1999 Q4"])
def test_om_report_quarters_outside_the_years_are_a_400_on_the_api_and_a_message_on_the_page(
    admin_client, superadmin, client, quarter
):
    response = client.get(
        "/api/om-report/customer-stats", {"quarter": quarter}, headers={"Authorization": bearer_for(superadmin)}
    )
    assert response.status_code == 400 and "quarter" in response.json()
    assert admin_client.get("/reports/om/", {"quarter": quarter}).status_code == 200


@pytest.mark.parametrize("query", ["50 0001-01-01", "50 9999-12-31", "99999999999999999999999999999 2025-03-01"])
def test_payment_lookup_by_amount_and_date_refuses_absurd_values(admin_client, superadmin, client, query):
    assert admin_client.get("/payments/lookup/", {"q": query}).status_code == 200
    response = client.get("/api/payments/lookup", {"q": query}, headers={"Authorization": bearer_for(superadmin)})
    assert response.status_code == 200 and response.json()["payments"] == [] and response.json()["hint"]


# --- statements, the import command and the generation import ------------------------------------------


@pytest.mark.parametrize("completed", ["0001-01-01 10:00:00", "9999-12-31 23:59:59", "1999-12-31 23:59:59"])
def test_a_statement_row_in_an_implausible_year_is_a_row_error(completed):
    with pytest.raises(StatementError) as caught:
        statement_read(content=mpesa(completed=completed), filename="s.csv", provider="mpesa")
    assert caught.value.errors[0][0] == 2 and "Completion Time" in caught.value.errors[0][1]


def test_a_statement_row_in_the_future_is_a_row_error():
    later = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S")
    with pytest.raises(StatementError, match="not plausible"):
        statement_read(content=mpesa(completed=later), filename="s.csv", provider="mpesa")


@pytest.mark.parametrize("amount", [*ABSURD_NUMBERS, "1000000.01"])
def test_a_statement_amount_that_is_not_finite_or_too_large_is_a_row_error(amount):
    with pytest.raises(StatementError) as caught:
        statement_read(content=mpesa(paid_in=amount), filename="s.csv", provider="mpesa")
    assert caught.value.errors[0][0] == 2 and "Paid in" in caught.value.errors[0][1]


def test_the_upload_page_shows_the_row_error_and_stores_nothing(finance_client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("s.csv", mpesa(paid_in="Infinity"), content_type="text/csv")
    response = finance_client.post("/payments/import/", {"provider": "mpesa", "statement": upload})
    assert response.status_code == 400 and "Row 2" in response.content.decode()
    assert not PaymentImport.objects.exists() and not ImportedPayment.objects.exists()


@pytest.mark.parametrize("amount", ["Infinity", "NaN", "sNaN", "1e30"])
def test_import_payments_prints_the_row_error_not_a_traceback(tmp_path, amount):
    path = tmp_path / "s.csv"
    path.write_bytes(mpesa(paid_in=amount))
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_payments", str(path), "--provider", "mpesa", stderr=err)
    assert "row 2: Paid in" in err.getvalue() and "Traceback" not in err.getvalue()
    assert not PaymentImport.objects.exists()


@pytest.mark.parametrize(
    ("day", "kwh", "problem"),
    [
        ("0001-01-01", "5", "not plausible"),
        ("2999-01-01", "5", "not plausible"),
        ("2025-01-01", "Infinity", "not a number"),
        ("2025-01-01", "NaN", "not a number"),
        ("2025-01-01", "1e30", "not a number"),
        ("2025-01-01", "10000001", "out of range"),
    ],
)
def test_the_generation_import_reports_the_line(tmp_path, day, kwh, problem):
    path = tmp_path / "g.csv"
    path.write_text(f"site,date,kwh\nMAK,{day},{kwh}\n")
    result = generation_file_read(path, known_sites={"MAK"})
    assert not result.rows and result.errors[0].startswith("line 2") and problem in result.errors[0]


# --- the ACDB import ------------------------------------------------------------------------------------


def test_the_acdb_import_rejects_implausible_dates_and_amounts_row_by_row(superadmin, tmp_path):
    from datatools.acdb.importer import acdb_import
    from tests.datatools.acdb_source import build_acdb, customer, ledger, standard_tables

    tables = standard_tables()
    tables["tblcustomer"].append(customer(4, **{"DATE SERVICE CONNECTED": "0001-01-01 00:00:00"}))
    tables["tblaccounthistory1"] += [
        ledger(10, "0001MAK", "9999-12-31 00:00:00", "5", "1", -1),
        ledger(11, "0001MAK", "2024-02-01 00:00:00", "1e30", "1", -1),
        ledger(12, "0001MAK", "2024-02-01 00:00:00", "5", "Infinity", -1),
    ]
    report = acdb_import(source=build_acdb(tmp_path / "acdb.sqlite3", tables), by=superadmin)
    counts = report.counts()
    assert counts["tblcustomer"]["rejected"] == 1 and counts["tblaccounthistory1"]["rejected"] == 3
    assert not AccountHistory.objects.filter(pk__in=[10, 11, 12]).exists()


# --- the models: full_clean (services, the admin) ------------------------------------------------------


def test_full_clean_holds_each_column_to_its_range(superadmin):
    from datetime import date

    from django.core.exceptions import ValidationError

    from customers.services import customer_create

    with pytest.raises(ValidationError) as caught:
        customer_create(by=superadmin, first_name="Lerato", date_service_connected=date(1, 1, 1), gps_y=-129.0)
    assert set(caught.value.message_dict) == {"date_service_connected", "gps_y"}


@pytest.mark.skip_rollup_check  # the legacy value is planted past the rollups
def test_a_legacy_value_in_another_column_does_not_block_an_edit(superadmin):
    from datetime import date

    from customers.models import Customer
    from customers.services import customer_update

    customer = CustomerFactory(first_name="Lerato")
    Customer.objects.filter(pk=customer.pk).update(date_service_connected=date(1990, 1, 1))
    customer_update(customer=customer, changes={"first_name": "Lineo"}, by=superadmin, reason="spelling")
    assert Customer.objects.get(pk=customer.pk).first_name == "Lineo"
