"""A superadmin edits a message text and watches the preview count SMS parts as they type; a clerk opts a
customer out from Customer Detail (the messages partial) and sees the receipt the page's payment queued."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from messaging.models import CustomerPreference, Message
from tests.factories import AccountNumberFactory, TariffRateFactory, aware

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_template_preview_counts_parts_as_you_type(page, login, screenshot, superadmin):
    login(superadmin)
    page.goto("/messages/templates/receipt/en/")
    preview = page.locator("#preview")
    assert "1 SMS part" in preview.inner_text()
    text = page.locator("textarea[name=text]")
    text.fill("Paid M{amount}. " + "x" * 150)
    expect(page.locator("#preview")).to_contain_text("2 SMS parts")
    text.fill("Patala M{amount} · Tšebeliso")
    expect(page.locator("#preview")).to_contain_text("UCS-2")
    screenshot("messages-template-preview")
    text.fill("Paid {nope}")
    expect(page.locator("#preview")).to_contain_text("is not a placeholder")


def test_a_clerk_sees_the_receipt_and_opts_the_customer_out(page, login, screenshot, finance, live_server):
    TariffRateFactory(rate_lsl=Decimal("5.00"), effective_from=aware(2019, 1, 1))
    account = AccountNumberFactory(accountnumber="0045MAK", customer__phone="+26657755403")
    from billing.services import ledger_entry_create

    ledger_entry_create(
        accountnumber="0045MAK", when=aware(2026, 3, 1, 10), is_payment=True, amount=Decimal("50"), by=finance, reason="cash"
    )
    assert Message.objects.get().status == Message.Status.NOT_SENT_DEVELOPMENT

    login(finance)
    page.goto(f"/customers/{account.customer_id}/")
    messages = page.locator("#customer-messages")
    messages.locator("table").wait_for()
    assert "Not sent: development backend" in messages.inner_text() and "Payment receipt" in messages.inner_text()
    messages.get_by_text("Language and opt-out").click()
    messages.locator("input[name=opted_out]").check()
    messages.locator("input[name=reason]").first.fill("asked not to be texted")
    messages.get_by_role("button", name="Save preferences").click()
    expect(page.locator("#customer-messages")).to_contain_text("Opted out")
    screenshot("messages-customer-detail")
    assert CustomerPreference.objects.get().opt_out_reason == "asked not to be texted"
