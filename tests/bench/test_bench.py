"""The bench harness: its SQL anchors run on this database and agree with the ledger; a missing page is
reported, not fatal. (No timings here: the harness measures, the tests only check it works.)"""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Sum

from bench import anchors
from bench.runner import measure, table
from bench.workloads import REGISTRY, NotAvailable, Workload, mpesa_statement
from billing.models import AccountHistory
from ccportal import demo


@pytest.fixture
def seeded(db):
    demo.seed_demo(scale=0.02, today=datetime(2026, 6, 30).date())


def test_it_runs_every_anchor(seeded):
    bounds = anchors.quarter_bounds(2026, 1, ZoneInfo("Africa/Maseru"))
    for name, (function, takes_quarter) in anchors.OM_REPORT.items():
        assert function(None), name
        if takes_quarter:
            function(bounds)


def test_it_sums_sales_by_site_as_the_orm_does(seeded):
    rows = anchors.sales_by_site_quarter("transaction amount")
    total = sum(Decimal(str(value)) for _, _, value in rows)
    expected = AccountHistory.objects.filter(payment=True).aggregate(s=Sum("transaction_amount"))["s"]
    assert abs(total - Decimal(str(expected))) < Decimal("0.05")
    assert {site for site, _, _ in rows} <= set(demo.SITE_SHARE)


def test_it_reports_a_missing_page_as_not_available():
    def missing(ctx):
        raise NotAvailable("/nowhere/ answers 404")

    row = measure(Workload("missing", missing), ctx=None, repeats=2, warmups=1)
    assert row["status"] == "not available"
    assert "not available" in table([row])[1]


def test_it_reports_a_broken_workload_as_an_error():
    def broken(ctx):
        raise ValueError("boom")

    row = measure(Workload("broken", broken), ctx=None, repeats=2, warmups=1)
    assert row["status"] == "error" and "boom" in row["note"]


def test_it_knows_the_workloads_of_the_issue():
    names = set(REGISTRY)
    assert {"floor", "customers list", "account data (busiest)", "contract pair (en + st)"} <= names
    assert {f"api {n} (all time)" for n in anchors.OM_REPORT} <= names
    assert all(REGISTRY[n].anchor in REGISTRY for n in names if REGISTRY[n].anchor)


def test_it_writes_a_statement_the_providers_way():
    content = mpesa_statement(["0001MAK", "0002MAK"], rows=3).decode()
    lines = content.splitlines()
    assert lines[0].startswith("Receipt No,Completion Time,Details")
    assert len(lines) == 4 and "0002MAK" in lines[2]


@pytest.mark.django_db
def test_it_builds_its_context_at_the_smallest_scale():
    """At --scale 0.01 there are 17 customers: the context picks its samples from what exists."""
    from bench.runner import build_context

    demo.seed_demo(scale=0.01, today=datetime(2026, 6, 30).date())
    context = build_context({"today": "2026-06-30"})
    assert context.busy_account and context.sample_phone
