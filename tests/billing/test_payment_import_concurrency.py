"""Two imports of the same statement at the same moment post each receipt once (PostgreSQL)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from billing import services
from billing.models import AccountHistory, ImportedPayment
from billing.statements import statement_read

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_concurrent_imports_post_each_receipt_once(statement, priced_accounts, finance):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and concurrent transactions")
    content, name = statement("mpesa_day.csv")
    rows = statement_read(content=content, filename=name, provider="mpesa")
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        from django.db import connections

        try:
            payment_import = services.payment_import_create(
                provider="mpesa", filename=name, content=content, by=finance, store=False
            )
            barrier.wait()
            results.append(services.payment_rows_post(payment_import=payment_import, rows=rows, by=finance))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(r["posted"] for r in results) == [0, 2]
    assert sorted(r["duplicate"] for r in results) == [0, 5]
    assert ImportedPayment.objects.filter(status="posted").count() == 2
    assert AccountHistory.objects.filter(accountnumber="0045MAK").get().current_balance == Decimal("12.500")
