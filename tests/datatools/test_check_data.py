"""`manage.py check_data` lists stored rows outside ccportal.bounds (#16 items 1, 5), and a row the driver
cannot read (a BC date on PostgreSQL) neither hides from it nor breaks the pages that show it."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from billing.models import AccountHistory, TariffRate
from datatools import demo
from tests.factories import AccountNumberFactory, CustomerFactory, LedgerRowFactory, TariffRateFactory, aware

pytestmark = [pytest.mark.django_db, pytest.mark.skip_rollup_check]


def check_data():
    out = StringIO()
    try:
        call_command("check_data", stdout=out)
    except CommandError as error:
        return 1, out.getvalue(), str(error)
    return 0, out.getvalue(), ""


def test_it_passes_on_the_demo_data():
    demo.seed_demo(scale=0.02, today=(timezone.localdate() - timedelta(days=1)))
    status, out, _ = check_data()
    assert status == 0, out
    assert "within its plausible range" in out


def test_it_lists_out_of_range_rows_with_their_keys_and_fails():
    CustomerFactory(customer_id=7, date_service_connected=aware(1999, 6, 1).date(), gps_y=-129.0)
    LedgerRowFactory(id=41, accountnumber="0045MAK", transaction_date=timezone.now() + timedelta(days=3))
    LedgerRowFactory(id=42, accountnumber="0045MAK", transaction_amount=Decimal("2000000.00"))
    TariffRateFactory(pk=5, rate_lsl=Decimal("250.0000"), effective_from=aware(2024, 1, 1))
    status, out, error = check_data()
    assert status == 1 and "out of range" in error
    assert "tblcustomer.DATE SERVICE CONNECTED: 1 row out of range" in out and "CUSTOMER ID=7: 1999-06-01" in out
    assert "tblcustomer.GPS Y: 1 row" in out
    assert "tblaccounthistory1.transaction date: 1 row" in out and "ID=41" in out
    assert "tblaccounthistory1.transaction amount: 1 row" in out and "ID=42: 2000000" in out
    assert "cc_tariff_rate.rate_lsl: 1 row" in out and "id=5: 250" in out


def test_from_the_shell_it_exits_with_status_1(capsys):
    from datatools.management.commands.check_data import Command

    CustomerFactory(date_service_connected=aware(1999, 6, 1).date())
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["manage.py", "check_data"])
    assert exited.value.code == 1 and "out of range" in capsys.readouterr().err


@pytest.mark.postgres
def test_a_bc_date_planted_on_postgresql_is_listed_and_the_pages_still_answer(admin_client):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no BC dates")
    account = AccountNumberFactory(accountnumber="0045MAK", customer__site_code="MAK")
    TariffRateFactory(rate_lsl=Decimal("5.00"), effective_from=aware(2024, 1, 1))
    site_rate = TariffRateFactory(scope="site", scope_key="MAK", rate_lsl=Decimal("4.00"), effective_from=aware(2024, 1, 1))
    row = LedgerRowFactory(accountnumber="0045MAK", transaction_date=aware(2025, 1, 1))
    with connection.cursor() as cursor:  # what an import without bounds stored
        cursor.execute("UPDATE cc_tariff_rate SET effective_from = '0001-01-01 00:00:00+00 BC' WHERE id = %s", [site_rate.pk])
        cursor.execute('UPDATE tblaccounthistory1 SET "transaction date" = \'0001-06-01 BC\' WHERE "ID" = %s', [row.pk])
        cursor.execute(
            'UPDATE tblcustomer SET "DATE SERVICE CONNECTED" = \'infinity\' WHERE "CUSTOMER ID" = %s', [account.customer_id]
        )
    status, out, _ = check_data()
    assert status == 1
    assert "cc_tariff_rate.effective_from: 1 row" in out and f"id={site_rate.pk}: 0001-01-01 00:00:00+00 BC" in out
    assert f"ID={row.pk}: 0001-06-01 00:00:00+00 BC" in out
    assert f"CUSTOMER ID={account.customer_id}: infinity" in out
    # The driver cannot read these values; the pages show them as the extreme dates instead of failing.
    assert admin_client.get("/tariffs/").status_code == 200
    assert admin_client.get("/accounts/0045MAK/").status_code == 200
    assert admin_client.get(f"/customers/{account.customer_id}/").status_code == 200
    assert TariffRate.objects.get(pk=site_rate.pk).effective_from.year == 1
    assert AccountHistory.objects.get(pk=row.pk).transaction_date.year == 1
