"""The provider's signatory: set once by a superadmin, carried by every contract, required to commission."""

import io
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from contracts.models import Commissioning, ProviderSignatory
from contracts.rendering import ContractRenderError, provider_signatory_facts
from contracts.services import customer_commission
from tests.contracts.conftest import data_url, pdf_text, png_signature

pytestmark = pytest.mark.django_db

URL = "/contracts/signatory/"


def _form(**overrides):
    data = {
        "name": "Lerato Mokhothu",
        "title": "Chief Executive",
        "title_st": "Mookameli e Moholo",
        "signature": data_url(png_signature()),
        "reason": "new chief executive",
    }
    data.update(overrides)
    return data


@pytest.mark.no_signatory
def test_commissioning_is_refused_while_no_one_signs_for_the_company(onm, onm_client, account, commission_post, signature_png):
    page = onm_client.get(f"/customers/{account.customer.pk}/commission/").content.decode()
    assert "No one signs contracts for the company yet: a superadmin must set" in page
    response = onm_client.post(f"/customers/{account.customer.pk}/commission/", commission_post(action="commission"))
    assert response.status_code == 422 and "No one signs contracts for the company yet" in response.content.decode()
    with pytest.raises(ContractRenderError, match="superadmin"):
        customer_commission(
            customer=account.customer,
            account=account,
            connection_date=date(2026, 1, 1),
            customer_type="HH",
            national_id="012345678901",
            phone="57755403",
            signature_png=signature_png,
            by=onm,
        )
    assert not Commissioning.objects.exists()


@pytest.mark.no_signatory
def test_a_superadmin_sets_the_signatory_by_drawing_and_contracts_carry_it(admin_client, superadmin, onm, account, signature_png):
    assert "No one signs for the company yet" in admin_client.get(URL).content.decode()
    response = admin_client.post(URL, _form())
    assert response.status_code == 302
    signatory = ProviderSignatory.objects.get()
    assert (signatory.name, signatory.updated_by) == ("Lerato Mokhothu", superadmin)
    record = signatory.history.get()
    assert record.history_user == superadmin and record.history_change_reason == "new chief executive"
    image = admin_client.get(f"{URL}signature.png")
    assert image["Content-Type"] == "image/png" and image["Cache-Control"] == "private, no-store"
    commissioning = customer_commission(
        customer=account.customer,
        account=account,
        connection_date=date(2026, 1, 1),
        customer_type="HH",
        national_id="012345678901",
        phone="57755403",
        signature_png=signature_png,
        by=onm,
    )
    texts = {v.language: pdf_text(v.file.read()) for v in commissioning.contract_versions.all()}
    assert "Lerato Mokhothu" in texts["en"] and "Chief Executive" in texts["en"]
    assert "Lerato Mokhothu" in texts["st"] and "Mookameli e Moholo" in texts["st"]


@pytest.mark.no_signatory
def test_an_uploaded_jpeg_scan_is_kept_as_a_clean_png(admin_client):
    scan = Image.new("RGB", (600, 200), "white")
    scan.paste((10, 10, 60), (100, 90, 500, 110))
    buffer = io.BytesIO()
    scan.save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = "scan.jpg"
    response = admin_client.post(URL, _form(signature="", signature_file=buffer))
    assert response.status_code == 302
    assert ProviderSignatory.objects.get().signature.read().startswith(b"\x89PNG")


@pytest.mark.no_signatory
@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"signature": ""}, "Draw the signature on the pad or upload an image of it."),
        ({"signature": data_url(png_signature(ink=False))}, "The signature is empty"),
        ({"signature": "data:image/png;base64,@@@"}, "did not come through"),
        ({"name": ""}, "This field is required."),
        ({"reason": ""}, "This field is required."),
    ],
)
def test_bad_input_re_renders_with_the_reason_and_saves_nothing(admin_client, overrides, message):
    response = admin_client.post(URL, _form(**overrides))
    assert response.status_code == 400 and message in response.content.decode()
    assert not ProviderSignatory.objects.exists()


@pytest.mark.no_signatory
def test_an_upload_that_is_not_an_image_is_refused(admin_client):
    bogus = io.BytesIO(b"%PDF-1.4 not an image")
    bogus.name = "sig.png"
    response = admin_client.post(URL, _form(signature="", signature_file=bogus))
    assert response.status_code == 400 and "could not be read" in response.content.decode()


@pytest.mark.parametrize("client_name", ["onm_client", "finance_client", "generic_client"])
def test_only_superadmins_may_see_or_set_it(request, client_name):
    client = request.getfixturevalue(client_name)
    assert client.get(URL).status_code == 403
    assert client.post(URL, _form()).status_code == 403
    assert client.get(f"{URL}signature.png").status_code == 403


def test_a_change_keeps_contracts_already_issued_and_records_who_and_why(admin_client, signatory):
    response = admin_client.post(URL, _form(name="Neo Ramoholi"))
    assert response.status_code == 302
    assert ProviderSignatory.objects.get().name == "Neo Ramoholi" and ProviderSignatory.history.count() == 2


def test_the_preview_is_a_404_when_the_signature_file_is_gone_or_unnamed(admin_client, signatory):
    Path(signatory.signature.path).unlink()
    assert admin_client.get(f"{URL}signature.png").status_code == 404
    ProviderSignatory.objects.update(signature="")  # the field names no file: was a 500 (ValueError)
    assert admin_client.get(f"{URL}signature.png").status_code == 404
    with pytest.raises(ContractRenderError, match="missing or altered"):
        provider_signatory_facts()
