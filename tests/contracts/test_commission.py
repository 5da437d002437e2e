"""Commissioning: the page and the service, end to end, with real PDF rendering and real files."""

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from contracts.models import Commissioning, ContractVersion
from contracts.rendering import ContractRenderError
from contracts.services import CommissioningError, customer_commission
from customers.models import Customer, Meter
from tests.contracts.conftest import data_url, pdf_text, png_signature
from tests.factories import AccountNumberFactory, CustomerFactory, TariffRateFactory, aware

pytestmark = pytest.mark.django_db


def url_for(customer):
    return reverse("contracts:commission", args=[customer.pk])


def test_it_shows_the_steps_prefilled(onm_client, account):
    body = onm_client.get(url_for(account.customer)).content.decode()
    for step in ("1. Identify", "2. Details", "3. Contract", "4. Sign", "5. Review"):
        assert step in body
    assert account.accountnumber in body and account.customer.national_id in body
    assert "data-signature-pad" in body and "js/portal.js" in body


def test_it_commissions_end_to_end(onm, onm_client, account, commission_post, private_root, django_capture_on_commit_callbacks):
    TariffRateFactory(rate_lsl=Decimal("5.5000"))
    review = onm_client.post(url_for(account.customer), commission_post())
    assert review.status_code == 200
    body = review.content.decode()
    assert "5. Review" in body and "+26657755403" in body and "M 5.50" in body
    assert not Commissioning.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = onm_client.post(url_for(account.customer), commission_post(action="commission"))
    commissioning = Commissioning.objects.get()
    assert response.status_code == 302 and response.url == reverse("contracts:commissioning_detail", args=[commissioning.pk])

    customer = Customer.objects.get(pk=account.customer.pk)
    assert customer.date_service_connected == date(2026, 1, 15)
    assert customer.customer_type == "HH" and customer.national_id == "012345678901"
    assert customer.phone == "+26657755403"
    assert customer.gps_y == pytest.approx(-29.351234) and customer.gps_x == pytest.approx(27.612345)
    meter = Meter.objects.get(pk=account.meter_id)
    assert meter.customer_connect_date == date(2026, 1, 15) and meter.current_status == "active"
    assert meter.latitude == pytest.approx(-29.351234)

    assert commissioning.commissioned_by == onm and commissioning.tariff_rate_lsl == Decimal("5.5000")
    # The contract link went into the outbox (the development backend sends nothing and says so).
    from messaging.models import Message

    message = Message.objects.get(trigger_key=f"commissioning:{commissioning.pk}")
    assert message.kind == "contract_link" and message.number == "+26657755403" and "/contracts/link/" in message.text
    assert message.status == Message.Status.NOT_SENT_DEVELOPMENT and message.status_reason == "not sent: development backend"
    versions = {v.language: v for v in ContractVersion.objects.all()}
    assert set(versions) == {"en", "st"}
    for version in versions.values():
        path = Path(version.file.path)
        assert path.is_relative_to(private_root) and path.read_bytes().startswith(b"%PDF")
        assert hashlib.sha256(path.read_bytes()).hexdigest() == version.sha256
        assert version.version == 1 and version.created_by == onm and version.commissioning == commissioning
    assert Path(commissioning.signature.path).is_relative_to(private_root)

    # Every write is in history with who and why.
    assert customer.history.first().history_user == onm
    assert "Commissioned account 0045MAK" in customer.history.first().history_change_reason
    assert meter.history.first().history_user == onm

    page = onm_client.get(response.url).content.decode()
    assert "English contract" in page and "Sesotho contract" in page
    # The page loads the message's real status from the outbox; nothing claims "Sent" in development.
    assert reverse("messaging:customer_messages", args=[customer.pk]) in page and "Sent" not in page
    partial = onm_client.get(
        reverse("messaging:customer_messages", args=[customer.pk]), {"kind": "contract_link"}, HTTP_HX_REQUEST="true"
    )
    html = partial.content.decode()
    assert "Not sent: development backend" in html and "Sent to gateway" not in html


def test_recommissioning_issues_new_versions_and_keeps_the_old_files(onm, account, signature_png):
    kwargs = dict(
        customer=account.customer,
        account=account,
        connection_date=date(2026, 1, 15),
        customer_type="HH",
        national_id="012345678901",
        phone="+26657755403",
        signature_png=signature_png,
        by=onm,
    )
    first = customer_commission(**kwargs)
    first_files = {v.language: (v.file.path, Path(v.file.path).read_bytes()) for v in first.contract_versions.all()}
    second = customer_commission(**{**kwargs, "customer_type": "SME"})
    assert sorted(second.contract_versions.values_list("language", "version")) == [("en", 2), ("st", 2)]
    assert ContractVersion.objects.count() == 4
    for path, content in first_files.values():
        assert Path(path).read_bytes() == content
    assert {v.file.path for v in second.contract_versions.all()}.isdisjoint(p for p, _ in first_files.values())


def test_a_second_submit_of_the_same_form_commissions_once(onm_client, account, commission_post):
    for _ in range(2):
        response = onm_client.post(url_for(account.customer), commission_post(action="commission"))
        assert response.status_code == 302
    assert Commissioning.objects.count() == 1 and ContractVersion.objects.count() == 2


