"""Confirming a payment import is one state transition: preview → posting → posted; a second confirm is refused
with the reason, a failed posting releases the claim, and a claim whose worker died can be taken again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from billing import services
from billing.models import AccountHistory, ImportedPayment, PaymentImport
from billing.statements import StatementError, statement_read

pytestmark = pytest.mark.django_db


@pytest.fixture
def previewed(statement, priced_accounts, finance):
    content, name = statement("mpesa_day.csv")
    return services.payment_import_create(provider="mpesa", filename=name, content=content, by=finance)


def test_a_second_confirm_is_told_it_is_already_posted(previewed, finance):
    assert services.payment_import_confirm(payment_import=previewed, by=finance)["posted"] == 2
    stale_copy = PaymentImport.objects.get(pk=previewed.pk)
    with pytest.raises(services.PaymentImportStateError, match="already been posted"):
        services.payment_import_confirm(payment_import=stale_copy, by=finance)
    assert ImportedPayment.objects.count() == 5 and AccountHistory.objects.count() == 2


def test_a_confirm_while_another_is_posting_is_told_so_and_posts_nothing(previewed, finance, onm):
    services.payment_import_posting_start(payment_import=PaymentImport.objects.get(pk=previewed.pk), by=onm)
    with pytest.raises(services.PaymentImportStateError, match=r"already being posted \(confirmed by .*Onm Engineer"):
        services.payment_import_confirm(payment_import=previewed, by=finance)
    assert not ImportedPayment.objects.exists() and not AccountHistory.objects.exists()


def test_the_page_answers_a_second_confirm_with_the_reason(previewed, finance, client_for):
    services.payment_import_posting_start(payment_import=previewed, by=finance)
    data = {"payment_import": previewed.pk, "next": f"/payments/import/{previewed.pk}/"}
    page = client_for(finance).post("/jobs/start/payment_import_confirm", data, follow=True)
    assert b"already being posted" in page.content and b"Nothing was posted" not in page.content
    assert b"being posted since" in page.content


def test_posting_rows_of_an_import_already_posted_is_refused(previewed, finance, statement):
    services.payment_import_confirm(payment_import=previewed, by=finance)
    content, name = statement("mpesa_day.csv")
    rows = statement_read(content=content, filename=name, provider="mpesa")
    with pytest.raises(services.PaymentImportStateError):
        services.payment_rows_post(payment_import=previewed, rows=rows, by=finance)
    assert ImportedPayment.objects.count() == 5


def test_a_failed_posting_releases_the_claim_with_the_reason(priced_accounts, finance):
    payment_import = services.payment_import_create(provider="mpesa", filename="gone.csv", content=b"x", by=finance, store=False)
    with pytest.raises(StatementError, match="no longer stored"):
        services.payment_import_confirm(payment_import=payment_import, by=finance)
    payment_import.refresh_from_db()
    assert payment_import.status == "preview" and payment_import.confirmed_at is None
    reasons = list(payment_import.history.values_list("history_change_reason", flat=True))
    assert reasons[:2] == [
        "Not posted: The uploaded statement file is no longer stored; upload it again.",
        "Confirmed: posting started",
    ]


def test_a_claim_whose_worker_died_can_be_taken_again_after_the_timeout(previewed, finance, settings):
    services.payment_import_posting_start(payment_import=previewed, by=finance)
    with pytest.raises(services.PaymentImportStateError):
        services.payment_import_posting_start(payment_import=previewed, by=finance)
    PaymentImport.objects.filter(pk=previewed.pk).update(
        confirmed_at=timezone.now() - timedelta(minutes=settings.CC_PAYMENT_IMPORT_POSTING_MINUTES + 1)
    )
    assert services.payment_import_confirm(payment_import=previewed, by=finance)["posted"] == 2


def test_the_upload_page_lists_an_import_being_posted(previewed, finance, client_for):
    services.payment_import_posting_start(payment_import=previewed, by=finance)
    assert b"Being posted" in client_for(finance).get("/payments/import/").content


def test_confirming_only_queues_the_claim_and_the_posting_for_a_worker(previewed, client_for, finance, settings):
    """No worker here (the dummy backend keeps what is queued): the request answers with the job's page and the
    statement is still a preview; the claim (preview → posting) happens when a worker runs the job."""
    from jobs.models import Job
    from jobs.services import job_run

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    response = client_for(finance).post("/jobs/start/payment_import_confirm", {"payment_import": previewed.pk})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    previewed.refresh_from_db()
    assert previewed.status == PaymentImport.Status.PREVIEW and job.status == Job.Status.QUEUED
    assert not ImportedPayment.objects.exists() and not AccountHistory.objects.exists()
    assert job_run(job_id=job.pk) == Job.Status.SUCCEEDED  # the worker's turn
    previewed.refresh_from_db()
    assert previewed.status == PaymentImport.Status.POSTED and AccountHistory.objects.filter(payment=True).count() == 2
