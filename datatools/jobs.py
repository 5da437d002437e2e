"""The data tools' kinds of job (registered with the jobs app's registry, which sits below datatools): a Tables
view written to CSV by a worker, whatever its size, and the ACDB import the Sync page queues."""

from pathlib import Path

from accounts import roles
from jobs.kinds import JobKind, job_kind_register

# --- Tables CSV ---------------------------------------------------------------------------------------------

TABLE_PARAMS = ("q", "sort", "order", "col", "val")


def _table_params(data):
    from datatools import tables

    table = tables.table_get(data.get("table", ""))
    if table is None:
        return {}, "", ["There is no such table."]
    query = {key: data.get(key, "") for key in TABLE_PARAMS}
    problems = tables.table_query(table, query).messages
    described = ", ".join(f"{k} {v}" for k, v in query.items() if v)
    return (
        {"table": table.name, "query": query},
        f"Table {table.name} as CSV" + (f" ({described})" if described else ""),
        problems,
    )


def _table_run(*, params, progress, output, by):
    from datatools import tables

    table = tables.table_get(params["table"])
    if table is None:
        raise ValueError(f"There is no table {params['table']!r} any more.")
    query = tables.table_query(table, params["query"])
    progress(0, tables.table_queryset(table, query).count(), "Writing rows")
    rows = -1  # the header line is not a row
    with output.file(f"{table.name}.csv") as path, open(path, "w", encoding="utf-8", newline="") as handle:
        for rows, line in enumerate(tables.table_csv_lines(table, query), start=-1):
            handle.write(line)
            if rows % 2000 == 0:
                progress(rows)
    progress(rows + 1 if rows >= 0 else 0)
    return {"rows": max(rows, 0), "message": f"{max(rows, 0):,} rows written."}


job_kind_register(JobKind("table_csv", "Table CSV", _table_run, roles.is_employee, _table_params))


# --- ACDB import (Sync page) --------------------------------------------------------------------------------


def _acdb_import_params(data):
    # Queued by the Sync page (datatools.acdb.runs.import_run_queue), which validates the upload or source.
    return {}, "", ["Start an ACDB import from the Sync page."]


def _acdb_import_run(*, params, progress, output, by):
    from django.conf import settings
    from django.core.exceptions import ValidationError

    from datatools.acdb.runs import import_run_execute
    from datatools.models import ImportRun

    def step(table, rows, done, total):
        progress(done, total, f"Reading {table}")  # the page adds rows done of the total

    try:
        source = params["upload"] or settings.CC_ACDB_SOURCE
        run = import_run_execute(ImportRun.objects.get(pk=params["run"]), source=source, progress=step)
    finally:
        if params["upload"]:
            Path(params["upload"]).unlink(missing_ok=True)
    if run is None:
        return {"message": f"Import #{params['run']} had already run; not run again."}
    if run.status != ImportRun.Status.SUCCEEDED:  # refused or failed: the job fails with the run's own words
        raise ValidationError(run.message or run.get_status_display())
    return {"counts": run.counts, "message": run.message}


def _acdb_import_failed(*, params, reason):
    from datatools.acdb.runs import import_run_fail

    import_run_fail(run_id=params["run"], reason=reason, upload=params.get("upload", ""))


job_kind_register(
    JobKind(
        "acdb_import", "ACDB import", _acdb_import_run, roles.can_sync_acdb, _acdb_import_params, on_failed=_acdb_import_failed
    )
)
