"""Contract downloads: logged-in staff, or a signed link that expires; nothing under a public URL."""

import hashlib
import time
from datetime import date
from pathlib import Path

import pytest
from django.core import signing
from django.urls import reverse

from contracts.links import contract_link_token, contract_link_url
from contracts.services import customer_commission

pytestmark = pytest.mark.django_db


@pytest.fixture
def versions(onm, account, signature_png):
    commissioning = customer_commission(
        customer=account.customer,
        account=account,
        connection_date=date(2026, 1, 15),
        customer_type="HH",
        national_id="012345678901",
        phone="57755403",
        signature_png=signature_png,
        by=onm,
    )
    return {v.language: v for v in commissioning.contract_versions.all()}


def test_anonymous_users_are_sent_to_login(client, versions):
    response = client.get(reverse("contracts:download", args=[versions["en"].pk]))
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_any_logged_in_staff_can_download(generic_client, versions):
    version = versions["st"]
    response = generic_client.get(reverse("contracts:download", args=[version.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert hashlib.sha256(response.content).hexdigest() == version.sha256
    assert "no-store" in response["Cache-Control"]
    assert f'filename="0045MAK-contract-st-v{version.version}.pdf"' in response["Content-Disposition"]
    assert generic_client.get(reverse("contracts:download", args=[999999])).status_code == 404


def test_a_signed_link_opens_its_contract_without_login(client, versions):
    url = contract_link_url(versions["st"], base_url="https://cc.example.org/")
    assert url.startswith("https://cc.example.org/contracts/link/")
    response = client.get(url.removeprefix("https://cc.example.org"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("tamper", ["swap_id", "bad_signature", "made_up"])
def test_a_tampered_link_is_refused(client, versions, tamper):
    token = contract_link_token(versions["st"])
    value, timestamp, signature = token.split(":")
    token = {
        "swap_id": f"{versions['en'].pk}:{timestamp}:{signature}",
        "bad_signature": f"{value}:{timestamp}:{signature[:-2]}xx",
        "made_up": "1:abc:def",
    }[tamper]
    response = client.get(reverse("contracts:signed_download", args=[token]))
    assert response.status_code == 404 and not response.content.startswith(b"%PDF")


def test_an_expired_link_is_refused(client, versions, settings, monkeypatch):
    token = contract_link_token(versions["st"])
    later = time.time() + (settings.CC_CONTRACT["link_max_age_days"] + 1) * 86400
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.get(reverse("contracts:signed_download", args=[token]))
    assert response.status_code == 410 and b"expired" in response.content
    assert not response.content.startswith(b"%PDF")


def test_an_altered_file_is_not_served(generic_client, versions):
    path = Path(versions["en"].file.path)
    path.write_bytes(path.read_bytes() + b"%tampered")
    response = generic_client.get(reverse("contracts:download", args=[versions["en"].pk]))
    assert response.status_code == 409


def test_files_live_outside_static_and_have_no_public_url(client, versions, settings, private_root):
    for version in versions.values():
        path = Path(version.file.path)
        assert path.is_relative_to(private_root) and not path.is_relative_to(Path(settings.STATIC_ROOT))
        # The stored name is random: nothing to guess from the account or the customer's name.
        assert "Mokoena" not in version.file.name and "Palesa" not in version.file.name
        for guess in (f"/media/{version.file.name}", f"/{version.file.name}", f"/static/{version.file.name}"):
            assert client.get(guess).status_code == 404


def test_the_admin_shows_but_never_edits_contracts(admin_client, versions):
    version = versions["en"]
    assert admin_client.get(reverse("admin:contracts_contractversion_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:contracts_commissioning_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:contracts_contractversion_change", args=[version.pk])).status_code == 200
    response = admin_client.post(reverse("admin:contracts_contractversion_delete", args=[version.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert type(version).objects.filter(pk=version.pk).exists()
