"""Pages of the audit and data tools: Mutations (audit trail, diff, revert), Tables (read-only browser), Sync."""

import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import OperationalError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts import roles
from datatools import audit, tables
from datatools.acdb.runs import import_run_queue, import_runs_expire
from datatools.forms import MutationFilterForm, RevertForm, SyncForm
from datatools.models import ImportRun
from jobs.selectors import job_percent, job_state_text
from jobs.services import jobs_fail_lost

logger = logging.getLogger(__name__)
MUTATIONS_PER_PAGE = 50
ACTIVE_RUN_HOURS = 12  # a command-line run "running" for longer than this was cut off and no longer blocks


# --- Mutations ---------------------------------------------------------------------------------------


@require_GET
@roles.require(roles.is_employee)
@vary_on_headers("HX-Request")
def mutations(request):
    form = MutationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    entries = audit.mutation_list(
        table=filters.get("table", ""),
        employee=filters.get("employee"),
        action=filters.get("action", ""),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        record=filters.get("record", ""),
    )
    page = Paginator(entries, MUTATIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "rows": audit.mutation_rows(page.object_list)}
    template = "datatools/_mutations_rows.html" if request.htmx else "datatools/mutations.html"
    return render(request, template, context)


@require_GET
@roles.require(roles.can_read_audit_detail)
def mutation_detail(request, table, history_id):
    entry = audit.mutation_get(table, history_id)
    if entry is None:
        raise Http404
    record_history = audit.mutation_record_history(table, entry)
    context = {
        "table": table,
        "table_label": audit.table_label(table),
        "entry": entry,
        "is_baseline": audit.is_baseline(entry),
        "is_latest": bool(record_history) and record_history[0].history_id == entry.history_id,
        "action": audit.action_of(entry.history_type, entry.history_change_reason),
        "changes": audit.mutation_changes(table, entry),
        "record_history": record_history,
        "revert_form": RevertForm(),
        "previous_known": entry.history_type != "~" or entry.prev_record is not None,
    }
    return render(request, "datatools/mutation_detail.html", context)


@require_POST
@roles.require(roles.can_revert_changes)
def mutation_revert(request, table, history_id):
    if audit.mutation_get(table, history_id) is None:
        raise Http404
    form = RevertForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        written = audit.mutation_revert(table=table, history_id=history_id, by=request.user, reason=reason)
    except audit.RevertRefused as exc:
        messages.error(request, str(exc))
        return redirect("datatools:mutation", table=table, history_id=history_id)
    messages.success(request, "Reverted. This is the revert's own entry in the audit trail.")
    return redirect("datatools:mutation", table=table, history_id=written.history_id)


# --- Tables ------------------------------------------------------------------------------------------


@require_GET
@roles.require(roles.is_employee)
def tables_index(request):
    return render(request, "datatools/tables.html", {"summaries": tables.table_summaries()})


def _table_or_404(name):
    table = tables.table_get(name)
    if table is None:
        raise Http404("No such table.")
    return table


@require_GET
@roles.require(roles.is_employee)
@vary_on_headers("HX-Request")
def table_browse(request, table):
    table = _table_or_404(table)
    query = tables.table_query(table, request.GET)
    page = tables.table_page(table, query)
    filtered = bool(query.search or query.filter_column)
    match_count, match_capped = tables.table_match_count(table, query) if filtered else (None, False)
    context = {
        "filtered": filtered,
        "match_count": match_count,
        "match_capped": match_capped,
        "table": table,
        "columns": table.columns,
        "query": query,
        "page": page,
        "rows": page.object_list,
        "has_next": page.has_next,
        "row_count": tables.table_row_count(table),
        "headers": [
            {
                "column": column,
                "sorted": column == query.sort,
                "next_order": "asc" if column == query.sort and query.descending else "desc" if column == query.sort else "asc",
            }
            for column in table.columns
        ],
    }
    template = "datatools/_table_rows.html" if request.htmx else "datatools/table.html"
    return render(request, template, context)


@require_GET
@roles.require(roles.is_employee)
def table_export(request, table):
    """The same rows as the browser view (search, filter, sort), every page, as CSV, streamed."""
    table = _table_or_404(table)
    query = tables.table_query(table, request.GET)
    response = StreamingHttpResponse(tables.table_csv_lines(table, query), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table.name}.csv"'
    return response


# --- Sync --------------------------------------------------------------------------------------------


def _runs_fail_lost():
    """A run whose worker died reads failed on this page even with no scheduler running (its job's lease)."""
    try:
        jobs_fail_lost()
        import_runs_expire(older_than_hours=ACTIVE_RUN_HOURS)
    except OperationalError:  # SQLite while an import holds the write lock: the page still shows what it can
        logger.warning("Lost import runs not checked: the database is busy", exc_info=True)


def _active_run():
    _runs_fail_lost()
    return ImportRun.objects.filter(status__in=[ImportRun.Status.QUEUED, ImportRun.Status.RUNNING]).first()


@require_http_methods(["GET", "POST"])
@roles.require(roles.can_sync_acdb)
def sync(request):
    configured = settings.CC_ACDB_SOURCE
    if request.method == "POST":
        form = SyncForm(request.POST, request.FILES, configured_source=configured)
        if _active_run() is not None:
            messages.error(request, "An import is already running: wait for it to finish.")
            return redirect("datatools:sync")
        if form.is_valid():
            run = _sync_start(request, form)
            messages.success(request, f"Import #{run.pk} queued for a worker. This page shows its progress.")
            return redirect("datatools:sync")
    else:
        form = SyncForm(configured_source=configured)
    active = _active_run()
    runs = ImportRun.objects.select_related("started_by", "job")
    context = {
        "form": form,
        "configured": configured,
        "active": active,
        "runs": (runs.exclude(pk=active.pk) if active else runs)[:10],
        "upload_max_mb": settings.CC_ACDB_UPLOAD_MAX_MB,
    }
    return render(request, "datatools/sync.html", context)


def _sync_start(request, form):
    dry_run = form.cleaned_data["dry_run"]
    if form.cleaned_data["source"] == SyncForm.SOURCE_CONFIGURED:
        return import_run_queue(by=request.user, dry_run=dry_run)
    # The worker reads the upload from private storage (CC_PRIVATE_ROOT, shared by the web and worker processes).
    upload = form.cleaned_data["file"]
    folder = Path(settings.MEDIA_ROOT) / "acdb-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    label = Path(upload.name).name
    return import_run_queue(by=request.user, upload=str(path), label=label, dry_run=dry_run)


@require_GET
@roles.require(roles.can_sync_acdb)
def sync_run(request, run_id):
    """One run's status: polled by the Sync page every 2 s while it is active (progress from its job's row)."""
    _runs_fail_lost()
    run = get_object_or_404(ImportRun.objects.select_related("started_by", "job"), pk=run_id)
    context = {
        "run": run,
        "poll_url": reverse("datatools:sync_run", args=[run.pk]),
        "job_state": job_state_text(run.job) if run.job else None,
        "percent": job_percent(run.job) if run.job else None,
    }
    return render(request, "datatools/_sync_run.html", context)
