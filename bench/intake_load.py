"""Benchmark: the payment intake under load. N signed SMS forwards from C concurrent clients to gunicorn (W workers)
over a seeded database; prints latency figures and checks every payment was posted once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_intake .venv/bin/python bench/intake_load.py \\
        [--requests 500] [--clients 10] [--workers 3] [--port 8107] [--scale 1] [--duplicates 0.05]

Seeds the database with seed_demo at --scale when it has no customers, and writes real payments into it: run it on
a scratch database. Target (issue 23): p95 <= 200 ms, every payment posted once."""

import argparse
import hashlib
import hmac
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-intake-secret-0123456789abcdef"
ENV = {
    "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DEBUG": "false",
    "CC_HTTPS": "false",
    "ALLOWED_HOSTS": "127.0.0.1",
    "CC_LOCKOUT_ENABLED": "false",
    "CC_PAYMENT_INTAKE_SECRET": SECRET,
    "CC_PAYMENT_INTAKE_RATE": "1000000/min",
    "DJANGO_SETTINGS_MODULE": "ccportal.settings",
}


def texts(n, accounts, phones, duplicates, seed=23):
    """(gateway_id, sender, text, receipt) for n forwards: M-Pesa with the account in the Remark, EcoCash naming
    the account, M-Pesa matched by the payer phone; a share re-sends an earlier receipt under a new gateway id."""
    rng = random.Random(seed)
    stamp = f"{int(time.time()) % 10**6:06d}"
    now = datetime.now()
    out = []
    for i in range(n):
        if out and rng.random() < duplicates:
            gateway, sender, text, receipt = rng.choice(out)
            out.append((f"bench-{stamp}-{i}", sender, text, receipt))
            continue
        amount = rng.choice(["10.00", "20.00", "25.00", "50.00", "100.00", "1,000.00"])
        roll = rng.random()
        if roll < 0.6:
            receipt = f"Q{stamp}{i:04d}"
            text = (
                f"{receipt} Confirmed. on {now.day}/{now.month}/{now.year} at {now:%I:%M %p} M{amount} received from "
                f"26650000000. New M-Pesa balance is M9,999.00.\nReference: 1\nRemark: {rng.choice(accounts)} electricity"
            )
            sender = "M-PESA"
        elif roll < 0.85:
            receipt = f"MP{now:%y%m%d}.{now:%H%M}.B{stamp}{i:04d}"
            account = rng.choice(accounts)
            text = (
                f"You have received M{amount.replace('.00', '')} from Bench Payer-57999999 for {account.lower()}. "
                f"Approval Code: {receipt}. New wallet balance: M64525.0."
            )
            sender = "199"
        else:
            receipt = f"P{stamp}{i:04d}"
            text = f"{receipt} Confirmed. on {now.day}/{now.month}/{now.year} at {now:%I:%M %p} M{amount} received from {rng.choice(phones).lstrip('+')}."
            sender = "M-PESA"
        out.append((f"bench-{stamp}-{i}", sender, text, receipt))
    return out


def post(port, gateway_id, sender, text):
    body = json.dumps(
        {
            "sender": sender,
            "text": text,
            "received_at": datetime.now().astimezone().isoformat(timespec="seconds"),
            "gateway_id": gateway_id,
        }
    ).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/payments/incoming",
        data=body,
        headers={"Content-Type": "application/json", "X-CC-Signature": signature},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, answer = response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        status, answer = exc.code, {}
    return time.perf_counter() - started, status, answer.get("status", "")


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8107)))
    parser.add_argument("--scale", default="1")
    parser.add_argument("--duplicates", type=float, default=0.05)
    args = parser.parse_args()
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count

    from billing.models import AccountHistory, ImportedPayment, IncomingSms
    from customers.models import AccountNumber, Customer

    if not Customer.objects.exists():
        print(f"seeding seed_demo --scale {args.scale} …", flush=True)
        call_command("seed_demo", scale=float(args.scale), verbosity=0)
    accounts = list(AccountNumber.objects.order_by("pk").values_list("accountnumber", flat=True)[:2000])
    single = AccountNumber.objects.values("customer_id").annotate(n=Count("pk")).filter(n=1).values_list("customer_id", flat=True)
    phones = list(Customer.objects.filter(pk__in=single[:2000]).exclude(phone="").values_list("phone", flat=True)[:500]) or [
        "+26650000001"
    ]
    forwards = texts(args.requests, accounts, phones, args.duplicates)
    ledger_before = AccountHistory.objects.count()
    sms_before = IncomingSms.objects.count()

    log = open(ROOT / "bench" / "out" / "intake-gunicorn.log", "w") if (ROOT / "bench" / "out").is_dir() else subprocess.DEVNULL
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "ccportal.wsgi", "-w", str(args.workers), "-b", f"127.0.0.1:{args.port}"]
        + ["--access-logfile", "/dev/null"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=log,
        stderr=log,
    )
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{args.port}/health", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        # Warm each worker (imports, first connection) outside the timed run.
        for i in range(args.workers * 2):
            post(args.port, f"warm-{time.time()}-{i}", "M-PESA", "Your M-Pesa balance is M5.00.")
        results, lock = [], threading.Lock()
        queue = list(enumerate(forwards))

        def client():
            while True:
                with lock:
                    if not queue:
                        return
                    _, (gateway_id, sender, text, receipt) = queue.pop(0)
                result = post(args.port, gateway_id, sender, text)
                with lock:
                    results.append((*result, receipt))

        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    latencies = [r[0] * 1000 for r in results]
    statuses = {}
    for _, code, status, _ in results:
        statuses[f"{code} {status}".strip()] = statuses.get(f"{code} {status}".strip(), 0) + 1
    receipts = {r[3] for r in results}
    once = ImportedPayment.objects.filter(receipt__in=receipts).exclude(status="duplicate")
    per_receipt = dict(once.values("receipt").annotate(n=Count("pk")).values_list("receipt", "n"))
    posted = once.filter(status="posted")
    ledger_added = AccountHistory.objects.count() - ledger_before
    checks = {
        "every receipt recorded once": len(per_receipt) == len(receipts) and set(per_receipt.values()) == {1},
        "one ledger row per posted receipt": posted.exclude(ledger_row=None).count() == posted.count() == ledger_added,
        "every SMS stored": IncomingSms.objects.count() - sms_before == len(results) + args.workers * 2,
        "no error answers": all(code == 201 for _, code, _, _ in results),
    }
    p95 = percentile(latencies, 95)
    print(
        f"{len(results)} intake requests, {args.clients} clients, gunicorn {args.workers} workers, "
        f"{os.environ.get('DATABASE_URL', 'sqlite')}"
    )
    print(
        f"latency ms: median {percentile(latencies, 50):.1f}, p95 {p95:.1f}, p99 {percentile(latencies, 99):.1f}, "
        f"max {max(latencies):.1f}; {len(results) / elapsed:.1f} requests/s over {elapsed:.1f} s"
    )
    print("answers: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    print(f"distinct receipts {len(receipts)}, posted {posted.count()}, ledger rows added {ledger_added}")
    for name, ok in checks.items():
        print(f"  {'ok  ' if ok else 'FAIL'} {name}")
    verdict = p95 <= 200 and all(checks.values())
    print(f"target p95 <= 200 ms and every payment once: {'met' if verdict else 'NOT met'}")
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