@pytest.mark.parametrize("field", ["account", "connection_date", "customer_type", "national_id", "phone", "signature"])
def test_each_missing_field_is_reported_and_nothing_saved(onm_client, account, commission_post, field):
    before = Customer.objects.get(pk=account.customer.pk)
    response = onm_client.post(url_for(account.customer), commission_post(**{field: "", "action": "commission"}))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Commissioning.objects.exists() and not ContractVersion.objects.exists()
    assert Customer.objects.get(pk=account.customer.pk).national_id == before.national_id


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "123", "not a Lesotho phone number"),
        ("phone", "call me", "not a phone number"),
        ("national_id", "!!", "letters and digits"),
        ("connection_date", "2999-01-01", "cannot be in the future"),
        ("connection_date", "15/01/2026x", "Enter the date as YYYY-MM-DD or DD/MM/YYYY"),
        ("customer_type", "XYZ", "Select a valid choice"),
        ("service_phase", "Two", "Select a valid choice"),
        ("gps_lat", "100", "less than or equal to 90"),
        ("gps_lng", "", "both latitude and longitude"),
        ("signature", "data:image/png;base64,not-base64!", "did not come through"),
        ("signature", data_url(b"GIF89a" + b"0" * 100), "not a PNG"),
        ("signature", data_url(png_signature(ink=False)), "signature is empty"),
    ],
)
def test_each_invalid_field_is_reported(onm_client, account, commission_post, field, value, message):
    response = onm_client.post(url_for(account.customer), commission_post(**{field: value, "action": "commission"}))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not Commissioning.objects.exists()


def test_an_account_of_another_customer_is_refused(onm_client, account, commission_post):
    other = AccountNumberFactory(accountnumber="0046MAK")
    response = onm_client.post(url_for(account.customer), commission_post(account=other.pk, action="commission"))
    assert response.status_code == 400 and response.context["form"].errors["account"]
    with pytest.raises(CommissioningError):
        customer_commission(
            customer=account.customer,
            account=other,
            connection_date=date(2026, 1, 1),
            customer_type="HH",
            national_id="012345678901",
            phone="57755403",
            signature_png=png_signature(),
            by=None,
        )


def test_a_rendering_failure_leaves_everything_unchanged(onm_client, account, commission_post, signatory, private_root):
    Path(signatory.signature.path).write_bytes(b"not the signature that was set")
    before = Customer.objects.filter(pk=account.customer.pk).values().get()
    meter_before = Meter.objects.filter(pk=account.meter_id).values().get()
    history_before = (Customer.history.count(), Meter.history.count())
    response = onm_client.post(url_for(account.customer), commission_post(action="commission"))
    assert response.status_code == 422
    body = response.content.decode()
    assert "Nothing was saved." in body and "signature image is missing or altered" in body
    assert Customer.objects.filter(pk=account.customer.pk).values().get() == before
    assert Meter.objects.filter(pk=account.meter_id).values().get() == meter_before
    assert (Customer.history.count(), Meter.history.count()) == history_before
    assert not Commissioning.objects.exists() and not ContractVersion.objects.exists()
    assert not any(p.is_file() for p in (private_root / "contracts").rglob("*"))


def test_the_service_raises_a_render_error_and_saves_nothing(onm, account, signature_png, signatory):
    Path(signatory.signature.path).unlink()
    with pytest.raises(ContractRenderError):
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


def test_the_contracts_hold_name_account_tariff_and_date(onm, signature_png):
    account = AccountNumberFactory(customer__first_name="Lineo", customer__last_name="Ramokhoro", accountnumber="0077MAK")
    TariffRateFactory(rate_lsl=Decimal("5.0000"))
    TariffRateFactory(scope="site", scope_key="MAK", rate_lsl=Decimal("6.0000"), effective_from=aware(2020, 1, 1))
    TariffRateFactory(
        scope="customer", scope_key=str(account.customer.pk), rate_lsl=Decimal("4.2500"), effective_from=aware(2021, 1, 1)
    )
    commissioning = customer_commission(
        customer=account.customer,
        account=account,
        connection_date=date(2026, 1, 15),
        customer_type="SME",
        national_id="A1234567",
        phone="+266 5775 5403",
        signature_png=signature_png,
        by=onm,
    )
    texts = {v.language: pdf_text(Path(v.file.path).read_bytes()) for v in commissioning.contract_versions.all()}
    today = commissioning.commissioned_at.astimezone().date()
    for text in texts.values():
        assert "Lineo Ramokhoro" in text and "0077MAK" in text and "A1234567" in text
        assert "M 4.25" in text and "+266 5775 5403" in text and "Thato Signatory" in text
        assert "M 500.00" in text and "M 5,000.00" in text and "60 A" in text and "220 VAC" in text
        assert str(today.year) in text
    assert "15 January 2026" in texts["en"] and "Electricity Supply Agreement" in texts["en"]
    assert "15 Pherekhong 2026" in texts["st"] and "Tumellano ea Phepelo ea Motlakase" in texts["st"]
    assert "Electricity Supply Agreement" not in texts["st"] and "Tumellano" not in texts["en"]
    assert texts["en"] != texts["st"]


def test_generic_and_finance_staff_cannot_commission(generic_client, finance_client, client, account, commission_post):
    url = url_for(account.customer)
    assert generic_client.get(url).status_code == 403
    assert finance_client.post(url, commission_post(action="commission")).status_code == 403
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert not Commissioning.objects.exists()


def test_it_says_when_there_is_no_account(onm_client):
    customer = CustomerFactory()
    response = onm_client.get(url_for(customer))
    assert response.status_code == 200
    body = response.content.decode()
    assert "has none" in body and "Assign a meter" in body and f"/customers/{customer.pk}/assign-meter/" in body
    assert onm_client.get(reverse("contracts:commission", args=[999999])).status_code == 404
