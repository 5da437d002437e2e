"""The Payment import page: the columns each statement needs, a sample file per provider, names in the preview,
counts in proper singular and plural."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.models import PaymentImport
from billing.selectors import payment_counts_text
from billing.statements import COLUMNS, HEADERS, statement_read
from tests.factories import AccountNumberFactory

MPESA_HEADER = ",".join(HEADERS["mpesa"])


def _mpesa_csv(*rows):
    """An M-Pesa statement with rows of (receipt, details)."""
    lines = [MPESA_HEADER]
    for receipt, details in rows:
        lines.append(f"{receipt},2025-03-01 10:15:22,{details},Completed,50.00,,1050.00,Pay Bill Online,26600000009 - A PAYER")
    return ("\n".join(lines) + "\n").encode()


def _preview(client, content, name="day.csv", provider="mpesa"):
    response = client.post("/payments/import/", {"provider": provider, "statement": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


@pytest.mark.django_db
def test_it_lists_every_column_the_parser_requires_for_each_provider(finance_client):
    page = finance_client.get("/payments/import/").content.decode()
    for provider, columns in COLUMNS.items():
        assert [column.name for column in columns] == HEADERS[provider]  # the parser reads HEADERS
        for column in columns:
            assert f"<code>{column.name}</code>" in page
            assert column.holds.replace("'", "&#x27;") in page
        assert f"/payments/import/sample/{provider}.csv" in page and f"/payments/import/sample/{provider}.xlsx" in page


@pytest.mark.django_db
@pytest.mark.parametrize("provider", ["mpesa", "ecocash"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_it_offers_a_sample_file_that_imports_cleanly_into_a_preview(finance_client, provider, file_format):
    sample = finance_client.get(f"/payments/import/sample/{provider}.{file_format}")
    assert sample.status_code == 200
    assert sample["Content-Disposition"] == f'attachment; filename="{provider}-statement-sample.{file_format}"'
    rows = statement_read(content=sample.content, filename=f"s.{file_format}", provider=provider)
    assert len(rows) == 2 and not any(row.ignore_reason for row in rows)
    assert (
        tuple(row.receipt for row in rows)
        == [c.examples for c in COLUMNS[provider] if c.name in ("Receipt No", "Approval Code")][0]
    )
    preview = finance_client.get(_preview(finance_client, sample.content, f"sample.{file_format}", provider))
    assert preview.status_code == 200 and PaymentImport.objects.get().status == PaymentImport.Status.PREVIEW
    text = preview.content.decode()
    assert "2 waiting" in text  # made-up accounts and phones: nothing matches a real customer
    for row in rows:
        assert row.receipt in text


@pytest.mark.django_db
def test_an_unknown_sample_is_not_found(finance_client):
    assert finance_client.get("/payments/import/sample/paypal.csv").status_code == 404
    assert finance_client.get("/payments/import/sample/mpesa.pdf").status_code == 404


@pytest.mark.django_db
def test_it_shows_the_customers_name_beside_each_matched_account_in_a_fixed_number_of_queries(
    finance_client, django_assert_num_queries
):
    accounts = [AccountNumberFactory(accountnumber=f"{n:04d}MAK", customer__first_name=f"Lineo{n}") for n in range(1, 7)]
    small = _preview(finance_client, _mpesa_csv(("RCP0001", "Pay 0001MAK"), ("RCP0002", "Pay 0002MAK")), "small.csv")
    large = _preview(finance_client, _mpesa_csv(*((f"RCP10{n:02d}", f"Pay {n:04d}MAK") for n in range(1, 7))), "large.csv")
    finance_client.get(small)  # the session and the user are cached alike for both
    with CaptureQueriesContext(connection) as two:
        finance_client.get(small)
    # Six matched rows cost what two do: the names come in one query for all of them.
    with django_assert_num_queries(7), CaptureQueriesContext(connection) as six:
        page = finance_client.get(large).content.decode()
    assert len(six) == len(two), [q["sql"] for q in six.captured_queries]
    for account in accounts:
        assert f'{account.accountnumber}<br><span class="muted">{account.customer.full_name}</span>' in page


@pytest.mark.django_db
def test_it_counts_in_the_singular_and_the_plural(finance_client):
    AccountNumberFactory(accountnumber="0001MAK")
    one = finance_client.get(
        _preview(finance_client, _mpesa_csv(("RCP0001", "Pay 0001MAK"), ("RCP0001", "Pay 0001MAK"), ("RCP0002", "no account")))
    ).content.decode()
    assert "1 waiting" in one and "1 duplicate<" in one and "1 duplicates" not in one
    assert 'data-confirm="Post the 1 matched payment to the ledger?"' in one
    two = finance_client.get(
        _preview(
            finance_client,
            _mpesa_csv(*[("RCP0003", "Pay 0001MAK")] * 3, ("RCP0004", "no account"), ("RCP0005", "none")),
            "two.csv",
        )
    ).content.decode()
    assert "2 waiting" in two and "2 duplicates<" in two
    assert payment_counts_text({"posted": 1, "unmatched": 1, "duplicate": 1, "ignored": 0}) == (
        "Posted 1 payment; 1 waiting in the unmatched queue; not posted: 1 duplicate, 0 ignored."
    )
    assert payment_counts_text({"posted": 2, "unmatched": 2, "duplicate": 2, "ignored": 3}) == (
        "Posted 2 payments; 2 waiting in the unmatched queue; not posted: 2 duplicates, 3 ignored."
    )
