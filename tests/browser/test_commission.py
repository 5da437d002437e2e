"""Commission a customer in Chromium: the five steps (the contract read before the signature), a signature drawn with the mouse, then both PDFs."""

import subprocess

import pytest

from contracts.models import Commissioning, ContractVersion
from tests.browser.conftest import SCREENSHOTS
from tests.factories import AccountNumberFactory, provider_signatory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def draw(page, selector, strokes):
    box = page.locator(selector).bounding_box()
    for stroke in strokes:
        x, y = stroke[0]
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=6)
        page.mouse.up()


SIGNATURE = [
    [(0.08, 0.70), (0.14, 0.30), (0.20, 0.72), (0.27, 0.35), (0.33, 0.68)],
    [(0.38, 0.55), (0.48, 0.40), (0.58, 0.62), (0.70, 0.38), (0.86, 0.52)],
]


def test_it_commissions_with_a_mouse_signature_and_serves_both_pdfs(page, login, screenshot, onm, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    provider_signatory()
    account = AccountNumberFactory(customer__first_name="Mpho", customer__last_name="Lebona", accountnumber="0101MAK")
    login(onm)
    page.goto(f"/customers/{account.customer.pk}/commission/")
    assert page.locator("#main > h1").inner_text() == "Commission customer"
    assert page.get_by_role("heading", name="1. Identify").is_visible()
    assert not page.get_by_role("heading", name="2. Details").is_visible()
    screenshot("commission-1-identify")
    page.get_by_role("button", name="Next: details").click()

    page.fill("input[name=national_id]", "")
    page.get_by_role("button", name="Next: contract").click()
    assert page.get_by_role("heading", name="2. Details").is_visible()  # a required field stops the step
    page.fill("input[name=national_id]", "012345678901")
    page.fill("input[name=phone]", "5775 5403")
    page.fill("input[name=gps_lat]", "-29.351234")
    page.fill("input[name=gps_lng]", "27.612345")
    screenshot("commission-2-details")
    page.get_by_role("button", name="Next: contract").click()
    page.get_by_label("I have read the contract with the customer").check()
    page.get_by_role("button", name="Next: signature").click()

    page.get_by_role("button", name="Review").click()  # no signature yet
    assert page.get_by_text("The customer must sign before you continue.").is_visible()
    draw(page, "canvas[data-signature-pad]", SIGNATURE[:1])
    assert page.input_value("input[name=signature]").startswith("data:image/png;base64,")
    page.get_by_role("button", name="Clear signature").click()
    assert page.input_value("input[name=signature]") == ""
    draw(page, "canvas[data-signature-pad]", SIGNATURE)
    screenshot("commission-3-sign")
    page.get_by_role("button", name="Review").click()

    page.get_by_role("heading", name="5. Review").wait_for()  # the form is htmx-boosted: the review is swapped in
    assert page.get_by_text("+26657755403").first.is_visible()
    assert page.locator("figure.signature-preview img").evaluate("img => img.naturalWidth") == 900
    screenshot("commission-4-review")
    page.get_by_role("button", name="Commission and issue contracts").click()
    page.wait_for_url("**/commissioning/*/")
    assert "is commissioned on account 0101MAK" in page.locator(".messages").inner_text()
    screenshot("commission-5-done")

    commissioning = Commissioning.objects.get()
    # The contract SMS is in the outbox; the page shows its real status (nothing is sent in development).
    page.wait_for_selector("#customer-messages table")
    assert "Not sent: development backend" in page.locator("#customer-messages").inner_text()
    assert "Sent to gateway" not in page.locator("#customer-messages").inner_text()
    links = page.locator(".contract-links a")
    assert links.count() == 2
    for i, title in enumerate(("Electricity Supply Agreement", "Tumellano ea Phepelo ea Motlakase")):
        response = page.request.get(links.nth(i).get_attribute("href"))
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        pdf = response.body()
        language = ("en", "st")[i]
        path = SCREENSHOTS / f"commission-contract-{language}.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert title in text and "Mpho Lebona" in text and "0101MAK" in text
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", str(path), str(SCREENSHOTS / f"commission-contract-{language}")], check=True
        )
    assert ContractVersion.objects.filter(commissioning=commissioning).count() == 2


def test_a_touch_pointer_draws_too(page, login, onm, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    provider_signatory()
    account = AccountNumberFactory(accountnumber="0102MAK")
    login(onm)
    page.goto(f"/customers/{account.customer.pk}/commission/")
    page.get_by_role("button", name="Next: details").click()
    page.get_by_role("button", name="Next: contract").click()
    page.get_by_label("I have read the contract with the customer").check()
    page.get_by_role("button", name="Next: signature").click()
    page.locator("canvas[data-signature-pad]").evaluate(
        """canvas => {
          const r = canvas.getBoundingClientRect();
          const fire = (type, x, y) => canvas.dispatchEvent(new PointerEvent(type, {
            pointerId: 7, pointerType: "touch", isPrimary: true, bubbles: true, cancelable: true,
            clientX: r.left + x * r.width, clientY: r.top + y * r.height, button: 0, buttons: 1, pressure: 0.5}));
          fire("pointerdown", 0.1, 0.5);
          for (let i = 1; i <= 20; i++) fire("pointermove", 0.1 + i * 0.04, 0.5 + Math.sin(i) * 0.2);
          fire("pointerup", 0.9, 0.5);
        }"""
    )
    assert page.input_value("input[name=signature]").startswith("data:image/png;base64,")


def test_a_superadmin_draws_the_provider_signature_and_sees_it(page, login, screenshot, superadmin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    login(superadmin)
    page.goto("/contracts/signatory/")
    assert page.get_by_text("No one signs for the company yet").is_visible()
    page.fill("#id_name", "Lerato Mokhothu")
    page.fill("#id_title", "Chief Executive")
    page.fill("#id_title_st", "Mookameli e Moholo")
    draw(page, "canvas[data-signature-pad]", SIGNATURE)
    page.fill("#id_reason", "first signatory")
    page.get_by_role("button", name="Save signatory").click()
    page.get_by_text("signed for the company by Lerato Mokhothu").wait_for()
    preview = page.locator("img.signatory-preview")
    page.wait_for_function("() => document.querySelector('img.signatory-preview').complete")  # loaded or failed
    assert preview.evaluate("img => img.naturalWidth > 0")
    screenshot("provider-signatory-tablet")
