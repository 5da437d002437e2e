"""Payment import: every outcome, kWh and balances, idempotence, all-or-nothing, the command."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from billing import selectors, services
from billing.models import AccountHistory, ImportedPayment, PaymentImport
from billing.statements import StatementError, statement_read
from tests.factories import LedgerRowFactory, aware


def _import(statement, name, provider, by):
    content, filename = statement(name)
    rows = statement_read(content=content, filename=filename, provider=provider)
    payment_import = services.payment_import_create(provider=provider, filename=filename, content=content, by=by)
    return payment_import, services.payment_rows_post(payment_import=payment_import, rows=rows, by=by)


@pytest.mark.django_db
def test_it_classifies_each_mpesa_outcome(statement, priced_accounts):
    content, name = statement("mpesa_day.csv")
    rows = statement_read(content=content, filename=name, provider="mpesa")
    outcomes = {c.row.receipt: (c.outcome, c.accountnumber) for c in selectors.payment_rows_classify(rows=rows, provider="mpesa")}
    assert outcomes == {
        "RCP0001": ("matched", "0045MAK"),
        "RCP0002": ("matched by phone", "0046MAK"),
        "RCP0003": ("unmatched", ""),
        "RCP0004": ("ignored", ""),
        "RCP0005": ("ignored", ""),
    }


@pytest.mark.django_db
def test_it_posts_matched_payments_at_the_resolved_rate_with_history(statement, priced_accounts, finance):
    LedgerRowFactory(
        accountnumber="0045MAK", transaction_date=aware(2025, 2, 1), kwh_value=Decimal("2.000"), current_balance=Decimal("2.000")
    )
    later = LedgerRowFactory(
        accountnumber="0045MAK",
        payment=False,
        transaction_date=aware(2025, 3, 2),
        kwh_value=Decimal("-1.000"),
        transaction_amount=Decimal("-4.00"),
        current_balance=Decimal("1.000"),
    )
    payment_import, counts = _import(statement, "mpesa_day.csv", "mpesa", finance)
    assert counts == {"posted": 2, "unmatched": 1, "dismissed": 0, "duplicate": 0, "ignored": 2}
    paid = ImportedPayment.objects.get(receipt="RCP0001")
    row = paid.ledger_row
    assert (row.accountnumber, row.transaction_amount, row.rate_used, row.kwh_value, row.payment) == (
        "0045MAK",
        Decimal("50.00"),
        Decimal("4.0000"),
        Decimal("12.500"),
        True,
    )
    assert row.current_balance == Decimal("14.500")
    assert row.meterid == priced_accounts["0045MAK"].meter_id
    later.refresh_from_db()
    assert later.current_balance == Decimal("13.500")  # carried forward past the new payment
    assert selectors.account_balance_kwh("0045MAK") == Decimal("13.500")
    assert row.history.get().history_user == finance
    assert paid.history.get().history_user == finance
    by_phone = ImportedPayment.objects.get(receipt="RCP0002")
    assert (by_phone.match_method, by_phone.ledger_row.kwh_value, by_phone.payer_phone) == (
        "phone",
        Decimal("10.000"),
        "+26657000002",
    )
    assert ImportedPayment.objects.get(receipt="RCP0003").status == "unmatched"
    assert payment_import.status == PaymentImport.Status.POSTED and payment_import.posted_count == 2


@pytest.mark.django_db
def test_the_same_file_twice_adds_nothing(statement, priced_accounts, finance):
    _import(statement, "mpesa_day.csv", "mpesa", finance)
    ledger_rows = AccountHistory.objects.count()
    _, counts = _import(statement, "mpesa_day.csv", "mpesa", finance)
    assert counts["duplicate"] == 5 and counts["posted"] == 0
    assert AccountHistory.objects.count() == ledger_rows
    dup = ImportedPayment.objects.filter(receipt="RCP0001", status="duplicate").get()
    assert dup.duplicate_of.status == "posted"


@pytest.mark.django_db
def test_it_reads_ecocash_csv_and_phone_with_two_accounts_stays_unmatched(statement, priced_accounts, finance):
    _, counts = _import(statement, "ecocash_day.csv", "ecocash", finance)
    assert counts == {"posted": 1, "unmatched": 1, "dismissed": 0, "duplicate": 0, "ignored": 1}
    assert ImportedPayment.objects.get(receipt="MP250302.0805.A00001").accountnumber == "0045MAK"
    # +26662000002 owns two accounts: not enough to decide.
    assert ImportedPayment.objects.get(receipt="MP250302.0900.A00002").status == "unmatched"


@pytest.mark.django_db
def test_it_reads_xlsx_with_a_title_above_the_header(statement, priced_accounts, finance):
    content, name = statement("mpesa_day.xlsx")
    rows = statement_read(content=content, filename=name, provider="mpesa")
    assert [r.receipt for r in rows] == ["XLS0001", "XLS0002", "XLS0003", "XLS0004", "XLS0005"]
    assert rows[0].amount == Decimal("50.00") and rows[0].paid_at == aware(2025, 3, 1, 10, 15, 22)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "provider", "expected"),
    [
        ("mpesa_bad_rows.csv", "mpesa", [(3, "Completion Time 'yesterday'"), (4, "Paid in 'thirty'")]),
        ("wrong_columns.csv", "mpesa", [(1, "missing columns: Transaction Status")]),
        ("ecocash_day.csv", "mpesa", [(None, "No header row")]),
        ("not_really.xlsx", "mpesa", [(None, "cannot be read")]),
    ],
)
def test_it_reports_bad_files_by_row_and_posts_nothing(statement, priced_accounts, name, provider, expected):
    content, filename = statement(name)
    with pytest.raises(StatementError) as exc:
        statement_read(content=content, filename=filename, provider=provider)
    for (number, text), (got_number, got_message) in zip(expected, exc.value.errors, strict=False):
        assert number == got_number and text in got_message


@pytest.mark.django_db
def test_it_refuses_other_file_types_and_oversized_files(settings):
    with pytest.raises(StatementError, match=r"\.csv or \.xlsx"):
        statement_read(content=b"x", filename="statement.pdf", provider="mpesa")
    settings.CC_PAYMENT_IMPORT_MAX_BYTES = 10
    with pytest.raises(StatementError, match="larger than"):
        statement_read(content=b"x" * 11, filename="s.csv", provider="mpesa")


@pytest.mark.django_db
def test_assign_then_posts_and_dismiss_needs_a_reason(statement, priced_accounts, finance):
    _import(statement, "mpesa_day.csv", "mpesa", finance)
    waiting = ImportedPayment.objects.get(receipt="RCP0003")
    with pytest.raises(ValidationError):
        services.imported_payment_assign(payment=waiting, accountnumber="9999MAK", by=finance)
    with pytest.raises(ValidationError):
        services.imported_payment_assign(payment=waiting, accountnumber="nonsense", by=finance)
    posted = services.imported_payment_assign(payment=waiting, accountnumber="mak 46", by=finance, reason="caller confirmed")
    assert (posted.status, posted.accountnumber, posted.match_method) == ("posted", "0046MAK", "manual")
    assert posted.ledger_row.kwh_value == Decimal("7.500")
    with pytest.raises(ValidationError):
        services.imported_payment_assign(payment=posted, accountnumber="0046MAK", by=finance)
    other = ImportedPayment.objects.create(
        payment_import=posted.payment_import,
        provider="mpesa",
        receipt="RCPX",
        row_number=9,
        paid_at=aware(2025, 3, 1),
        amount=Decimal("5"),
        status="unmatched",
    )
    with pytest.raises(ValidationError):
        services.imported_payment_dismiss(payment=other, by=finance, reason="")
    dismissed = services.imported_payment_dismiss(payment=other, by=finance, reason="school fees, not electricity")
    assert dismissed.status == "dismissed" and dismissed.history.latest().history_change_reason == "school fees, not electricity"


@pytest.mark.django_db
def test_the_command_posts_and_dry_run_writes_nothing(priced_accounts):
    from tests.billing.conftest import FILES

    out = StringIO()
    call_command("import_payments", str(FILES / "mpesa_day.csv"), "--provider", "mpesa", "--dry-run", stdout=out)
    assert "matched: 1" in out.getvalue() and "unmatched: 1" in out.getvalue()
    assert not ImportedPayment.objects.exists()
    out = StringIO()
    call_command("import_payments", str(FILES / "mpesa_day.csv"), "--provider", "mpesa", stdout=out)
    assert "posted: 2" in out.getvalue()
    out = StringIO()
    call_command("import_payments", str(FILES / "mpesa_day.csv"), "--provider", "mpesa", stdout=out)
    assert "duplicate: 5" in out.getvalue()
    with pytest.raises(CommandError):
        call_command(
            "import_payments", str(FILES / "mpesa_bad_rows.csv"), "--provider", "mpesa", stdout=StringIO(), stderr=StringIO()
        )
    assert ImportedPayment.objects.filter(receipt__startswith="RCP1").count() == 0


@pytest.mark.django_db
def test_odd_bytes_and_too_many_rows_are_reported_not_raised(settings):
    header = b"Receipt No,Completion Time,Details,Transaction Status,Paid in,Withdrawn,Balance,Reason Type,Other Party Info\n"
    row = b"R%d,2025-03-01 10:00:00,Pay \x81\xff 0045MAK,Completed,5.00,,0,Pay,26657000001 - X\n"
    rows = statement_read(content=header + row.replace(b"%d", b"1"), filename="odd.csv", provider="mpesa")
    assert rows[0].account_candidates == ["0045MAK"]
    settings.CC_PAYMENT_IMPORT_MAX_ROWS = 2
    content = header + b"".join(row.replace(b"%d", str(i).encode()) for i in range(5))
    with pytest.raises(StatementError, match="More than 2 rows"):
        statement_read(content=content, filename="many.csv", provider="mpesa")
    with pytest.raises(StatementError, match="not a CSV"):
        statement_read(content=b"\x00\x01\x02", filename="binary.csv", provider="mpesa")


HEADER = "Receipt No,Completion Time,Details,Transaction Status,Paid in,Withdrawn,Balance,Reason Type,Other Party Info\n"


def _statement(lines):
    return (HEADER + "".join(line + "\n" for line in lines)).encode()


@pytest.mark.django_db
def test_a_receipt_repeated_in_one_file_is_a_duplicate_of_its_first_row_and_posted_once(priced_accounts, finance):
    row = "RCP0101,2025-03-01 10:15:22,Customer Pay Bill Online 0045MAK,Completed,50.00,,0,Pay Bill Online,26657000001 - P"
    other = "RCP0102,2025-03-01 11:00:00,Customer Pay Bill Online 0045MAK,Completed,20.00,,0,Pay Bill Online,26657000001 - P"
    content = _statement([row, other, row])
    rows = statement_read(content=content, filename="reexport.csv", provider="mpesa")  # not refused
    outcomes = [(c.row.row_number, c.outcome, c.note) for c in selectors.payment_rows_classify(rows=rows, provider="mpesa")]
    assert outcomes == [
        (2, "matched", ""),
        (3, "matched", ""),
        (4, "duplicate", "receipt RCP0101 also on row 2 of this file"),
    ]
    payment_import = services.payment_import_create(provider="mpesa", filename="reexport.csv", content=content, by=finance)
    counts = services.payment_rows_post(payment_import=payment_import, rows=rows, by=finance)
    assert counts == {"posted": 2, "unmatched": 0, "dismissed": 0, "duplicate": 1, "ignored": 0}
    assert AccountHistory.objects.filter(accountnumber="0045MAK").count() == 2
    first, again = ImportedPayment.objects.filter(receipt="RCP0101").order_by("row_number")
    assert (first.status, again.status, again.duplicate_of_id, again.ledger_row_id) == ("posted", "duplicate", first.pk, None)
    assert again.history.get().history_user == finance
    payment_import.refresh_from_db()
    assert (payment_import.posted_count, payment_import.duplicate_count) == (2, 1)
    # The same file again: every row, the repeat included, is a duplicate of the posted receipt.
    again_import = services.payment_import_create(provider="mpesa", filename="reexport.csv", content=content, by=finance)
    counts = services.payment_rows_post(payment_import=again_import, rows=rows, by=finance)
    assert counts["posted"] == 0 and counts["duplicate"] == 3
    assert set(again_import.payments.values_list("duplicate_of_id", flat=True)) == set(
        ImportedPayment.objects.filter(status="posted").values_list("id", flat=True)
    )


def _many_payments(accounts, count):
    lines = []
    for i in range(count):
        account = accounts[i % len(accounts)]
        lines.append(
            f"QC{count}N{i:05d},2025-03-{1 + i % 28:02d} {8 + i % 10:02d}:{i % 60:02d}:00,"
            f"Customer Pay Bill Online {account},Completed,{10 + i % 90}.00,,0,Pay Bill Online,26650000000 - X"
        )
    return _statement(lines)


@pytest.mark.django_db
def test_the_import_takes_a_fixed_number_of_queries_per_batch(priced_accounts, finance, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import AccountNumberFactory

    accounts = [AccountNumberFactory(accountnumber=f"{n:04d}KET").accountnumber for n in range(1, 301)]
    for account in accounts[:50]:  # existing rows before and after the payments: balances carried both ways
        LedgerRowFactory(accountnumber=account, transaction_date=aware(2025, 2, 1), current_balance=Decimal("1.000"))
        LedgerRowFactory(accountnumber=account, transaction_date=aware(2025, 4, 1), current_balance=Decimal("1.000"))

    def post(content):
        rows = statement_read(content=content, filename="many.csv", provider="mpesa")
        payment_import = services.payment_import_create(provider="mpesa", filename="many.csv", content=content, by=finance)
        return services.payment_rows_post(payment_import=payment_import, rows=rows, by=finance)

    post(_many_payments(accounts[:10], 20).replace(b"QC", b"WARM"))  # creates the rollup's cells for March
    # The same 300 accounts (work is batched by accounts, and by 2,000 rows): nearly seven times the rows, no
    # more queries.
    with CaptureQueriesContext(connection) as small:
        assert post(_many_payments(accounts, 300))["posted"] == 300
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert post(_many_payments(accounts, 2000))["posted"] == 2000
    assert AccountHistory.history.filter(history_change_reason__startswith="M-Pesa import").count() == 2320
    assert ImportedPayment.history.filter(history_user=finance).count() == 2320
