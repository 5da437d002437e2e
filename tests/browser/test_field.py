"""In the field, in Chromium: every failed request says so where it happened, keeps what was typed and offers
Retry; the New Customer field form and commissioning are kept on the tablet offline and applied once."""

import json
import re
import time
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from billing.models import ImportedPayment
from contracts.models import Commissioning
from customers.models import Customer, Site
from tests.browser.test_commission import SIGNATURE, draw
from tests.factories import AccountNumberFactory, CustomerFactory, TariffRateFactory, aware, provider_signatory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATEMENT = Path(__file__).resolve().parents[1] / "billing" / "files" / "mpesa_day.csv"


def note(page):
    return page.locator(".net-error")


def test_a_live_search_offline_says_so_marks_old_results_and_retries(page, login, screenshot, onm):
    CustomerFactory(first_name="Mpho", last_name="Letsie")
    CustomerFactory(first_name="Lerato", last_name="Mosia")
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    login(onm)
    page.goto("/customers/")
    with page.expect_response(lambda response: "q=Mph" in response.url):
        page.fill("#q", "Mph")  # three characters: sent after the short pause
    expect(page.locator("#results")).not_to_contain_text("Mosia")  # waits for the swap after the response
    assert "Letsie" in page.inner_text("#results")
    page.context.set_offline(True)
    assert page.locator("#offline-banner").is_visible()
    page.fill("#q", "Lerato")
    note(page).wait_for()
    assert "No connection" in note(page).inner_text()
    assert page.input_value("#q") == "Lerato"
    assert "net-stale" in page.get_attribute("#results", "class")
    screenshot("field-search-offline")
    page.context.set_offline(False)
    assert not page.locator("#offline-banner").is_visible()
    page.get_by_role("button", name="Retry").click()
    note(page).wait_for(state="detached")
    assert "Mosia" in page.inner_text("#results") and "Letsie" not in page.inner_text("#results")
    assert refused == []


def test_an_inline_edit_that_fails_keeps_the_typed_value_and_saves_on_retry(page, login, screenshot, onm):
    customer = CustomerFactory(first_name="Mpho", last_name="Letsie")
    login(onm)
    page.goto(f"/customers/{customer.pk}/")
    page.get_by_role("link", name="Edit First name").click()
    form = page.locator("#field-first_name form")
    form.locator("input[name=first_name]").fill("Palesa")
    form.locator("input[name=reason]").fill("Spelling")
    page.route(re.compile(r".*/field/first_name/$"), lambda route: route.abort())
    form.get_by_role("button", name="Save").click()
    note(page).wait_for()
    assert "connection failed" in note(page).inner_text() and "still here" in note(page).inner_text()
    assert form.locator("input[name=first_name]").input_value() == "Palesa"
    screenshot("field-inline-edit-failed")
    page.unroute(re.compile(r".*/field/first_name/$"))
    page.get_by_role("button", name="Retry").click()
    page.locator("#field-first_name", has_text="Palesa").locator("a.edit-link").wait_for()
    assert Customer.objects.get(pk=customer.pk).first_name == "Palesa"


def test_a_wizard_step_that_times_out_keeps_the_step_and_retries(page, login, screenshot, onm):
    login(onm)
    page.goto("/customers/new/?restart=1")
    page.fill("input[name=first_name]", "Mpho")
    page.fill("input[name=last_name]", "Letsie")
    page.evaluate("htmx.config.timeout = 400")

    def slow(route):
        time.sleep(1.0)
        route.continue_()

    page.route(re.compile(r".*/customers/new/$"), slow)
    page.get_by_role("button", name="Next →").click()
    note(page).wait_for()
    assert "did not answer within" in note(page).inner_text()
    assert page.input_value("input[name=first_name]") == "Mpho"
    screenshot("field-wizard-timeout")
    page.unroute(re.compile(r".*/customers/new/$"))
    page.evaluate("htmx.config.timeout = 20000")
    page.get_by_role("button", name="Retry").click()
    page.locator("select[name=site_code]").wait_for()
    assert "step=location" in page.url


