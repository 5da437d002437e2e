"""Finance uploads a day's M-Pesa statement, confirms it, then assigns the payment nobody matched."""

from decimal import Decimal
from pathlib import Path

import pytest

from billing.models import ImportedPayment
from tests.factories import AccountNumberFactory, TariffRateFactory, aware

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATEMENT = Path(__file__).resolve().parents[1] / "billing" / "files" / "mpesa_day.csv"


def test_it_imports_confirms_and_assigns(page, login, screenshot, finance, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    TariffRateFactory(rate_lsl=Decimal("4.00"), effective_from=aware(2019, 1, 1))
    AccountNumberFactory(accountnumber="0045MAK", customer__phone="+26657000001")
    AccountNumberFactory(accountnumber="0046MAK", customer__phone="+26657000002")
    AccountNumberFactory(accountnumber="0050MAK", customer__phone="+26657000050")
    page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm prompts

    login(finance)
    page.goto("/payments/import/")
    page.select_option("select[name=provider]", "mpesa")
    page.set_input_files("input[name=statement]", str(STATEMENT))
    page.get_by_role("button", name="Preview").click()
    page.wait_for_url("**/payments/import/*/")
    assert page.get_by_text("matched by phone").first.is_visible()
    screenshot("payment-import-preview")

    page.get_by_role("button", name="Confirm and post matched payments").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Posted 2 payments").is_visible()

    page.goto("/payments/import/")
    row = page.locator("tr", has_text="RCP0003")
    row.get_by_role("button", name="Assign").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Account number").fill("mak 50")
    screenshot("payment-import-assign")
    dialog.get_by_role("button", name="Post to account").click()
    page.get_by_text("Receipt RCP0003 posted to 0050MAK.").wait_for()  # the form is htmx-boosted: swapped in
    assert ImportedPayment.objects.get(receipt="RCP0003").ledger_row.kwh_value == Decimal("7.500")
    screenshot("payment-import-queue")
