"""seed_demo: deterministic, refuses to mix into real data, and its figures add up."""

import hashlib
import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum

from accounts.models import Employee
from billing.models import AccountHistory, Config
from ccportal.units import energy
from customers.models import AccountNumber, Customer, Meter, MeterReading

TODAY = "2026-06-30"


def _digest():
    h = hashlib.sha256()
    for row in Customer.objects.order_by("customer_id").values_list(
        "customer_id", "first_name", "last_name", "phone", "site_code", "date_service_connected", "national_id"
    ):
        h.update(repr(row).encode())
    for row in AccountHistory.objects.order_by("id").values_list(
        "accountnumber", "transaction_date", "transaction_amount", "kwh_value", "current_balance"
    ):
        h.update(repr(row).encode())
    return h.hexdigest()


def _seed(*args):
    out = io.StringIO()
    call_command("seed_demo", "--scale", "0.05", "--today", TODAY, *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_is_deterministic():
    _seed("--seed", "7")
    first = _digest()
    _seed("--seed", "7", "--force")
    assert _digest() == first
    _seed("--seed", "8", "--force")
    assert _digest() != first


@pytest.mark.django_db
def test_it_refuses_a_database_with_customers_without_force():
    _seed()
    with pytest.raises(CommandError, match="--force"):
        _seed()


@pytest.mark.django_db
def test_its_figures_add_up():
    output = _seed()
    assert "1001 / " in output  # prints the demo logins
    assert set(Employee.objects.values_list("role", flat=True)) == {"superadmin", "onm_team", "finance_team", "generic"}
    customers = Customer.objects.count()
    assert 60 <= customers <= 80  # about 1,400 × 0.05
    assert Customer.objects.values("site_code").distinct().count() == 15
    assert all(phone.startswith("+266") and len(phone) == 12 for phone in Customer.objects.values_list("phone", flat=True))
    assert AccountNumber.objects.count() == Meter.objects.count() > 0.9 * customers
    assert MeterReading.objects.exists() or customers < 100
    assert Config.objects.get().therate > 0
    # Every account's last balance equals the sum of its ledger's kWh (payments add, consumption subtracts).
    sums = dict(AccountHistory.objects.values("accountnumber").annotate(s=Sum("kwh_value")).values_list("accountnumber", "s"))
    for accountnumber, total in sums.items():
        last = AccountHistory.objects.filter(accountnumber=accountnumber).order_by("-transaction_date", "-id").first()
        assert last.current_balance == energy(total), accountnumber  # SQLite sums decimals as floats
        assert last.current_balance >= 0
    # Payment kWh are the amount at the rate used.
    for row in AccountHistory.objects.filter(payment=True)[:200]:
        assert abs(row.transaction_amount / row.rate_used - row.kwh_value) < 0.001
    span = AccountHistory.objects.aggregate(n=Count("id"))
    assert span["n"] > 20 * AccountNumber.objects.count()
    first = AccountHistory.objects.order_by("transaction_date").first().transaction_date.date()
    assert (date.fromisoformat(TODAY) - first).days >= 730