def test_commissioning_offline_is_not_lost_and_retry_commissions_once(page, login, screenshot, onm, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    provider_signatory()
    account = AccountNumberFactory(customer__first_name="Mpho", customer__last_name="Lebona", accountnumber="0101MAK")
    login(onm)
    page.goto(f"/customers/{account.customer.pk}/commission/")
    page.get_by_role("button", name="Next: details").click()
    page.fill("input[name=national_id]", "012345678901")
    page.fill("input[name=phone]", "5775 5403")
    page.get_by_role("button", name="Next: contract").click()
    page.get_by_label("I have read the contract with the customer").check()
    page.get_by_role("button", name="Next: signature").click()
    draw(page, "canvas[data-signature-pad]", SIGNATURE)
    page.get_by_role("button", name="Review").click()
    page.get_by_role("button", name="Commission").wait_for()
    page.context.set_offline(True)
    page.get_by_role("button", name="Commission").click()
    note(page).wait_for()
    assert "No connection" in note(page).inner_text()
    assert not Commissioning.objects.exists()
    screenshot("field-commission-offline")
    page.context.set_offline(False)
    page.get_by_role("button", name="Retry").click()
    page.wait_for_url("**/commissioning/*/")
    assert Commissioning.objects.count() == 1


def test_a_commission_page_kept_offline_shows_the_contract_and_queues_it_read_and_signed(
    page, login, screenshot, onm, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "private"
    provider_signatory()
    account = AccountNumberFactory(customer__first_name="Mpho", customer__last_name="Lebona", accountnumber="0103MAK")
    url = f"/customers/{account.customer.pk}/commission/"
    login(onm)
    page.goto(url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now under the service worker, which keeps the page
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    page.goto(url)  # from the service worker's copy
    page.get_by_role("button", name="Next: details").click()
    page.fill("input[name=national_id]", "012345678901")
    page.fill("input[name=phone]", "5775 5403")
    page.select_option("select[name=service_phase]", "Three")
    page.get_by_role("button", name="Next: contract").click()
    english = page.locator("[data-contract-preview=en]")
    assert english.is_visible() and page.locator("[data-contract-preview=st]").is_visible()
    assert "+266 5775 5403" in english.inner_text() and "three-phase" in english.inner_text()
    page.get_by_label("I have read the contract with the customer").check()
    page.get_by_role("button", name="Next: signature").click()
    draw(page, "canvas[data-signature-pad]", SIGNATURE)
    page.get_by_role("button", name="Review").click()
    page.get_by_role("heading", name="Saved on this tablet").wait_for()
    item = page.evaluate("CCQueue.all().then((items) => items[0].payload.fields)")
    assert item["contract_read"] == "on" and item["signature"].startswith("data:image/png;base64,")
    assert not Commissioning.objects.exists()

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.locator("#queue-status", has_text="Nothing waiting").wait_for(timeout=45000)
    commissioning = Commissioning.objects.get()
    assert commissioning.service_phase == "Three" and commissioning.phone == "+26657755403"


def test_the_payment_lookup_says_when_the_server_fails(page, login, finance):
    login(finance)
    page.goto("/payments/lookup/")
    page.route(re.compile(r".*/payments/lookup/\?.*"), lambda route: route.fulfill(status=502, body="Bad gateway"))
    page.fill("#payment-lookup-q", "RCP0003")
    note(page).wait_for()
    assert "(502)" in note(page).inner_text() and page.input_value("#payment-lookup-q") == "RCP0003"
    page.unroute(re.compile(r".*/payments/lookup/\?.*"))
    page.get_by_role("button", name="Retry").click()
    note(page).wait_for(state="detached")


def test_assigning_an_unmatched_payment_offline_keeps_the_dialog_and_posts_on_retry(
    page, login, screenshot, finance, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    TariffRateFactory(rate_lsl=Decimal("4.00"), effective_from=aware(2019, 1, 1))
    AccountNumberFactory(accountnumber="0045MAK", customer__phone="+26657000001")
    AccountNumberFactory(accountnumber="0046MAK", customer__phone="+26657000002")
    AccountNumberFactory(accountnumber="0050MAK", customer__phone="+26657000050")
    page.on("dialog", lambda dialog: dialog.accept())
    login(finance)
    page.goto("/payments/import/")
    page.select_option("select[name=provider]", "mpesa")
    page.set_input_files("input[name=statement]", str(STATEMENT))
    page.get_by_role("button", name="Preview").click()
    page.wait_for_url("**/payments/import/*/")
    page.get_by_role("button", name="Confirm and post matched payments").click()
    page.wait_for_load_state("networkidle")
    page.goto("/payments/import/")
    page.locator("tr", has_text="RCP0003").get_by_role("button", name="Assign").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Account number").fill("mak 50")
    page.context.set_offline(True)
    dialog.get_by_role("button", name="Post to account").click()
    dialog.locator(".net-error").wait_for()
    assert dialog.get_by_label("Account number").input_value() == "mak 50"
    screenshot("field-assign-offline")
    page.context.set_offline(False)
    dialog.get_by_role("button", name="Retry").click()
    page.get_by_text("Receipt RCP0003 posted to 0050MAK.").wait_for()
    assert ImportedPayment.objects.get(receipt="RCP0003").ledger_row is not None


def fill_field_form(page, national_id="123456789012"):
    page.fill("input[name=personal-first_name]", "Mpho")
    page.fill("input[name=personal-last_name]", "Letsie")
    page.fill("input[name=personal-national_id]", national_id)
    page.fill("input[name=personal-phone]", "5775 5403")
    page.get_by_role("button", name="Next →").click()
    page.select_option("select[name=location-site_code]", "MAK")
    page.fill("input[name=location-city]", "Ha Makebe")
    page.get_by_role("button", name="Next →").click()
    page.select_option("select[name=service-customer_type]", "HH")


def open_field_form_offline(page):
    Site.objects.get_or_create(code="MAK", defaults={"name": "Ha Makebe", "district": "Maseru"})
    page.goto("/customers/new/field/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now under the service worker, which keeps the page
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    page.goto("/customers/new/")  # the wizard needs the server: the kept field form opens instead
    page.locator("input[name=personal-first_name]").wait_for()


def test_the_field_form_completed_offline_creates_the_customer_once(page, login, screenshot, onm):
    login(onm)
    sent = []
    page.on(
        "request",
        lambda request: sent.append(request.post_data)
        if request.method == "POST" and request.url.endswith("/customers/new/field/")
        else None,
    )
    open_field_form_offline(page)
    assert page.locator("#offline-banner").is_visible()
    fill_field_form(page)
    page.get_by_role("button", name="Save customer").click()
    page.get_by_role("heading", name="Saved on this tablet").wait_for()
    page.locator("#queue-status", has_text="1 item waits").wait_for()
    screenshot("field-form-saved-offline")
    assert not Customer.objects.exists()

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.locator("#queue-status", has_text="Nothing waiting").wait_for(timeout=45000)
    assert "last sent" in page.inner_text("#queue-status")
    customer = Customer.objects.get()
    assert customer.full_name == "Mpho Letsie" and customer.phone == "+26657755403"
    assert page.get_by_text(f"Customer {customer.pk} Mpho Letsie registered.").is_visible()
    screenshot("field-form-sent")

    # The same document sent again (a lost answer, a second tablet tab): the first result, nothing new.
    document = json.loads(sent[-1])
    token = page.request.get("/field/status/").json()["csrf_token"]
    again = page.request.post(
        "/customers/new/field/", data=json.dumps(document), headers={"Content-Type": "application/json", "X-CSRFToken": token}
    )
    assert again.status == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == customer.pk and Customer.objects.count() == 1
    assert page.evaluate("CCQueue.all().then((items) => items.length)") == 0


def test_a_conflict_comes_back_as_an_item_the_officer_resolves(page, login, screenshot, onm):
    existing = CustomerFactory(national_id="123456789012", first_name="Lerato", last_name="Mosia")
    login(onm)
    open_field_form_offline(page)
    fill_field_form(page)
    page.get_by_role("button", name="Save customer").click()
    page.get_by_role("heading", name="Saved on this tablet").wait_for()
    page.context.set_offline(False)
    page.goto("/field/")
    item = page.locator(".queue-item")
    # A send the server could not answer (SQLite's one writer, the machine loaded) is tried again after 5 s, 10 s…
    item.get_by_text("already registered").wait_for(timeout=45000)
    assert f"{existing.pk} Lerato Mosia" in item.inner_text() and Customer.objects.count() == 1
    assert "1 to resolve" in page.inner_text("#queue-status")
    screenshot("field-queue-conflict")

    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("form[data-logout] button").click()  # warns: an item waits
    page.wait_for_url("**/login/**")
    login(onm)
    page.goto("/field/")
    page.get_by_role("button", name="Register anyway").click()
    page.locator("#queue-empty").wait_for(state="visible", timeout=45000)
    assert Customer.objects.count() == 2
