"""After migrate, every ACDB table and column exists with ACDB's exact names."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

ACDB_COLUMNS = {
    "tblcustomer": [
        "CUSTOMER ID",
        "FIRST NAME",
        "MIDDLE NAME",
        "LAST NAME",
        "PHONE",
        "CELL PHONE 1",
        "CELL PHONE 2",
        "EMAIL",
        "PLOT NUMBER",
        "STREET ADDRESS",
        "CITY",
        "DISTRICT",
        "Concession name",
        "DATE SERVICE CONNECTED",
        "DATE SERVICE TERMINATED",
        "ID NUMBER",
        "CUSTOMER POSITION",
        "GPS X",
        "GPS Y",
        "GENDER",
        "COUNTRY",
        "RECORD CREATE DATE",
        "RECORD CREATED BY",
    ],
    "tblmeter": [
        "meterid",
        "customer id",
        "accountnumber",
        "customer type",
        "latitude",
        "longitude",
        "community",
        "Village name",
        "current status",
        "customer connect date",
        "RECORD CREATE DATE",
        "RECORD CREATED BY",
    ],
    "tblaccountnumbers": ["accountnumber", "customerid", "meterid", "community", "opened date", "created by"],
    "tblaccounthistory1": [
        "ID",
        "accountnumber",
        "meterid",
        "transaction date",
        "transaction amount",
        "rate used",
        "kwh value",
        "payment",
        "current balance",
    ],
    "tblconfig": ["therate"],
    "tblmeterdata1": ["meterid", "whdatetime", "powerkW", "community"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("table", sorted(ACDB_COLUMNS))
def test_it_has_every_acdb_column(table):
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
    missing = [c for c in ACDB_COLUMNS[table] if c not in columns]
    assert not missing, f"{table} lacks {missing}"


@pytest.mark.django_db
def test_it_has_no_missing_migrations():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_it_loads_the_fifteen_sites():
    from customers.models import Site

    assert Site.objects.count() == 15
    assert Site.objects.get(code="MAK").name == "Ha Makebe"
    assert Site.objects.filter(kind="clinic").count() == 4
