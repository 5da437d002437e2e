"""Commission Customer on an 800 px tablet: the contract, English and Sesotho, read before the signature pad works,
with the details as typed, and the same text as the contract issued."""

import subprocess

import lxml.html
import pytest

from billing.selectors import tariff_rate_for
from contracts.models import Commissioning, ContractVersion
from contracts.rendering import ContractTerms, contract_context, contract_html
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_commission import SIGNATURE, draw
from tests.factories import AccountNumberFactory, provider_signatory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The text a reader sees in a preview: hidden rows and the language heading are not part of the contract.
PREVIEW_TEXT = """el => {
  const copy = el.cloneNode(true);
  copy.querySelectorAll("[hidden], .contract-language").forEach(n => n.remove());
  return copy.textContent.split(/\\s+/).filter(Boolean).join(" ");
}"""


def words(html):
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return " ".join(root.text_content().split())


def issued_text(commissioning, language):
    """The issued contract's text, rendered again from what the commissioning recorded, without its reference."""
    terms = ContractTerms(
        connection_date=commissioning.connection_date,
        customer_type=commissioning.customer_type,
        national_id=commissioning.national_id,
        phone=commissioning.phone,
        service_phase=commissioning.service_phase,
        ampacity=commissioning.ampacity,
        gps_lat=commissioning.gps_lat,
        gps_lng=commissioning.gps_lng,
    )
    context = contract_context(
        customer=commissioning.customer,
        account=commissioning.account,
        terms=terms,
        language=language,
        tariff=tariff_rate_for(customer=commissioning.customer, on=commissioning.commissioned_at),
        version=1,
        issued_at=commissioning.commissioned_at,
    )
    text = words(contract_html(context))
    return text[: text.rindex(" Reference " if language == "en" else " Nomoro ea tumellano ")]


def test_the_customer_reads_the_contract_before_the_pad_takes_a_signature(page, login, screenshot, onm, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    signatory = provider_signatory()
    account = AccountNumberFactory(customer__first_name="Mpho", customer__last_name="Lebona", accountnumber="0201MAK")
    page.set_viewport_size({"width": 800, "height": 1180})
    login(onm)
    page.goto(f"/customers/{account.customer.pk}/commission/")
    page.get_by_role("button", name="Next: details").click()
    page.fill("input[name=national_id]", "0123  45678901")
    page.fill("input[name=phone]", "5775 5403")
    page.select_option("select[name=service_phase]", "Three")
    page.fill("input[name=ampacity]", "40 A")
    page.fill("input[name=gps_lat]", "-29.3512")
    page.fill("input[name=gps_lng]", "27.612345")
    page.get_by_role("button", name="Next: contract").click()

    english, sesotho = page.locator("[data-contract-preview=en]"), page.locator("[data-contract-preview=st]")
    assert english.is_visible() and sesotho.is_visible()
    assert not page.locator("canvas[data-signature-pad]").is_visible()
    en_text, st_text = english.evaluate(PREVIEW_TEXT), sesotho.evaluate(PREVIEW_TEXT)
    assert "Electricity Supply Agreement" in en_text and "Tumellano ea Phepelo ea Motlakase" in st_text
    for text in (en_text, st_text):  # the details as typed, in the contract's own forms
        assert "0123 45678901" in text and "+266 5775 5403" in text and "40 A" in text and "-29.351200, 27.612345" in text
        assert "0201MAK" in text and signatory.name in text
    assert "three-phase" in en_text and "li-phase tse tharo" in st_text
    no_horizontal_scroll = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_horizontal_scroll
    screenshot("commission-3-contract-800")
    english.evaluate("el => { el.scrollTop = el.scrollHeight; }")  # the signatures at the end of the text
    screenshot("commission-3-contract-800-end")
    english.evaluate("el => { el.scrollTop = el.scrollHeight / 3; }")
    screenshot("commission-3-contract-800-schedule")

    # Not ticked: the step does not move on, and the pad takes no ink even if shown.
    page.get_by_role("button", name="Next: signature").click()
    assert page.get_by_role("heading", name="3. Contract").is_visible()
    page.locator("form.wizard").evaluate("form => form.wizardShow(4, false)")
    draw(page, "canvas[data-signature-pad]", SIGNATURE)
    assert page.input_value("input[name=signature]") == ""
    assert "first" in page.locator(".signature-hint").inner_text()
    page.locator("form.wizard").evaluate("form => form.wizardShow(3, false)")

    # With the keyboard: tick, then Next.
    page.get_by_label("I have read the contract with the customer").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Next: signature"
    page.keyboard.press("Enter")
    assert page.get_by_role("heading", name="4. Sign").is_visible()
    draw(page, "canvas[data-signature-pad]", SIGNATURE)
    assert page.input_value("input[name=signature]").startswith("data:image/png;base64,")
    page.get_by_role("button", name="Review").click()
    page.get_by_role("heading", name="5. Review").wait_for()
    page.get_by_role("button", name="Commission and issue contracts").click()
    page.wait_for_url("**/commissioning/*/")

    commissioning = Commissioning.objects.get()
    assert en_text == issued_text(commissioning, "en")
    assert st_text == issued_text(commissioning, "st")
    for version in ContractVersion.objects.filter(commissioning=commissioning):
        path = SCREENSHOTS / f"commission-preview-{version.language}.pdf"
        path.write_bytes(version.file.open("rb").read())
        pdf = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split())
        for detail in ("0123 45678901", "+266 5775 5403", "-29.351200, 27.612345", signatory.name):
            assert detail in pdf
