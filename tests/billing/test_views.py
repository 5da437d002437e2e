"""Billing pages: who may do what, the upload → preview → confirm flow, the queue, the tariff dialog."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from billing.models import AccountHistory, ImportedPayment, PaymentImport, TariffRate
from tests.factories import TariffRateFactory

WRITERS = {Role.SUPERADMIN, Role.ONM_TEAM, Role.FINANCE_TEAM}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("get", "/tariffs/", "any"),
        ("get", "/financial/", "any"),
        ("get", "/financial/download/", "any"),
        ("get", "/payments/import/", "writers"),
        ("post", "/tariffs/set/", "writers"),
        ("post", "/payments/import/", "writers"),
    ],
)
def test_permission_matrix(role_user, client_for, method, url, allowed):
    response = getattr(client_for(role_user), method)(url)
    may = allowed == "any" or role_user.role in WRITERS
    assert (response.status_code != 403) == may, (role_user.role, url, response.status_code)


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    for url in ["/tariffs/", "/financial/", "/payments/import/"]:
        assert client.get(url).status_code == 302


@pytest.mark.django_db
def test_generic_cannot_assign_or_dismiss(generic_client, statement, priced_accounts, finance):
    from tests.billing.test_payment_import_service import _import

    _import(statement, "mpesa_day.csv", "mpesa", finance)
    waiting = ImportedPayment.objects.get(receipt="RCP0003")
    assert generic_client.post(f"/payments/{waiting.pk}/assign/", {"accountnumber": "0045MAK"}).status_code == 403
    assert generic_client.post(f"/payments/{waiting.pk}/dismiss/", {"reason": "x"}).status_code == 403
    waiting.refresh_from_db()
    assert waiting.status == "unmatched"


@pytest.mark.django_db
def test_upload_preview_confirm_and_clear_the_queue(
    finance_client, statement, priced_accounts, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    content, name = statement("mpesa_day.csv")
    response = finance_client.post("/payments/import/", {"provider": "mpesa", "statement": SimpleUploadedFile(name, content)})
    payment_import = PaymentImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/payments/import/{payment_import.pk}/"
    with django_assert_max_num_queries(15):
        preview = finance_client.get(response["Location"])
    assert b"matched by phone" in preview.content and b"RCP0005" in preview.content
    assert not AccountHistory.objects.exists()  # nothing posted before confirm
    with django_capture_on_commit_callbacks(execute=True):  # the worker (immediate backend) posts as it commits
        queued = finance_client.post("/jobs/start/payment_import_confirm", {"payment_import": payment_import.pk})
    assert b"Posted 2 payments" in finance_client.get(queued["Location"]).content
    assert AccountHistory.objects.filter(payment=True).count() == 2
    # Confirming twice posts nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        finance_client.post("/jobs/start/payment_import_confirm", {"payment_import": payment_import.pk})
    assert AccountHistory.objects.count() == 2
    with django_assert_max_num_queries(12):
        queue = finance_client.get("/payments/import/")
    assert b"RCP0003" in queue.content
    waiting = ImportedPayment.objects.get(receipt="RCP0003")
    bad = finance_client.post(f"/payments/{waiting.pk}/assign/", {"accountnumber": "nonsense"}, follow=True)
    assert b"is not an account number" in bad.content
    finance_client.post(f"/payments/{waiting.pk}/assign/", {"accountnumber": "0046MAK"})
    waiting.refresh_from_db()
    assert waiting.status == "posted" and waiting.ledger_row.kwh_value == Decimal("7.500")


@pytest.mark.django_db
def test_a_bad_upload_is_reported_by_row_and_nothing_is_kept(finance_client, statement, priced_accounts):
    content, name = statement("mpesa_bad_rows.csv")
    response = finance_client.post("/payments/import/", {"provider": "mpesa", "statement": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert b"Row 3: Completion Time" in response.content and b"Row 4: Paid in" in response.content
    assert not PaymentImport.objects.exists()
    response = finance_client.post("/payments/import/", {"provider": "mpesa", "statement": SimpleUploadedFile("x.pdf", b"%PDF")})
    assert response.status_code == 400 and b".csv or .xlsx" in response.content


@pytest.mark.django_db
def test_the_tariff_dialog_saves_and_reshows_errors(finance_client, finance):
    TariffRateFactory(rate_lsl=Decimal("5.00"))
    response = finance_client.post("/tariffs/set/", {"scope": "site", "scope_key": "XYZ", "rate_lsl": "4", "reason": "x"})
    assert response.status_code == 400 and b"is not a site code" in response.content and b"data-open-on-load" in response.content
    response = finance_client.post(
        "/tariffs/set/",
        {"scope": "site", "scope_key": "mak", "rate_lsl": "4.5", "effective_from": "2030-01-01T00:00", "reason": "2030 review"},
    )
    assert response.status_code == 302
    row = TariffRate.objects.get(scope="site")
    assert (row.scope_key, row.rate_lsl, row.created_by) == ("MAK", Decimal("4.5000"), finance)
    page = finance_client.get("/tariffs/")
    assert b"scheduled" in page.content and b"2030 review" in page.content
    history = finance_client.get("/tariffs/?scope=site&key=MAK", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="tariff-history")
    assert b"<h1>" not in history.content and b"2030 review" in history.content
    assert finance_client.post(f"/tariffs/{row.pk}/end/", {"reason": "cancelled"}).status_code == 302
    row.refresh_from_db()
    assert row.effective_to == row.effective_from


@pytest.mark.django_db
def test_generic_sees_tariffs_without_buttons(generic_client):
    TariffRateFactory()
    page = generic_client.get("/tariffs/")
    assert page.status_code == 200 and b"Add or change a rate" not in page.content


def test_confirming_an_import_whose_file_is_gone_says_so_and_posts_nothing(
    finance_client, finance, django_capture_on_commit_callbacks
):
    payment_import = PaymentImport.objects.create(provider="mpesa", filename="day.csv", uploaded_by=finance)
    with django_capture_on_commit_callbacks(execute=True):
        finance_client.post("/jobs/start/payment_import_confirm", {"payment_import": payment_import.pk})
    job_page = finance_client.get("/jobs/").content.decode()
    assert "Failed" in job_page and "no longer stored" in job_page
    assert AccountHistory.objects.count() == 0
    payment_import.refresh_from_db()
    assert payment_import.status == PaymentImport.Status.PREVIEW
