"""The data tools' job kind: a Tables view written to CSV by a worker, whatever its size (registered with
the jobs app's registry, which sits below datatools)."""

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
