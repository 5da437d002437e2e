"""The rollups by customer type (reports.rollup: payments per type and quarter, customers per type and quarter and
over all time, readings per meter type) follow the ledger and the readings, move when what a type resolves to
changes, and are what the load curves and daily load profiles read."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from ccportal.quarters import Quarter
from ccportal.rollup import rollups_differences
from customers.models import AccountNumber, Customer, Meter
from reports import selectors
from reports.models import LedgerTypeCustomer, LedgerTypeQuarter, ReadingTypeHour, ReadingTypeMeter
from reports.rollup import LEDGER_TYPE_ROLLUP
from tests.factories import AccountNumberFactory, CustomerFactory, LedgerRowFactory, MeterFactory, aware
from tests.reports.factories import build_report_dataset

pytestmark = pytest.mark.django_db


def curves(quarter=None):
    body = selectors.om_report_load_curves_by_type(quarter)
    return {c["type"]: (c["customer_count"], c["total_kwh"]) for c in body["curves"]}


def profiles(site=None):
    body = selectors.om_report_daily_load_profiles(site=site)
    return {p["type"]: (p["meter_count"], sum(h["readings"] for h in p["hourly"])) for p in body["profiles"]}


def test_a_meter_type_change_moves_its_payments_and_readings():
    build_report_dataset()
    assert curves() == {"HH": (3, Decimal("44.000")), "SME": (1, Decimal("5.100"))}
    meter = Meter.objects.get(pk="M-SME-1")
    meter.customer_type = "HH"
    meter.save()  # as the admin or an audit revert would
    assert curves() == {"HH": (4, Decimal("49.100"))}
    assert curves(Quarter(2024, 2)) == {"HH": (2, Decimal("25.100"))}
    assert profiles("MAK") == {"HH": (2, 3)}
    assert rollups_differences() == {}


def test_a_customer_type_change_moves_what_has_no_meter_type():
    build_report_dataset()
    Meter.objects.filter(pk="M-SME-1").update(customer_type="")  # the customer's type decides from now on
    call_command("ledger_rollup")
    customer = Customer.objects.get(accounts__pk="0002MAK")
    assert curves()["SME"] == (1, Decimal("5.100"))
    customer.customer_type = "INST"
    customer.save(update_fields=["customer_type"])
    assert curves() == {"HH": (3, Decimal("44.000")), "INST": (1, Decimal("5.100"))}
    assert profiles("MAK") == {"HH": (1, 2), "INST": (1, 1)}
    customer.customer_type = ""
    customer.save()
    assert curves()["Unknown"] == (1, Decimal("5.100"))
    assert rollups_differences() == {}


def test_accounts_and_meters_that_appear_or_go_take_their_cells_along():
    build_report_dataset()
    # The legacy payment of 9999XYZ counts once the account exists, and the GHOST-1 readings once the meter does.
    AccountNumberFactory(accountnumber="9999XYZ", customer=CustomerFactory(customer_type="SME"), meter=None)
    assert curves(Quarter(2024, 2)) == {"HH": (1, Decimal("20.000")), "SME": (2, Decimal("7.100"))}
    MeterFactory(meterid="GHOST-1", customer_type="MED", customer=None)
    assert profiles("MAS") == {"MED": (1, 1)}
    # An account moved to another meter takes that meter's type.
    account = AccountNumber.objects.get(pk="0002MAK")
    account.meter = Meter.objects.get(pk="GHOST-1")
    account.save()
    assert curves(Quarter(2024, 2))["MED"] == (1, Decimal("5.100"))
    AccountNumber.objects.get(pk="9999XYZ").delete()
    assert curves(Quarter(2024, 2)) == {"HH": (1, Decimal("20.000")), "MED": (1, Decimal("5.100"))}
    assert rollups_differences() == {}


def test_customers_are_counted_once_over_all_time_and_per_quarter():
    customer = CustomerFactory(customer_type="HH")
    for number in ("0001MAK", "0002MAK"):  # two accounts of one customer, payments in two quarters
        AccountNumberFactory(accountnumber=number, customer=customer, meter=None)
        for month in (2, 5):
            LedgerRowFactory(accountnumber=number, transaction_date=aware(2024, month, 1, 9, 0), payment=True, kwh_value=1)
    assert curves() == {"HH": (1, Decimal("4.000"))}
    assert curves(Quarter(2024, 1)) == {"HH": (1, Decimal("2.000"))}
    assert LedgerTypeCustomer.objects.get().payments == 4


@pytest.mark.skip_rollup_check
def test_the_load_curves_and_profiles_read_the_type_rollups():
    build_report_dataset()
    LedgerTypeQuarter.objects.update(kwh=Decimal("1.000"))  # only the rollup says 1 kWh
    assert {kind: kwh for kind, (_, kwh) in curves().items()} == {"HH": Decimal("3.000"), "SME": Decimal("1.000")}
    ReadingTypeMeter.objects.all().delete()
    ReadingTypeHour.objects.all().delete()
    assert profiles() == {}
    assert LEDGER_TYPE_ROLLUP.differences() != []
    call_command("ledger_rollup")
    assert rollups_differences() == {}
    assert profiles("MAK") == {"HH": (1, 2), "SME": (1, 1)}


def test_ledger_rollup_check_compares_the_type_rollups(capsys):
    build_report_dataset()
    call_command("ledger_rollup", "--check")
    LedgerTypeCustomer.objects.update(payments=9)
    with pytest.raises(Exception, match="differ"):
        call_command("ledger_rollup", "--check")
    assert "ledger_type_customer" in capsys.readouterr().out
    call_command("ledger_rollup")
    call_command("ledger_rollup", "--check")


def test_the_typed_accounts_are_counted_per_type_as_accounts_come_move_and_go():
    """total_typed_customers reads AccountTypeCount, kept by TypeMoves: equal to counting tblaccountnumbers."""
    from reports.models import AccountTypeCount
    from reports.selectors import om_report_load_curves_by_type

    def counts():
        return {c.customer_type: c.accounts for c in AccountTypeCount.objects.filter(accounts__gt=0)}

    hh = CustomerFactory(customer_type="HH")
    AccountNumberFactory(accountnumber="0001MAK", customer=hh, meter=None)
    AccountNumberFactory(accountnumber="0002MAK", customer=CustomerFactory(customer_type=""), meter=None)
    assert counts() == {"HH": 1, "Unknown": 1}
    assert om_report_load_curves_by_type()["total_typed_customers"] == 1
    meter = MeterFactory(meterid="M-SME", customer_type="SME", customer=hh)
    account = AccountNumber.objects.get(pk="0002MAK")
    account.meter = meter
    account.save()  # the meter's type wins over the customer's
    assert counts() == {"HH": 1, "SME": 1}
    hh.customer_type = "MED"
    hh.save()
    assert counts() == {"MED": 1, "SME": 1}
    meter.customer_type = ""
    meter.save()  # the meter says nothing: the customer's type (blank) leaves the account Unknown
    assert counts() == {"MED": 1, "Unknown": 1}
    assert om_report_load_curves_by_type()["total_typed_customers"] == 1
    AccountNumber.objects.get(pk="0001MAK").delete()
    assert counts() == {"Unknown": 1}
    assert om_report_load_curves_by_type()["total_typed_customers"] == 0
    assert rollups_differences() == {}


@pytest.mark.skip_rollup_check
def test_ledger_rollup_check_compares_the_account_type_counts(capsys):
    from reports.models import AccountTypeCount

    build_report_dataset()
    AccountTypeCount.objects.update(accounts=99)
    with pytest.raises(Exception, match="differ"):
        call_command("ledger_rollup", "--check")
    assert "account_type_count" in capsys.readouterr().out
    call_command("ledger_rollup")
    assert rollups_differences() == {}
