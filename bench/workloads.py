"""The registry of workloads. Each one is a callable run many times; it returns a Result-like dict or raises
NotAvailable when the page, endpoint or function it measures is not in this build (yet)."""

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import import_module

from django.db import transaction
from django.urls import NoReverseMatch


class NotAvailable(Exception):
    """The page, endpoint or function is not in this build."""


@dataclass
class Workload:
    name: str
    run: object  # callable(ctx) -> dict with optional "rows"
    anchor: str = ""  # name of another workload or anchor measured in the same run
    target: str = ""  # human-readable target
    ratio_max: float | None = None
    memory: str = "tracemalloc"  # or "rss" for streamed responses
    repeats: int | None = None  # None: the run's default
    warmups: int | None = None  # exports and functions: warm-up calls before timing (default none)
    kind: str = "page"  # page, api, sql, export, function


REGISTRY: dict[str, Workload] = {}


def register(workload):
    REGISTRY[workload.name] = workload
    return workload


def _get(ctx, url, **extra):
    try:
        response = ctx.client.get(url, **extra)
    except (NoReverseMatch, ImportError) as exc:
        raise NotAvailable(str(exc)) from None
    if response.status_code == 404:
        raise NotAvailable(f"{url} answers 404")
    if response.status_code != 200:
        raise RuntimeError(f"{url} answers {response.status_code}")
    if response.streaming:
        size = 0
        lines = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            lines += chunk.count(b"\n")
        response.close()
        return {"bytes": size, "lines": lines}
    return {"bytes": len(response.content)}


def page(name, url_fn, **kwargs):
    return register(Workload(name, lambda ctx: _get(ctx, url_fn(ctx)), **kwargs))


# Pages: anchored on the floor (an empty page with the same chrome and middleware).
register(Workload("floor", lambda ctx: _get(ctx, "/__bench__/floor/"), target="the anchor for pages"))
PAGE = {"anchor": "floor", "target": "≤ 1.5× floor, fixed queries", "ratio_max": 1.5}
page("customers list", lambda ctx: "/customers/", **PAGE)
page("customers search", lambda ctx: "/customers/?q=Mokoena", **PAGE)
page("customers search phone", lambda ctx: f"/customers/?q={ctx.sample_phone}", **PAGE)
page("customer detail", lambda ctx: f"/customers/{ctx.busy_customer}/", **PAGE)
page("account data (busiest)", lambda ctx: f"/accounts/{ctx.busy_account}/", **PAGE)
page("dashboard", lambda ctx: "/", **PAGE)
page("financial", lambda ctx: "/financial/", **PAGE)
page("O&M report page", lambda ctx: f"/reports/om/?quarter={ctx.quarter_label.replace(' ', '+')}", **PAGE)


# The O&M report API: each endpoint for all time (and one quarter where it takes one), anchored on the
# hand-written SQL of the same figures.
def _api(endpoint, quarter):
    def run(ctx):
        url = f"/api/om-report/{endpoint}" + (f"?quarter={ctx.quarter_label.replace(' ', '+')}" if quarter else "")
        return _get(ctx, url, HTTP_AUTHORIZATION=f"Bearer {ctx.token}")

    return run


def _sql(endpoint, quarter):
    def run(ctx):
        from bench import anchors

        function = anchors.OM_REPORT[endpoint][0]
        return {"rows": len(function(ctx.quarter_bounds if quarter else None))}

    return run


def _register_api():
    from bench import anchors

    for endpoint, (_, takes_quarter) in anchors.OM_REPORT.items():
        for quarter in (False, True) if takes_quarter else (False,):
            label = f"{endpoint} ({'quarter' if quarter else 'all time'})"
            register(Workload(f"sql {label}", _sql(endpoint, quarter), kind="sql", target="anchor"))
            register(
                Workload(
                    f"api {label}",
                    _api(endpoint, quarter),
                    anchor=f"sql {label}",
                    target="≤ 1.3× SQL",
                    ratio_max=1.3,
                    kind="api",
                )
            )


_register_api()


# Exports: streamed; rows per second and the process's peak RSS growth.
def _export(dataset, fmt, year=False):
    def run(ctx):
        query = f"?from={ctx.year_from}&to={ctx.year_to}" if year else ""
        result = _get(ctx, f"/reports/export/{dataset}.{fmt}{query}")
        result["rows"] = ctx.year_transactions if year else ctx.counts[dataset]
        return result

    return run


