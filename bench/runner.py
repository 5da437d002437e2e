"""Builds the bench database, prepares the run's context and measures every workload of the registry."""

import json
import os
import platform
import statistics
import threading
import time
import tracemalloc
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment

from bench import anchors
from bench.workloads import REGISTRY, NotAvailable, mpesa_statement

OUT = Path(__file__).resolve().parent / "out"


# --- the database -------------------------------------------------------------------------------------------


def _state_path():
    db = settings.DATABASES["default"]
    return OUT / f"state-{connection.vendor}-{Path(str(db['NAME'])).name}.json"


def _recreate_database():
    db = settings.DATABASES["default"]
    connections.close_all()
    if connection.vendor == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(db["NAME"]) + suffix).unlink(missing_ok=True)
        return
    if connection.vendor != "postgresql":
        raise SystemExit("The bench creates its database on SQLite or PostgreSQL only.")
    if "bench" not in db["NAME"]:
        raise SystemExit(f"Refusing to drop database {db['NAME']!r}: the bench database's name must contain 'bench'.")
    import psycopg

    with psycopg.connect(
        dbname="postgres",
        host=db["HOST"],
        port=db["PORT"] or None,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        autocommit=True,
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{db["NAME"]}"')


def prepare_database(args, say):
    """Reuse the bench database when it holds this scale and seed; otherwise build it. Returns the state."""
    from datatools import demo

    path = _state_path()
    wanted = {"scale": args.scale, "seed": args.seed}
    if path.exists() and not args.reseed:
        state = json.loads(path.read_text())
        try:
            fits = {k: state.get(k) for k in wanted} == wanted and demo.database_has_customers()
        except Exception:
            fits = False
        if fits:
            say(f"Reusing the bench database (scale {args.scale}, seeded {state['today']}); --reseed rebuilds it.")
            call_command("migrate", verbosity=0)
            return state
    say("Creating the bench database …")
    _recreate_database()
    call_command("migrate", verbosity=0)
    today = date.today()
    say(f"Seeding at scale {args.scale} …")
    started = time.perf_counter()
    report = demo.seed_demo(scale=args.scale, seed=args.seed, today=today)
    seconds = time.perf_counter() - started
    say("Analysing …")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    state = {
        **wanted,
        "today": today.isoformat(),
        "seed_seconds": round(seconds, 2),
        "seed_rows": report.total_rows,
        "ledger_rows": report.ledger_rows,
        "readings": report.readings,
        "customers": report.customers,
    }
    path.write_text(json.dumps(state, indent=2))
    return state


# --- the run's context --------------------------------------------------------------------------------------


@dataclass
class Context:
    state: dict
    client: Client = None
    user: object = None
    token: str = ""
    counts: dict = field(default_factory=dict)
    quarter_label: str = ""
    quarter_bounds: tuple = ()
    year_from: str = ""
    year_to: str = ""
    year_transactions: int = 0
    busy_account: str = ""
    busy_customer: int = 0
    sample_phone: str = ""
    statement: bytes = b""


def _token(client, user):
    from datatools.demo import DEMO_PASSWORD

    response = client.post(
        "/api/auth/employee-login",
        {"employee_id": user.employee_id, "password": DEMO_PASSWORD},
        content_type="application/json",
    )
    if response.status_code == 200:
        return response.json()["access_token"]
    from accounts.api import token_pair_for

    return token_pair_for(user)["access_token"]


def build_context(state):
    from accounts.models import Employee
    from billing.models import AccountHistory
    from customers.models import AccountNumber, Customer

    tz = ZoneInfo(settings.TIME_ZONE)
    today = date.fromisoformat(state["today"])
    ctx = Context(state=state)
    ctx.user = Employee.objects.get(employee_id="1001")
    ctx.client = Client()
    ctx.client.force_login(Employee.objects.get(employee_id="1004"))
    ctx.token = _token(Client(), Employee.objects.get(employee_id="1004"))
    number = (today.month - 1) // 3 + 1
    year, number = (today.year, number - 1) if number > 1 else (today.year - 1, 4)
    ctx.quarter_label = f"{year} Q{number}"
    ctx.quarter_bounds = anchors.quarter_bounds(year, number, tz)
    last_year = today.year - 1
    ctx.year_from, ctx.year_to = f"{last_year}-01-01", f"{last_year}-12-31"
    ctx.year_transactions = AccountHistory.objects.filter(transaction_date__year=last_year).count()
    ctx.counts = {"customers": Customer.objects.count()}
    # Any length: above 9,999 customers on a site (scale >= 50) the seed writes 5-digit numbers (11235MAK).
    busiest = AccountHistory.objects.values("accountnumber").order_by().annotate(n=Count("id")).order_by("-n").first()
    ctx.busy_account = busiest["accountnumber"]
    ctx.busy_customer = AccountNumber.objects.get(accountnumber=ctx.busy_account).customer_id
    phones = Customer.objects.order_by("customer_id").values_list("phone", flat=True)
    ctx.sample_phone = phones[min(70, ctx.counts["customers"] - 1)]
    accounts = list(AccountNumber.objects.order_by("accountnumber").values_list("accountnumber", flat=True)[:2000])
    ctx.statement = mpesa_statement(accounts, 10_000, today)
    return ctx


# --- measuring ----------------------------------------------------------------------------------------------


def _rss_bytes():
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class _RssPeak:
    """Samples the process's resident memory every 5 ms; .growth is the peak above the starting point."""

    def __enter__(self):
        self.start = self.peak = _rss_bytes()
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self):
        while self.running:
            self.peak = max(self.peak, _rss_bytes())
            time.sleep(0.005)

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, _rss_bytes())
        self.growth = self.peak - self.start


