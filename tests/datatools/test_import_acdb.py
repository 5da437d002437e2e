"""The ACDB import: an ACDB-shaped database read through pyodbc and the same reader, upserted into the portal."""

import sqlite3
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from billing.models import AccountHistory, Config
from customers.models import AccountNumber, Customer, Meter, MeterReading
from datatools.acdb.importer import NotAnAcdb, acdb_import
from datatools.models import ImportRun
from tests.datatools.acdb_source import build_acdb, customer, ledger, odbc, standard_tables

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "access"


@pytest.fixture
def source(tmp_path):
    return build_acdb(tmp_path / "acdb.sqlite3")


def test_it_imports_every_table_with_counts(source, superadmin):
    report = acdb_import(source=source, by=superadmin)
    counts = report.counts()
    assert counts["tblcustomer"] == {"read": 3, "new": 3, "updated": 0, "unchanged": 0, "merged": 0, "rejected": 0}
    assert counts["tblmeter"]["read"] == 4 and counts["tblmeter"]["new"] == 3 and counts["tblmeter"]["merged"] == 1
    assert counts["tblaccountnumbers"]["new"] == 3
    # 3 rows + the one only in tblaccounthistoryOriginal; its duplicate of ID 1 is merged.
    assert counts["tblaccounthistory1"] == {"read": 5, "new": 4, "updated": 0, "unchanged": 0, "merged": 1, "rejected": 0}
    assert counts["tblconfig"]["new"] == 1 and counts["tblmeterdata1"]["new"] == 2
    assert Customer.objects.count() == 3 and AccountHistory.objects.count() == 4


def test_it_coerces_access_types(source, superadmin):
    acdb_import(source=source, by=superadmin)
    first = Customer.objects.get(pk=1)
    assert first.phone == "+26657755401"  # integer phone to international text
    assert Customer.objects.get(pk=2).cell_phone_1 == "+26658001122"
    assert first.gps_x == pytest.approx(27.8512)  # text to float
    assert first.date_service_connected == date(2023, 5, 1)
    assert Customer.objects.get(pk=3).site_code == "MAS"
    row = AccountHistory.objects.get(pk=2)
    assert row.transaction_amount == Decimal("25.50") and row.kwh_value == Decimal("5.100") and row.payment is True
    assert AccountHistory.objects.get(pk=3).accountnumber == "0099KET"  # legacy row without an account is kept
    assert AccountHistory.objects.filter(pk=900).exists()
    assert Config.objects.get().therate == Decimal("5.0000")
    assert MeterReading.objects.get(whdatetime__minute=10).power_kw == Decimal("0.4500")


def test_it_merges_copy_of_tblmeter_and_normalises_accounts(source, superadmin):
    acdb_import(source=source, by=superadmin)
    merged = Meter.objects.get(pk="SMRSD-02")
    assert merged.village_name == "Ha Makebe" and merged.current_status == "active" and merged.accountnumber == "0002MAK"
    assert Meter.objects.get(pk="SMRSD-01").accountnumber == "0001MAK"
    assert Meter.objects.get(pk="SMRSD-03").accountnumber == "0003MAS"
    assert set(AccountNumber.objects.values_list("pk", flat=True)) == {"0001MAK", "0002MAK", "0003MAS"}


def test_it_records_history_with_the_importer_and_reason(source, superadmin):
    acdb_import(source=source, by=superadmin)
    record = Customer.history.get(customer_id=1)
    assert record.history_type == "+" and record.history_user == superadmin
    assert record.history_change_reason.startswith("ACDB import from")


def test_it_is_idempotent(source, superadmin):
    acdb_import(source=source, by=superadmin)
    history_rows = Customer.history.count() + AccountHistory.history.count() + Meter.history.count()
    again = acdb_import(source=source, by=superadmin)
    assert again.changed == 0
    assert again.counts()["tblcustomer"]["unchanged"] == 3
    assert again.counts()["tblaccounthistory1"]["unchanged"] == 4
    assert again.counts()["tblmeterdata1"]["unchanged"] == 2
    assert Customer.history.count() + AccountHistory.history.count() + Meter.history.count() == history_rows


def test_it_updates_a_changed_row(source, superadmin, tmp_path):
    acdb_import(source=source, by=superadmin)
    tables = standard_tables()
    tables["tblcustomer"][0]["LAST NAME"] = "Thabane"
    changed = build_acdb(tmp_path / "changed.sqlite3", tables)
    report = acdb_import(source=changed, by=superadmin)
    assert report.counts()["tblcustomer"] == {"read": 3, "new": 0, "updated": 1, "unchanged": 2, "merged": 0, "rejected": 0}
    assert Customer.objects.get(pk=1).last_name == "Thabane"
    assert Customer.history.filter(customer_id=1, history_type="~").count() == 1


def test_an_import_changing_a_row_without_history_records_a_baseline_first(source, superadmin, tmp_path):
    from ccportal.history import BASELINE_REASON

    acdb_import(source=source, by=superadmin)
    Customer.history.filter(customer_id=1).delete()  # as a row seeded or restored without history
    before = Customer.objects.get(pk=1).last_name
    tables = standard_tables()
    tables["tblcustomer"][0]["LAST NAME"] = "Thabane"
    acdb_import(source=build_acdb(tmp_path / "changed.sqlite3", tables), by=superadmin)
    baseline, change = Customer.history.filter(customer_id=1).order_by("history_id")
    assert (baseline.history_change_reason, baseline.last_name) == (BASELINE_REASON, before)
    assert change.last_name == "Thabane" and change.prev_record == baseline


