"""manage.py render_contract: a preview that stores nothing; clear one-line errors."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from contracts.models import ContractVersion
from contracts.services import contract_pair_render
from tests.contracts.conftest import pdf_text
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("lang", "title"), [("en", "Electricity Supply Agreement"), ("st", "Tumellano ea Phepelo ea Motlakase")])
def test_it_writes_the_contract_a_customer_would_get(account, tmp_path, lang, title):
    output = tmp_path / f"contract-{lang}.pdf"
    call_command(
        "render_contract", str(account.customer.pk), "--lang", lang, "--output", str(output), stdout=open("/dev/null", "w")
    )
    text = pdf_text(output.read_bytes())
    assert title in text and account.customer.full_name in text and "0045MAK" in text
    assert not ContractVersion.objects.exists()


def test_it_renders_a_customer_without_an_account(tmp_path):
    customer = CustomerFactory()
    output = tmp_path / "c.pdf"
    call_command("render_contract", str(customer.pk), "--output", str(output), stdout=open("/dev/null", "w"))
    assert output.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999999", "--lang", "en"], "There is no customer 999999."),
        (["abc", "--lang", "en"], "is not a customer ID"),
        (["1", "--lang", "fr"], "Unknown language 'fr': use en or st."),
    ],
)
def test_it_refuses_unknown_customers_and_languages(tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("render_contract", *args, "--output", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


def test_an_unknown_language_is_one_line_and_a_non_zero_exit():
    result = subprocess.run(
        [sys.executable, "manage.py", "render_contract", "1", "--lang", "xx", "--output", "/tmp/never.pdf"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"DEBUG": "true", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == ["CommandError: Unknown language 'xx': use en or st."]


def test_the_benchmark_pair_renders_both_languages(account):
    pair = contract_pair_render(account.customer)
    assert set(pair) == {"en", "st"} and all(pdf.startswith(b"%PDF") for pdf in pair.values())
    assert not ContractVersion.objects.exists()
