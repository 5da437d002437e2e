"""Benchmark: customer messages. (1) Posting a generated 10,000-row M-Pesa statement queues one receipt per
posted payment in the outbox (one batch insert with history) within the import's own budget (<= 5 s in all);
(2) the worker sends queued messages at the gateway's rate limit, not slower (against the local fake of
Africa's Talking with that rate limit, through the real SDK).

Run on a seeded scratch database (manage.py seed_demo), e.g.:
    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_messaging .venv/bin/python bench/messaging.py \
        [--rows 10000] [--rate 50] [--send 500]
Writes into that database (the import and the messages are real)."""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ccportal.settings")


def main():
    import django

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=50.0, help="the fake gateway's limit, messages per second")
    parser.add_argument("--send", type=int, default=500, help="how many queued messages the worker sends")
    parser.add_argument("--port", type=int, default=8116, help="the fake Africa's Talking listens here")
    args = parser.parse_args()
    django.setup()
    from django.db import transaction
    from django.test.utils import override_settings

    from bench.payment_import import statement_csv
    from billing.models import AccountHistory
    from billing.services import payment_import_create, payment_rows_post
    from billing.statements import statement_read
    from customers.models import AccountNumber, Customer
    from messaging.models import Message
    from tests.messaging.fakes import FakeAfricasTalking

    accounts = list(AccountNumber.objects.values_list("accountnumber", flat=True))
    phones = list(Customer.objects.exclude(phone="").values_list("phone", flat=True)[:500])
    if not accounts:
        sys.exit("Seed the database first: manage.py seed_demo")
    content = statement_csv(args.rows, accounts, phones)
    failed = False

    # (1) A queue that stores tasks without running them, as a worker-backed queue does (not ImmediateBackend,
    # which would send every receipt inside the import).
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
        messages_before, history_before = Message.objects.filter(kind="receipt").count(), Message.history.count()
        started, cpu_started = time.perf_counter(), time.process_time()
        rows = statement_read(content=content, filename="bench.csv", provider="mpesa")
        with transaction.atomic():
            payment_import = payment_import_create(provider="mpesa", filename="bench.csv", content=content, by=None, store=False)
            counts = payment_rows_post(payment_import=payment_import, rows=rows, by=None)
            posted_at, posted_cpu = time.perf_counter(), time.process_time()
        # The receipts are queued by the payments_posted receiver, after the commit.
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    queued = Message.objects.filter(kind="receipt").count() - messages_before
    print(f"statement of {args.rows:,} rows: {counts['posted']:,} payments posted and {queued:,} receipts queued")
    print(
        f"  {elapsed:.2f} s wall in all ({posted_at - started:.2f} s import, {elapsed - (posted_at - started):.2f} s receipts); "
        f"CPU in this process {cpu:.2f} s ({posted_cpu - cpu_started:.2f} s import, {cpu - (posted_cpu - cpu_started):.2f} s receipts); "
        f"message history rows {Message.history.count() - history_before:,}"
    )
    if queued != counts["posted"] or elapsed > 5:
        print("  NOT MET: every posted payment gets its receipt within 5 s")
        failed = True

    # (2) The worker against a gateway limited to --rate messages per second.
    from django.conf import settings

    fake = FakeAfricasTalking(rate_per_second=args.rate, port=args.port).start()
    try:
        with override_settings(
            CC_SMS_BACKEND="africastalking",
            CC_SMS_AT_USERNAME=fake.username,
            CC_SMS_AT_API_KEY=fake.api_key,
            CC_SMS_AT_BASE_URL=fake.url,
            CC_SMS_MAX_ATTEMPTS=settings.CC_SMS_MAX_ATTEMPTS,
        ):
            from messaging.services import messages_send_due

            started = time.perf_counter()
            sent = messages_send_due(limit=args.send, rate_per_second=args.rate, threads=settings.CC_SMS_SEND_THREADS)
            seconds = time.perf_counter() - started
    finally:
        fake.stop()
    total = sum(sent.values())
    limited = len(fake.requests) - len(fake.accepted)
    rate = total / seconds if seconds else 0
    print(
        f"worker: {total:,} messages in {seconds:.2f} s = {rate:.1f}/s against a limit of {args.rate:.0f}/s "
        f"({sent}); gateway refusals (429 or others): {limited}"
    )
    if rate < 0.9 * args.rate or limited:
        print("  NOT MET: the worker sends at the gateway's rate (>= 90 % of it) without being refused")
        failed = True
    print(f"ledger rows now: {AccountHistory.objects.count():,}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