def test_it_rejects_bad_rows_with_their_reasons(superadmin, tmp_path):
    tables = standard_tables()
    tables["tblcustomer"].append(customer(4, PHONE=123))
    tables["tblcustomer"].append(customer(1))  # duplicate key
    tables["tblaccountnumbers"].append({"accountnumber": "0077MAK", "customerid": 77})
    tables["tblaccountnumbers"].append({"accountnumber": "not-an-account", "customerid": 1})
    tables["tblaccounthistory1"].append(ledger(4, "0001MAK", "yesterday", "5", "1", 0))
    tables["tblaccounthistory1"].append(ledger(5, "0001MAK", "2024-02-01 10:00:00", "lots", "1", 0))
    report = acdb_import(source=build_acdb(tmp_path / "bad.sqlite3", tables), by=superadmin)
    counts = report.counts()
    assert counts["tblcustomer"]["rejected"] == 2 and counts["tblcustomer"]["new"] == 3
    assert counts["tblaccountnumbers"]["rejected"] == 2
    assert counts["tblaccounthistory1"]["rejected"] == 2
    reasons = {(e["table"], e["reason"]) for e in report.errors}
    assert any(t == "tblcustomer" and "PHONE:" in r and "8 digits" in r for t, r in reasons)
    assert any("duplicate key 1" in r for _, r in reasons)
    assert ("tblaccountnumbers", "customerid 77 is not a customer") in reasons
    assert ("tblaccounthistory1", "transaction date is empty") in reasons  # the driver could not read 'yesterday'
    assert any("'lots' is not a number" in r for _, r in reasons)
    for table, c in counts.items():  # every row read is accounted for
        assert c["read"] == c["new"] + c["updated"] + c["unchanged"] + c["merged"] + c["rejected"], table
    assert not Customer.objects.filter(pk=4).exists()


def test_a_dry_run_reports_but_saves_nothing(source, superadmin):
    report = acdb_import(source=source, by=superadmin, dry_run=True)
    assert report.counts()["tblcustomer"]["new"] == 3
    assert not Customer.objects.exists() and not AccountHistory.objects.exists()


def test_it_is_all_or_nothing(source, superadmin, monkeypatch):
    from datatools.acdb import importer

    def explode(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer._Importer, "config", explode)
    with pytest.raises(RuntimeError):
        acdb_import(source=source, by=superadmin)
    assert not Customer.objects.exists() and not Meter.objects.exists()


def test_it_refuses_a_source_that_is_not_an_acdb(tmp_path):
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (id INTEGER, body TEXT)")
    with pytest.raises(NotAnAcdb):
        acdb_import(source=odbc(path), by=None)


def test_the_command_imports_and_prints_counts(source, superadmin):
    out = StringIO()
    call_command("import_acdb", source, "--by", superadmin.employee_id, stdout=out)
    text = out.getvalue()
    assert "tblcustomer" in text and "rows changed" in text
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.SUCCEEDED and run.started_by == superadmin
    assert run.counts["tblcustomer"]["new"] == 3


def test_the_command_dry_run_changes_nothing(source):
    out = StringIO()
    call_command("import_acdb", source, "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue()
    assert not Customer.objects.exists()


def test_the_command_refuses_a_real_access_file_that_is_not_an_acdb():
    with pytest.raises(CommandError) as error:
        call_command("import_acdb", str(FIXTURES / "ASampleDatabase.accdb"))
    message = str(error.value)
    assert "not an ACDB" in message and "\n" not in message
    assert ImportRun.objects.get().status == ImportRun.Status.REFUSED


def test_the_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_acdb", str(tmp_path / "missing.accdb"))


def test_the_command_exits_non_zero_with_one_line_for_a_bad_source(capsys):
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exit_status:
        ManagementUtility(["manage.py", "import_acdb", str(FIXTURES / "nwind.mdb")]).execute()
    assert exit_status.value.code != 0
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "not an ACDB" in err


def test_new_rows_after_an_import_get_fresh_ids(source, superadmin):
    acdb_import(source=source, by=superadmin)
    created = Customer.objects.create(first_name="After", site_code="MAK")
    assert created.pk > 3
    assert AccountHistory.objects.create(accountnumber="0001MAK", transaction_date=created_at()).pk > 900


def created_at():
    from django.utils import timezone

    return timezone.now()


def test_an_import_posts_no_receipts_and_no_low_balance_alerts(tmp_path, superadmin, django_capture_on_commit_callbacks):
    """Historical ledger rows are ACDB's past: the import never texts customers about old payments or balances
    (README, Customer messages). The same account written through the portal afterwards does get its alert."""
    from billing.services import ledger_entry_create
    from messaging.models import Kind, LowBalanceState, Message
    from tests.factories import aware

    tables = standard_tables()
    tables["tblaccounthistory1"] = [
        ledger(1, "0001MAK", "2024-01-05 10:00:00", "50", "10", -1, balance="10"),
        ledger(2, "0001MAK", "2024-02-05 10:00:00", "-45", "-9", 0, balance="1"),  # below any threshold
    ]
    tables["tblaccounthistoryOriginal"] = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        acdb_import(source=build_acdb(tmp_path / "acdb.sqlite3", tables), by=superadmin)
    assert AccountHistory.objects.filter(accountnumber="0001MAK").count() == 2
    assert not Message.objects.exists() and not LowBalanceState.objects.exists()
    assert not callbacks  # no payments_posted or balances_changed was announced

    with django_capture_on_commit_callbacks(execute=True):
        ledger_entry_create(
            accountnumber="0001MAK", when=aware(2024, 3, 1), is_payment=False, kwh="0.5", rate_lsl="5", by=superadmin, reason="x"
        )
    assert Message.objects.filter(kind=Kind.LOW_BALANCE, accountnumber="0001MAK").count() == 1
    assert not Message.objects.filter(kind=Kind.RECEIPT).exists()
