"""Benchmark: import a generated 10,000-row M-Pesa statement (read, classify, post with history).

Run on a seeded database (manage.py seed_demo), e.g.:
    DEBUG=true DATABASE_URL=sqlite:///var/bench.sqlite3 .venv/bin/python bench/payment_import.py [--rows 10000]
Writes into that database (the import is real); run it on a scratch copy."""

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ccportal.settings")


def statement_csv(rows, accounts, phones, seed=7):
    rng = random.Random(seed)
    lines = ["Receipt No,Completion Time,Details,Transaction Status,Paid in,Withdrawn,Balance,Reason Type,Other Party Info"]
    stamp = f"{int(time.time()) % 100000:05d}"
    for i in range(rows):
        minute = i * 8 // 60
        when = f"2026-11-20 {minute // 60 % 24:02d}:{minute % 60:02d}:{i % 60:02d}"
        roll = rng.random()
        amount = f"{rng.choice([10, 20, 25, 30, 50, 100, 150, 200])}.00"
        if roll < 0.70:
            account = rng.choice(accounts)
            lines.append(
                f"B{stamp}{i:06d},{when},Customer Pay Bill Online {account},Completed,{amount},,0,Pay Bill Online,26650000000 - PAYER"
            )
        elif roll < 0.85:
            phone = rng.choice(phones).lstrip("+")
            lines.append(f"B{stamp}{i:06d},{when},Customer Pay Bill Online,Completed,{amount},,0,Pay Bill Online,{phone} - PAYER")
        elif roll < 0.95:
            lines.append(
                f"B{stamp}{i:06d},{when},Customer Pay Bill Online 9999ZZZ,Completed,{amount},,0,Pay Bill Online,26659999999 - X"
            )
        else:
            lines.append(f"B{stamp}{i:06d},{when},Business Withdrawal,Completed,,{amount},0,Withdrawal,BANK")
    return "\n".join(lines).encode()


def main():
    import django

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    django.setup()
    from django.db import transaction

    from billing.models import AccountHistory, ImportedPayment
    from billing.services import payment_import_create, payment_rows_post
    from billing.statements import statement_read
    from customers.models import AccountNumber, Customer

    accounts = list(AccountNumber.objects.values_list("accountnumber", flat=True))
    phones = list(Customer.objects.exclude(phone="").values_list("phone", flat=True)[:500])
    if not accounts:
        sys.exit("Seed the database first: manage.py seed_demo")
    content = statement_csv(args.rows, accounts, phones)
    history_before = AccountHistory.history.count()
    started, cpu_started = time.perf_counter(), time.process_time()
    rows = statement_read(content=content, filename="bench.csv", provider="mpesa")
    with transaction.atomic():
        payment_import = payment_import_create(provider="mpesa", filename="bench.csv", content=content, by=None, store=False)
        counts = payment_rows_post(payment_import=payment_import, rows=rows, by=None)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    # On a shared machine the wall time includes waiting for a CPU; the CPU time of this process is the part
    # that does not depend on the load (the database server's own work is not in it).
    print(f"{args.rows:,} rows in {elapsed:.2f} s wall, {cpu:.2f} s CPU in this process: {counts}")
    print(
        f"ledger history rows added: {AccountHistory.history.count() - history_before:,}; "
        f"imported payments with history: {ImportedPayment.history.filter(payment_import_id=payment_import.pk).count():,}"
    )
    return 0 if elapsed < 5 else 1


if __name__ == "__main__":
    sys.exit(main())
