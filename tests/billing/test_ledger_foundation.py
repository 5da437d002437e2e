"""The tariff cascade and the ledger services the foundation provides."""

from decimal import Decimal

import pytest

from billing import selectors, services
from billing.models import AccountHistory
from tests.factories import AccountNumberFactory, TariffRateFactory, aware


@pytest.mark.django_db
def test_rate_cascade_prefers_customer_then_site_then_global():
    account = AccountNumberFactory(accountnumber="0001MAK")
    TariffRateFactory(scope="global", rate_lsl=Decimal("5.00"), effective_from=aware(2020, 1, 1))
    assert selectors.tariff_rate_for(account=account, on=aware(2024, 1, 1)).source == "global"
    TariffRateFactory(scope="site", scope_key="MAK", rate_lsl=Decimal("4.60"), effective_from=aware(2021, 1, 1))
    assert selectors.tariff_rate_for(account=account, on=aware(2024, 1, 1)).rate_lsl == Decimal("4.60")
    TariffRateFactory(
        scope="customer", scope_key=str(account.customer_id), rate_lsl=Decimal("4.25"), effective_from=aware(2023, 1, 1)
    )
    assert selectors.tariff_rate_for(account="0001MAK", on=aware(2024, 1, 1)).rate_lsl == Decimal("4.25")
    # A future global rate applies by itself at its moment, but never beats a customer rate.
    TariffRateFactory(scope="global", rate_lsl=Decimal("6.00"), effective_from=aware(2030, 1, 1))
    assert selectors.tariff_rate_for(site_code="KET", on=aware(2029, 12, 31, 23, 59)).rate_lsl == Decimal("5.00")
    assert selectors.tariff_rate_for(site_code="KET", on=aware(2030, 1, 1)).rate_lsl == Decimal("6.00")
    assert selectors.tariff_rate_for(account=account, on=aware(2030, 1, 1)).rate_lsl == Decimal("4.25")


@pytest.mark.django_db
def test_payment_kwh_and_balances_carry_forward(superadmin):
    account = AccountNumberFactory(accountnumber="0002MAK")
    TariffRateFactory(rate_lsl=Decimal("4.00"))
    first = services.ledger_entry_create(
        accountnumber="0002MAK", when=aware(2025, 3, 1, 10), is_payment=True, amount="50", by=superadmin, reason="test"
    )
    assert (first.kwh_value, first.rate_used, first.current_balance) == (Decimal("12.500"), Decimal("4.0000"), Decimal("12.500"))
    assert first.meterid == account.meter_id
    used = services.ledger_entry_create(
        accountnumber="0002MAK", when=aware(2025, 3, 20), is_payment=False, kwh="5", by=superadmin, reason="test"
    )
    assert (used.kwh_value, used.transaction_amount, used.current_balance) == (
        Decimal("-5.000"),
        Decimal("-20.00"),
        Decimal("7.500"),
    )
    # A back-dated payment carries every later balance forward.
    services.ledger_entry_create(
        accountnumber="0002MAK", when=aware(2025, 2, 1), is_payment=True, amount="10", by=superadmin, reason="late entry"
    )
    used.refresh_from_db()
    assert used.current_balance == Decimal("10.000")
    assert selectors.account_balance_kwh("0002MAK") == Decimal("10.000")
    first_id = first.id
    services.ledger_entry_delete(entry=first, by=superadmin, reason="duplicate")
    assert selectors.account_balance_kwh("0002MAK") == Decimal("-2.500")
    history = AccountHistory.history.filter(id=first_id).order_by("history_date")
    assert [h.history_type for h in history] == ["+", "-"]
    assert history.last().history_user == superadmin and history.last().history_change_reason == "duplicate"