def _p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(workload, ctx, repeats, warmups, quick=False):
    """One row of the table: timings, query count and peak memory, or why there are none."""
    row = {"name": workload.name, "kind": workload.kind, "target": workload.target}
    heavy = workload.kind in ("export", "function")
    if heavy:  # exports and functions take seconds each: fewer repeats, warm-ups only where asked (quick: one run)
        repeats = 1 if quick else (workload.repeats or repeats)
    try:
        for i in range((workload.warmups or 0) if heavy else warmups):
            started = time.perf_counter()
            workload.run(ctx)
            if i == 0 and heavy:  # what the first call in a process costs, reported beside the warm figure
                row["first_s"] = time.perf_counter() - started
        times, result = [], {}
        for i in range(repeats):
            if i == 0 and heavy and workload.memory == "rss":
                # One timed run of an export also gives its queries and memory: sampling the resident set from
                # a thread costs it nothing measurable (tracemalloc would slow it down several times).
                meter = _RssPeak()
                with CaptureQueriesContext(connection) as queries, meter:
                    started = time.perf_counter()
                    result = workload.run(ctx)
                    times.append(time.perf_counter() - started)
                row.update(queries=len(queries), peak_mb=meter.growth / 2**20, memory="rss")
                continue
            started = time.perf_counter()
            result = workload.run(ctx)
            times.append(time.perf_counter() - started)
        if heavy and workload.memory != "rss":
            # Queries and Python memory from one more, untimed run: never time a run under tracemalloc.
            tracemalloc.start()
            with CaptureQueriesContext(connection) as queries:
                workload.run(ctx)
            row.update(queries=len(queries), peak_mb=tracemalloc.get_traced_memory()[1] / 2**20)
            tracemalloc.stop()
        if not heavy:
            with CaptureQueriesContext(connection) as queries:
                workload.run(ctx)
            row["queries"] = len(queries)
            tracemalloc.start()
            workload.run(ctx)
            row["peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
    except NotAvailable as exc:
        row.update(status="not available", note=str(exc)[:80])
        return row
    except Exception as exc:  # a broken workload is reported, and the run goes on
        if tracemalloc.is_tracing():
            tracemalloc.stop()
        row.update(status="error", note=f"{type(exc).__name__}: {exc}"[:120])
        return row
    row.update(status="ok", median=statistics.median(times), p95=_p95(times), runs=len(times))
    if result.get("rows") and workload.kind in ("export", "function"):
        row["rows"] = result["rows"]
        row["rows_per_s"] = result["rows"] / row["median"]
    return row


# --- the table ----------------------------------------------------------------------------------------------


def _ms(seconds):
    return f"{seconds * 1000:,.1f}" if seconds is not None else "—"


def verdict(row):
    if row.get("status") != "ok":
        return ""
    if row.get("ratio_max") and row.get("ratio") is not None:
        return "met" if row["ratio"] <= row["ratio_max"] else "NOT met"
    target = row.get("target", "")
    checks = []
    if "≤ 0.2 s" in target:
        checks.append(row["median"] <= 0.2)
    if "≤ 1 s" in target:
        checks.append(row["median"] <= 1)
    if "≤ 5 s" in target:
        checks.append(row["median"] <= 5)
    if "≤ 150 MB" in target:
        checks.append(row.get("peak_mb", 0) <= 150)
    if "≥ 50k rows/s" in target:
        checks.append(row.get("rows_per_s", 0) >= 50_000)
    if not checks:
        return ""
    return "met" if all(checks) else "NOT met"


def table(rows):
    header = ["workload", "median ms", "p95 ms", "anchor", "anchor ms", "ratio", "queries", "peak MB", "rows/s", "target", ""]
    lines = [header]
    for row in rows:
        if row.get("status") != "ok":
            lines.append([row["name"], row["status"], "", "", "", "", "", "", "", row.get("target", ""), row.get("note", "")])
            continue
        lines.append(
            [
                row["name"],
                _ms(row["median"]),
                _ms(row["p95"]),
                row.get("anchor", ""),
                _ms(row.get("anchor_median")),
                f"{row['ratio']:.2f}×" if row.get("ratio") is not None else "",
                str(row.get("queries", "")),
                f"{row['peak_mb']:.1f}" + (" rss" if row.get("memory") == "rss" else "") if "peak_mb" in row else "",
                f"{row['rows_per_s']:,.0f}" if row.get("rows_per_s") else "",
                row.get("target", ""),
                verdict(row) + (f" (first call in the process: {row['first_s']:,.1f} s)" if "first_s" in row else ""),
            ]
        )
    return lines


def markdown(lines):
    out = ["| " + " | ".join(lines[0]) + " |", "|" + "---|" * len(lines[0])]
    out += ["| " + " | ".join(cell.replace("|", "/") for cell in line) + " |" for line in lines[1:]]
    return "\n".join(out)


def plain(lines):
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip() for line in lines)


