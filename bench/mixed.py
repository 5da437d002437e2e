"""Mixed load: reads with writes against a running portal, then a check that nothing was lost.

    python -m bench.mixed --url http://127.0.0.1:8190 [--clients 16] [--duration 60] [--statement-rows 200]

Run by `bench/loadtest` (`make loadtest`), which starts gunicorn over the seeded database; this process reads
and writes the same database (DATABASE_URL) to set up and to check. Each client loops over the read paths and,
one request in ``--write-every``, a write as a logged-in employee: an inline customer edit (a field of Customer
Detail, with its reason) or a ledger row added on Customer Data; one client confirms a previewed payment
import once a third of the time has passed, and confirms it again at two thirds (it must post nothing more).
Prints one row per path (n, p50, p95, errors) and the throughput, then checks: every write answered is in the
database with its history row, the balances of every account written are carried forward row by row, each
statement receipt is posted once, and the rollups equal their tables (--no-rollup-check skips that, which reads
every table). Exit status 1 on an error or a failed check."""

import argparse
import http.client
import os
import random
import secrets
import statistics
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ccportal.settings")

REASON = "load test"


def _setup_django():
    import django

    django.setup()


def _writer():
    """The demo super administrator (writes customers and ledger rows, imports payments)."""
    from accounts import roles
    from accounts.models import Employee

    for employee in Employee.objects.filter(is_active=True).order_by("employee_id"):
        if roles.can_write_customers(employee) and roles.can_write_transactions(employee) and roles.can_import_payments(employee):
            return employee
    raise SystemExit("no active employee may write customers, ledger rows and payment imports")


def _session_for(user):
    import time as clock
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts.middleware import LOGIN_AT_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[LOGIN_AT_KEY] = int(clock.time())
    store.create()
    return store.session_key


class Plan:
    """What the clients do, picked from the database before the load starts."""

    def __init__(self, *, statement_rows, seed=7):
        from django.conf import settings
        from django.db.models import Count
        from django.utils import timezone

        from accounts.api import token_pair_for
        from bench.payment_import import statement_csv
        from billing import services
        from billing.models import AccountHistory, PaymentImport
        from customers.models import AccountNumber, Customer

        rng = random.Random(seed)
        self.started = timezone.now()  # the check counts only what this run wrote
        self.writer = _writer()
        self.session = _session_for(self.writer)
        self.token = str(token_pair_for(self.writer)["access_token"])
        self.csrf = secrets.token_hex(16)  # 32 characters: Django accepts an unmasked secret equal to the cookie
        self.cookie = f"{settings.SESSION_COOKIE_NAME}={self.session}; {settings.CSRF_COOKIE_NAME}={self.csrf}"
        busy = AccountHistory.objects.values("accountnumber").annotate(n=Count("id")).order_by("-n").first()["accountnumber"]
        top = Customer.objects.order_by("-customer_id").values_list("pk", flat=True).first() or 0
        sample = sorted({rng.randint(1, top) for _ in range(400)})
        self.customers = list(Customer.objects.filter(pk__in=sample).values_list("pk", flat=True)) or [top]
        self.accounts = list(AccountNumber.objects.filter(customer_id__in=self.customers).values_list("pk", flat=True))
        # (label, path): the busiest reads of a working day.
        self.reads = [
            ("GET /customers/", "/customers/"),
            ("GET /customers/?q=mokoena", "/customers/?q=mokoena"),
            ("GET /customers/?q=0045", "/customers/?q=0045"),
            ("GET /customers/<id>/", f"/customers/{self.customers[0]}/"),
            ("GET /accounts/<busiest>/", f"/accounts/{busy}/"),
            ("GET /reports/om/", "/reports/om/"),
            ("GET /api/om-report/overview", "/api/om-report/overview"),
            ("GET /api/om-report/load-curves-by-type", "/api/om-report/load-curves-by-type"),
            ("GET /api/om-report/customer-stats", "/api/om-report/customer-stats"),
        ]
        accounts = self.accounts or [busy]
        content = statement_csv(statement_rows, accounts, ["+26650000000"], seed=seed)
        self.payment_import = services.payment_import_create(
            provider="mpesa", filename="load-test.csv", content=content, by=self.writer
        )
        self.import_status = PaymentImport.Status

    def headers(self, path, *, post=False):
        if path.startswith("/api/"):
            return {"Authorization": f"Bearer {self.token}"}
        headers = {"Cookie": self.cookie}
        if post:
            headers |= {"X-CSRFToken": self.csrf, "Content-Type": "application/x-www-form-urlencoded"}
        return headers


