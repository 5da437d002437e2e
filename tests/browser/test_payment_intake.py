"""An SMS the gateway forwarded waits in the unmatched queue with its text; finance reads it and assigns it; the
Dashboard says when the last SMS came."""

from decimal import Decimal

import pytest

from billing import services
from billing.models import ImportedPayment
from tests.billing.intake import mpesa_text
from tests.factories import AccountNumberFactory, CustomerFactory, TariffRateFactory, aware

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_intake_payment_waits_with_its_text_and_is_assigned(page, login, screenshot, finance, settings):
    from django.utils import timezone

    settings.CC_PAYMENT_INTAKE_SECRET = "browser-secret"
    TariffRateFactory(rate_lsl=Decimal("5.00"), effective_from=aware(2019, 1, 1))
    shared = CustomerFactory(phone="+26662000002")
    AccountNumberFactory(accountnumber="0047MAK", customer=shared)
    AccountNumberFactory(accountnumber="0048MAK", customer=shared)
    text = mpesa_text("QBR1WSER01", "30.00", "26662000002")
    services.incoming_sms_receive(gateway_id="gw-browser", sender="M-PESA", text=text, received_at=timezone.now())
    page.on("dialog", lambda dialog: dialog.accept())

    login(finance)
    page.goto("/")
    panel = page.locator("#payment-intake")
    assert panel.get_by_text("Last SMS:").is_visible() and panel.get_by_text("1 waiting").is_visible()
    page.goto("/payments/import/")
    row = page.locator("tr", has_text="QBR1WSER01")
    row.get_by_text("Payment intake: SMS from M-PESA").click()
    assert row.locator("pre").inner_text() == text
    screenshot("payment-intake-queue")
    row.get_by_role("button", name="Assign").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Account number").fill("0047mak")
    dialog.get_by_role("button", name="Post to account").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Receipt QBR1WSER01 posted to 0047MAK.").is_visible()
    assert ImportedPayment.objects.get(receipt="QBR1WSER01").ledger_row.kwh_value == Decimal("6.000")
