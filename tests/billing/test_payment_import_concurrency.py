"""Imports and ledger entries at the same moment (PostgreSQL): each receipt is posted once, and an entry on an
account an import holds waits for it."""

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


def test_a_ledger_entry_waits_for_an_import_holding_its_account(priced_accounts, finance):
    """An import locks its accounts while it carries balances forward; a clerk's entry on one of them waits
    for the import to commit instead of writing a row the import's balance shift would take for its own."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and concurrent transactions")
    from django.db import transaction

    from ccportal.units import energy
    from tests.factories import aware

    locked, events, errors = threading.Event(), [], []

    def import_holding_the_account():
        from django.db import connections

        try:
            with transaction.atomic():
                services._lock_accounts(["0045MAK"])
                locked.set()
                threading.Event().wait(0.5)  # the clerk's entry must not get in meanwhile
                events.append("import commits")
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def clerk_entry():
        from django.db import connections

        try:
            locked.wait(5)
            services.ledger_entry_create(
                accountnumber="0045MAK", when=aware(2025, 3, 1, 9), is_payment=True, amount="40", by=finance, reason="t"
            )
            events.append("entry saved")
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=import_holding_the_account), threading.Thread(target=clerk_entry)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert events == ["import commits", "entry saved"]
    assert AccountHistory.objects.get(accountnumber="0045MAK").current_balance == energy("10")


def test_two_confirms_of_one_import_at_once_post_it_once(statement, priced_accounts, finance):
    """Confirm is one state transition (preview → posting): of two simultaneous confirms one posts, the other is
    told the statement is being (or has been) posted; the rows are recorded once, with one "posted" history entry."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent transactions")
    content, name = statement("mpesa_day.csv")
    payment_import = services.payment_import_create(provider="mpesa", filename=name, content=content, by=finance)
    barrier = threading.Barrier(2)
    results, refusals, errors = [], [], []

    def confirm():
        from django.db import connections

        from billing.models import PaymentImport

        try:
            mine = PaymentImport.objects.get(pk=payment_import.pk)
            barrier.wait()
            results.append(services.payment_import_confirm(payment_import=mine, by=finance))
        except services.PaymentImportStateError as exc:
            refusals.append(exc.errors[0][1])
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(results) == 1 and results[0]["posted"] == 2
    assert len(refusals) == 1 and ("already being posted" in refusals[0] or "already been posted" in refusals[0])
    assert ImportedPayment.objects.count() == 5 and ImportedPayment.objects.filter(status="duplicate").count() == 0
    assert AccountHistory.objects.filter(payment=True).count() == 2
    reasons = list(payment_import.history.values_list("history_change_reason", flat=True))
    assert sum(1 for r in reasons if r.startswith("Posted")) == 1
    payment_import.refresh_from_db()
    assert payment_import.status == "posted" and payment_import.posted_count == 2