class Load:
    def __init__(self, plan, *, url, clients, duration, write_every):
        parsed = urllib.parse.urlsplit(url)
        self.host, self.port = parsed.hostname, parsed.port or 80
        self.plan, self.clients, self.duration, self.write_every = plan, clients, duration, write_every
        self.times = defaultdict(list)
        self.errors = defaultdict(int)
        self.samples = defaultdict(list)
        self.edits, self.adds, self.confirms = [], [], []
        self.lock = threading.Lock()

    def request(self, label, method, path, body=None, ok=(200,)):
        headers = self.plan.headers(path, post=method == "POST")
        headers["Host"] = self.host
        start = time.perf_counter()
        status, error = None, None
        try:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            status = response.status
            connection.close()
        except OSError as exc:
            error = repr(exc)
        elapsed = time.perf_counter() - start
        with self.lock:
            self.times[label].append(elapsed)
            if status not in ok:
                self.errors[label] += 1
                self.samples[label].append(error or f"{method} {path} -> {status}")
        return status in ok

    def client(self, number, deadline, confirm_at):
        rng = random.Random(number)
        plan = self.plan
        reads = plan.reads[number % len(plan.reads) :] + plan.reads[: number % len(plan.reads)]
        count = 0
        while time.time() < deadline:
            count += 1
            if number == 0 and confirm_at and time.time() >= confirm_at[0]:
                confirm_at.pop(0)
                body = urllib.parse.urlencode({"payment_import": plan.payment_import.pk})
                if self.request("POST payment import confirm", "POST", "/jobs/start/payment_import_confirm", body, ok=(302,)):
                    with self.lock:
                        self.confirms.append(time.time())
                continue
            if count % self.write_every:
                label, path = reads[count % len(reads)]
                self.request(label, "GET", path)
                continue
            if rng.random() < 0.5:
                pk = rng.choice(plan.customers)
                value = f"Load {number}-{count}"
                body = urllib.parse.urlencode({"city": value, "reason": REASON, "version": ""})
                if self.request("POST customer field (inline)", "POST", f"/customers/{pk}/field/city/", body, ok=(302,)):
                    with self.lock:
                        self.edits.append((pk, value))
            else:
                account = rng.choice(plan.accounts)
                when = time.strftime("%Y-%m-%dT%H:%M:%S")
                body = urllib.parse.urlencode(
                    {"new-when": when, "new-kind": "payment", "new-amount": "10.00", "new-reason": REASON}
                )
                if self.request("POST ledger add", "POST", f"/accounts/{account}/ledger/add/", body, ok=(302,)):
                    with self.lock:
                        self.adds.append(account)

    def run(self):
        start = time.time()
        deadline = start + self.duration
        confirm_at = [start + self.duration / 3, start + 2 * self.duration / 3]
        threads = [threading.Thread(target=self.client, args=(n, deadline, confirm_at)) for n in range(self.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.time() - start


def _percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def report(load, seconds):
    total = sum(len(v) for v in load.times.values())
    errors = sum(load.errors.values())
    every = [t for values in load.times.values() for t in values]
    width = max(len(label) for label in load.times)
    print(f"\n{'path'.ljust(width)}  {'n':>6}  {'p50 ms':>7}  {'p95 ms':>7}  errors")
    for label in sorted(load.times):
        values = load.times[label]
        print(
            f"{label.ljust(width)}  {len(values):>6}  {statistics.median(values) * 1000:>7.1f}  "
            f"{_percentile(values, 0.95) * 1000:>7.1f}  {load.errors[label]}"
        )
    print(
        f"{'all'.ljust(width)}  {total:>6}  {statistics.median(every) * 1000:>7.1f}  {_percentile(every, 0.95) * 1000:>7.1f}  "
        f"{errors}\n{total / seconds:.1f} req/s over {seconds:.1f} s, {load.clients} clients"
    )
    for label, found in load.samples.items():
        print(f"  {label}: {found[:3]}")
    return errors


def check(load, *, rollups=True):
    """[problems] after the load: writes present with history, balances carried, receipts posted once, rollups."""
    from django.db.models import Count

    from billing.models import AccountHistory, ImportedPayment
    from ccportal.rollup import rollups_differences
    from customers.models import Customer

    plan, problems = load.plan, []
    latest = {}
    for pk, value in load.edits:
        latest[pk] = value
    for pk, value in latest.items():
        edits = Customer.history.filter(customer_id=pk, city=value, history_change_reason=REASON, history_date__gte=plan.started)
        if not edits.exists():
            problems.append(f"customer {pk}: the edit to {value!r} has no history row")
    written = set(load.adds)
    posted = ImportedPayment.objects.filter(payment_import=plan.payment_import, ledger_row__isnull=False)
    written |= set(posted.values_list("ledger_row__accountnumber", flat=True))
    added = dict(
        AccountHistory.history.filter(accountnumber__in=set(load.adds), history_type="+", history_change_reason=REASON)
        .filter(history_date__gte=plan.started)
        .values_list("accountnumber")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    )
    for account in set(load.adds):
        want = load.adds.count(account)
        if added.get(account, 0) != want:
            problems.append(f"account {account}: {want} ledger rows added, {added.get(account, 0)} with history")
    for account in sorted(written):
        previous = None
        rows = AccountHistory.objects.filter(accountnumber=account).order_by("transaction_date", "id")
        for row in rows.values_list("id", "kwh_value", "current_balance").iterator():
            if previous is not None and row[2] != previous + row[1]:
                problems.append(f"account {account}: row {row[0]} balance {row[2]} is not {previous} + {row[1]}")
                break
            previous = row[2]
    twice = AccountHistory.objects.filter(pk__in=posted.values("ledger_row")).values("id").annotate(n=Count("pk")).filter(n__gt=1)
    receipts = posted.values("receipt").annotate(n=Count("pk")).filter(n__gt=1)
    if twice.exists() or receipts.exists():
        problems.append("a statement receipt was posted more than once")
    plan.payment_import.refresh_from_db()
    waited = time.time()
    while load.confirms and plan.payment_import.status != plan.import_status.POSTED and time.time() - waited < 120:
        time.sleep(1)  # the confirm only queued the posting job: the loadtest's worker posts it
        plan.payment_import.refresh_from_db()
    if load.confirms and plan.payment_import.status != plan.import_status.POSTED:
        problems.append(f"the payment import is {plan.payment_import.status} after its confirm")
    if plan.payment_import.posted_count != posted.count():
        problems.append(f"the payment import says {plan.payment_import.posted_count} posted, the ledger has {posted.count()}")
    if rollups and (differences := rollups_differences()):
        problems.append(f"rollups differ from their tables: {sorted(differences)}")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--write-every", type=int, default=10, help="one request in N is a write (default 10)")
    parser.add_argument("--statement-rows", type=int, default=200)
    parser.add_argument("--no-rollup-check", action="store_true")
    args = parser.parse_args(argv)
    _setup_django()
    plan = Plan(statement_rows=args.statement_rows)
    load = Load(plan, url=args.url, clients=args.clients, duration=args.duration, write_every=args.write_every)
    for _, path in plan.reads:
        if not load.request("check", "GET", path):
            raise SystemExit(f"load test aborted: {load.samples['check'][-1]}")
    load.times.clear()
    seconds = load.run()
    errors = report(load, seconds)
    print(f"writes: {len(load.edits)} customer edits, {len(load.adds)} ledger rows, {len(load.confirms)} import confirms")
    problems = check(load, rollups=not args.no_rollup_check)
    for problem in problems:
        print(f"LOST: {problem}")
    if not problems:
        print("check: every write is there with its history, balances carried, receipts posted once, rollups equal.")
    return 1 if errors or problems else 0


if __name__ == "__main__":
    sys.exit(main())
