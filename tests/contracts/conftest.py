"""Fixtures for the contracts tests: a private root per test, signature images, a customer ready to commission."""

import base64
import io
import subprocess

import pytest
from PIL import Image, ImageDraw

from tests.factories import AccountNumberFactory, provider_signatory


def png_signature(width=900, height=300, ink=True):
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    if ink:
        ImageDraw.Draw(image).line(
            [(60, 220), (180, 80), (300, 230), (420, 90), (560, 210), (820, 120)], fill=(20, 33, 61, 255), width=6
        )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def data_url(png):
    return "data:image/png;base64," + base64.b64encode(png).decode()


def pdf_text(pdf_bytes):
    """The text of a PDF through poppler's pdftotext (a system package the project installs)."""
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf_bytes, capture_output=True, check=True)
    return " ".join(result.stdout.decode("utf-8").split())


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def signatory(request, private_root):
    """Someone signs for the company in every contracts test, unless it is marked no_signatory."""
    if "no_signatory" in request.keywords:
        return None
    request.getfixturevalue("db")
    return provider_signatory()


@pytest.fixture
def signature_png():
    return png_signature()


@pytest.fixture
def account(db):
    return AccountNumberFactory(customer__first_name="Palesa", customer__last_name="Mokoena", accountnumber="0045MAK")


@pytest.fixture
def commission_post(account, signature_png):
    """The form data a field officer sends for ``account``'s customer (override keys per test)."""

    def make(**overrides):
        data = {
            "account": account.pk,
            "connection_date": "2026-01-15",
            "customer_type": "HH",
            "national_id": "012345678901",
            "phone": "5775 5403",
            "service_phase": "Single",
            "ampacity": "Standard",
            "gps_lat": "-29.351234",
            "gps_lng": "27.612345",
            "contract_read": "on",
            "signature": data_url(signature_png),
            "submission_key": "6f1c1c8e-0000-4000-8000-000000000001",
            "action": "review",
        }
        data.update(overrides)
        return {key: value for key, value in data.items() if value is not None}

    return make
