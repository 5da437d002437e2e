"""The ledger rollup (cc_ledger_month) follows every kind of ledger write, and the reports read it."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from billing.models import AccountHistory, LedgerMonth
from billing.rollup import LEDGER_ROLLUP, ledger_rollup_add
from billing.services import ledger_entry_create, ledger_entry_delete, ledger_entry_update
from ccportal.history import history_save
from reports import selectors
from tests.factories import LedgerRowFactory, aware

pytestmark = pytest.mark.django_db


def cells():
    return {(c.site_code, c.month, c.payment): (c.row_count, c.kwh, c.lsl) for c in LedgerMonth.objects.all()}


def test_it_adds_a_new_row_to_its_site_local_month_and_kind():
    # 23:30 on 31 January in Maseru is still January locally (21:30 UTC).
    LedgerRowFactory(accountnumber="0001mak", transaction_date=aware(2025, 1, 31, 23, 30), kwh_value=Decimal("10.000"))
    LedgerRowFactory(accountnumber="0002MAK", transaction_date=aware(2025, 1, 2, 8, 0), transaction_amount=Decimal("20.00"))
    LedgerRowFactory(accountnumber="0001SHG", payment=False, kwh_value=Decimal("-3.500"), transaction_amount=Decimal("-17.50"))
    assert cells() == {
        ("MAK", date(2025, 1, 1), True): (2, Decimal("20.000"), Decimal("70.00")),
        ("SHG", date(2025, 1, 1), False): (1, Decimal("-3.500"), Decimal("-17.50")),
    }


def test_it_moves_a_row_between_cells_when_it_is_edited(onm):
    row = LedgerRowFactory(accountnumber="0001MAK", transaction_date=aware(2025, 1, 10, 12, 0))
    row.transaction_date = aware(2025, 3, 1, 9, 0)
    row.accountnumber = "0001SHG"
    row.transaction_amount = Decimal("80.00")
    history_save(row, by=onm, reason="moved")
    assert cells() == {
        ("MAK", date(2025, 1, 1), True): (0, Decimal("0.000"), Decimal("0.00")),
        ("SHG", date(2025, 3, 1), True): (1, Decimal("10.000"), Decimal("80.00")),
    }
    assert LEDGER_ROLLUP.differences() == []


def test_it_ignores_a_save_of_fields_it_does_not_sum(django_assert_num_queries):
    row = LedgerRowFactory()
    row.current_balance = Decimal("99.000")
    with django_assert_num_queries(2):  # the UPDATE and its history row: no read of the old row, no rollup write
        row.save(update_fields=["current_balance"])
    assert cells()[("MAK", date(2025, 1, 1), True)] == (1, Decimal("10.000"), Decimal("50.00"))


def test_it_follows_the_ledger_services(onm):
    entry = ledger_entry_create(
        accountnumber="0001MAK", when=aware(2025, 2, 3, 10, 0), is_payment=True, amount="30", rate_lsl="5", by=onm, reason="t"
    )
    ledger_entry_update(
        entry=entry, by=onm, reason="typo", when=aware(2025, 4, 3, 10, 0), is_payment=True, amount="40", rate_lsl="5"
    )
    assert cells()[("MAK", date(2025, 4, 1), True)] == (1, Decimal("8.000"), Decimal("40.00"))
    ledger_entry_delete(entry=AccountHistory.objects.get(), by=onm, reason="wrong account")
    assert cells()[("MAK", date(2025, 4, 1), True)] == (0, Decimal("0.000"), Decimal("0.00"))
    assert LEDGER_ROLLUP.differences() == []


def test_it_follows_a_queryset_delete():
    LedgerRowFactory.create_batch(3)
    AccountHistory.objects.filter(accountnumber="0001MAK").delete()
    assert cells()[("MAK", date(2025, 1, 1), True)][0] == 0


@pytest.mark.skip_rollup_check
def test_it_reports_and_rebuilds_a_ledger_written_past_it():
    LedgerRowFactory()
    AccountHistory.objects.update(transaction_amount=Decimal("70.00"))  # an UPDATE without signals, as SQL would
    assert LEDGER_ROLLUP.differences() == [
        (
            ("MAK", date(2025, 1, 1), True),
            {"row_count": 1, "kwh": Decimal("10.000"), "lsl": Decimal("50.00")},
            {"row_count": 1, "kwh": Decimal("10.000"), "lsl": Decimal("70.00")},
        )
    ]
    with pytest.raises(CommandError, match="2 rollup cells differ"):  # the site-month and the account-quarter cell
        call_command("ledger_rollup", "--check")
    call_command("ledger_rollup")
    assert LEDGER_ROLLUP.differences() == []
    call_command("ledger_rollup", "--check")


def test_bulk_additions_go_to_one_update_per_cell(django_assert_num_queries):
    rows = [LedgerRowFactory.build(accountnumber=f"{n:04d}MAK") for n in range(1, 50)]
    AccountHistory.objects.bulk_create(rows)
    # Site-month: one cell, whose UPDATE finds nothing, then an INSERT in a savepoint (4). Account-quarter: 49
    # cells, in bulk: a savepoint, one SELECT … FOR UPDATE, one INSERT of the missing cells, release (4). The
    # rollups by type (reports.rollup) look the 49 accounts up once (1), and none is in tblaccountnumbers.
    with django_assert_num_queries(9):
        ledger_rollup_add(rows)
    assert cells()[("MAK", date(2025, 1, 1), True)] == (49, Decimal("490.000"), Decimal("2450.00"))


def test_the_reports_read_the_rollup_not_the_ledger():
    LedgerRowFactory(accountnumber="0001MAK")
    LEDGER_ROLLUP.rebuild()
    LedgerMonth.objects.update(lsl=Decimal("1234.00"))  # only the rollup says 1,234
    sales = selectors.om_report_sales_by_site()
    assert sales["total_lsl"] == Decimal("1234.00")
    LedgerMonth.objects.update(lsl=Decimal("50.00"))


def test_bulk_additions_update_existing_cells_and_add_missing_ones(django_assert_max_num_queries):
    from billing.models import LedgerAccountQuarter

    first = [LedgerRowFactory.build(accountnumber=f"{n:04d}MAK") for n in range(1, 31)]
    AccountHistory.objects.bulk_create(first)
    ledger_rollup_add(first)
    more = [LedgerRowFactory.build(accountnumber=f"{n:04d}MAK") for n in range(21, 61)]
    AccountHistory.objects.bulk_create(more)
    # Site-month: one cell, updated (1). Account-quarter: 40 groups in bulk whatever their number: a savepoint,
    # one SELECT … FOR UPDATE, one DELETE of the cells it replaces, one INSERT, release (5); the accounts looked up
    # for the rollups by type (1).
    with django_assert_max_num_queries(7):
        ledger_rollup_add(more)
    payments = dict(LedgerAccountQuarter.objects.values_list("account_id", "payments"))
    assert (payments["0001MAK"], payments["0025MAK"], payments["0060MAK"], len(payments)) == (1, 2, 1, 60)