EXPORT = {"memory": "rss", "kind": "export", "repeats": 3}
register(Workload("export customers.csv", _export("customers", "csv"), target="≥ 50k rows/s, ≤ 150 MB", **EXPORT))
register(Workload("export customers.xlsx", _export("customers", "xlsx"), target="≤ 150 MB", **EXPORT))
register(Workload("export transactions 1y.csv", _export("transactions", "csv", True), target="≤ 150 MB", **EXPORT))
register(Workload("export transactions 1y.xlsx", _export("transactions", "xlsx", True), target="≤ 150 MB", **EXPORT))


# Exports as background jobs: the worker's own code path (jobs.services.job_run) in this process, file and all.
def _export_job(dataset, fmt):
    def run(ctx):
        from jobs.files import job_directory_remove
        from jobs.models import Job
        from jobs.services import job_run

        filters = {"site": "", "from": ctx.year_from, "to": ctx.year_to, "q": ""}
        job = Job.objects.create(kind="export", params={"dataset": dataset, "format": fmt, "filters": filters}, title="bench")
        job_run(job_id=job.pk, worker="bench")
        job.refresh_from_db()
        if job.status != Job.Status.SUCCEEDED:
            raise RuntimeError(job.error)
        job_directory_remove(job.pk)
        return {"rows": job.result["rows"], "bytes": job.result_size}

    return run


register(
    Workload("job export transactions 1y.xlsx", _export_job("transactions", "xlsx"), target="≥ 50k rows/s, ≤ 150 MB", **EXPORT)
)
register(
    Workload("job export transactions 1y.csv", _export_job("transactions", "csv"), target="≥ 50k rows/s, ≤ 150 MB", **EXPORT)
)


# Enqueue-to-start latency: a worker started once in its own process (as in production: db_worker --interval 0.2,
# or rqworker on REDIS_URL); each call enqueues bench.tasks.started_at and waits until the worker has run it.
def _latency(backend):
    def run(ctx):
        from bench import latency

        return {"latency_s": latency.enqueue_to_start(backend)}

    return run


register(
    Workload("task latency (database backend)", _latency("database"), target="≤ 1 s", kind="function", repeats=10, warmups=1)
)
register(Workload("task latency (RQ)", _latency("rq"), target="≤ 0.2 s", kind="function", repeats=10, warmups=1))


# Functions of other apps, looked up by name when the run starts.
def _function(module, name):
    try:
        return getattr(import_module(module), name)
    except (ImportError, AttributeError):
        raise NotAvailable(f"{module}.{name} is not in this build") from None


def contract_pair(ctx):
    from customers.models import Customer

    render = _function("contracts.services", "contract_pair_render")
    customer = Customer.objects.get(pk=ctx.busy_customer)
    pair = render(customer)
    return {"bytes": sum(len(pdf) for pdf in pair.values())}


# A server renders many contracts per process: the first call (WeasyPrint's font and CSS set-up) is a warm-up,
# reported beside the figure.
register(Workload("contract pair (en + st)", contract_pair, target="≤ 1 s", kind="function", repeats=3, warmups=1))


def mpesa_statement(accounts, rows=10_000, day=None):
    """An M-Pesa statement of ``rows`` payments to ``accounts`` (cycled), as the provider writes it."""
    day = day or date.today()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "Receipt No",
            "Completion Time",
            "Details",
            "Transaction Status",
            "Paid in",
            "Withdrawn",
            "Balance",
            "Reason Type",
            "Other Party Info",
        ]
    )
    for i in range(rows):
        account = accounts[i % len(accounts)]
        when = f"{day - timedelta(days=i % 28):%Y-%m-%d} {8 + i % 10:02d}:{i % 60:02d}:{(i * 7) % 60:02d}"
        writer.writerow(
            [
                f"BNC{i:07d}",
                when,
                f"Customer Pay Bill Online {account}",
                "Completed",
                f"{10 + i % 90}.00",
                "",
                f"{100000 + i}.00",
                "Pay Bill Online",
                f"2665{i % 10000000:07d} - Bench Payer",
            ]
        )
    return out.getvalue().encode()


def payment_import(ctx):
    read = _function("billing.statements", "statement_read")
    create = _function("billing.services", "payment_import_create")
    post = _function("billing.services", "payment_rows_post")
    content = ctx.statement
    with transaction.atomic():
        rows = read(content=content, filename="bench-mpesa.csv", provider="mpesa")
        payment_import = create(provider="mpesa", filename="bench-mpesa.csv", content=content, by=ctx.user, store=False)
        post(payment_import=payment_import, rows=rows, by=ctx.user)
        transaction.set_rollback(True)  # every repeat posts the same statement to the same ledger
    return {"rows": len(rows)}


register(Workload("payment import 10k rows", payment_import, target="≤ 5 s with history", kind="function", repeats=3))
