"""Billing test fixtures: private uploads in a temporary folder, statement files, a small priced world."""

from decimal import Decimal
from pathlib import Path

import pytest

from tests.factories import AccountNumberFactory, CustomerFactory, TariffRateFactory, aware

FILES = Path(__file__).parent / "files"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def statement():
    """statement("mpesa_day.csv") -> (bytes, filename)."""

    def read(name):
        return (FILES / name).read_bytes(), name

    return read


@pytest.fixture
def priced_accounts(db):
    """Global 5.00 since 2019, MAK 4.00 since 2024; 0045MAK (phone +26657000001), 0046MAK (phone
    +26657000002, its owner's only account) and customer 3 with two accounts sharing phone +26662000002."""
    TariffRateFactory(rate_lsl=Decimal("5.00"), effective_from=aware(2019, 1, 1))
    TariffRateFactory(scope="site", scope_key="MAK", rate_lsl=Decimal("4.00"), effective_from=aware(2024, 1, 1))
    first = AccountNumberFactory(accountnumber="0045MAK", customer__phone="+26657000001")
    second = AccountNumberFactory(accountnumber="0046MAK", customer__phone="+26657000002")
    two = CustomerFactory(phone="+26662000002")
    AccountNumberFactory(accountnumber="0047MAK", customer=two)
    AccountNumberFactory(accountnumber="0048MAK", customer=two)
    return {"0045MAK": first, "0046MAK": second}