# --- the run ------------------------------------------------------------------------------------------------


def run(args):
    say = lambda message: print(message, flush=True)  # noqa: E731
    if args.list:
        for name, workload in REGISTRY.items():
            print(f"{name:45} {workload.kind:9} {workload.target}")
        return 0
    setup_test_environment()  # the test client's response.context, as in tests; no test database
    settings.DEBUG = False
    state = prepare_database(args, say)
    ctx = build_context(state)
    repeats = args.repeats or (3 if args.quick else 15)
    warmups = 1 if args.quick else 2
    selected = [w for w in REGISTRY.values() if not args.only or any(o.lower() in w.name.lower() for o in args.only)]
    # Anchors are measured in the same run even when --only leaves them out.
    needed = {w.anchor for w in selected if w.anchor}
    selected = [REGISTRY[n] for n in needed if REGISTRY[n] not in selected] + selected
    results = {}
    for workload in selected:
        say(f"  {workload.name} …")
        results[workload.name] = measure(workload, ctx, repeats, warmups, args.quick)
    rows = []
    for workload in selected:
        row = dict(results[workload.name])
        anchor = results.get(workload.anchor)
        if workload.anchor and anchor and anchor.get("status") == "ok" and row.get("status") == "ok":
            row.update(anchor=workload.anchor, anchor_median=anchor["median"], ratio=row["median"] / anchor["median"])
        row["ratio_max"] = workload.ratio_max
        rows.append(row)
    rows.append(
        {
            "name": "seed_demo",
            "status": "ok",
            "median": state["seed_seconds"],
            "p95": state["seed_seconds"],
            "rows": state["seed_rows"],
            "rows_per_s": state["seed_rows"] / state["seed_seconds"],
            "target": f"{state['seed_rows']:,} rows, once",
        }
    )
    lines = table(rows)
    db = settings.DATABASES["default"]
    where = f"{connection.vendor} {connection.pg_version if connection.vendor == 'postgresql' else ''}".strip()
    header = (
        f"bench: scale {args.scale} (seed {args.seed}, data as of {state['today']}; {state['customers']:,} customers, "
        f"{state['ledger_rows']:,} ledger rows, {state['readings']:,} readings) on {where} "
        f"database {Path(str(db['NAME'])).name}; {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"{repeats} repeats after {warmups} warm-up(s); quarter {ctx.quarter_label}"
    )
    print()
    print(header)
    print(plain(lines))
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (OUT / f"results-{connection.vendor}-{args.scale:g}-{stamp}.md").write_text(header + "\n\n" + markdown(lines) + "\n")
    (OUT / f"results-{connection.vendor}-{args.scale:g}-{stamp}.json").write_text(
        json.dumps({"header": header, "rows": rows}, indent=2, default=str)
    )
    return 0
