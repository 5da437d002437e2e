"""The kinds of job this app runs for the domains below it: every export (datasets, O&M report, Financial),
confirming a payment import, and the rollup rebuild and check (the Tables CSV is datatools' own kind, in
datatools/jobs.py). Each reads its parameters from a form (plain values, validated as the streaming views
validate them) and does its work in a worker."""

from django.utils import timezone

from accounts import roles
from jobs.kinds import JobKind, job_kind_register

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- Dataset exports (Export page) --------------------------------------------------------------------------


def _export_params(data):
    from reports import exports

    dataset = exports.DATASETS.get(data.get("dataset", ""))
    file_format = data.get("format", "")
    if dataset is None or file_format not in exports.FORMATS:
        return {}, "", ["Choose a dataset and a format (CSV or XLSX)."]
    filters, problems = exports.export_filters(data)
    described = ", ".join(f"{k} {v}" for k, v in filters.items() if v)
    title = f"{dataset.title} as {file_format.upper()}" + (f" ({described})" if described else "")
    return {"dataset": dataset.name, "format": file_format, "filters": filters}, title, problems


def _export_run(*, params, progress, output, by):
    from reports import exports

    dataset = exports.DATASETS[params["dataset"]]
    filters = params["filters"]
    progress(0, exports.export_count(dataset, filters), "Writing rows")
    with output.file(exports.export_filename(dataset, filters, params["format"])) as path:
        rows = exports.export_write(dataset, params["format"], filters, path, progress)
    progress(rows)
    return {"rows": rows, "message": f"{rows:,} rows written."}


job_kind_register(JobKind("export", "Data export", _export_run, roles.is_employee, _export_params))


# --- O&M report (PDF and XLSX) ------------------------------------------------------------------------------


def _om_params(data):
    from ccportal.quarters import QuarterError, quarter_current, quarter_parse_optional
    from customers.models import Site

    problems = []
    file_format = data.get("format", "")
    if file_format not in ("pdf", "xlsx"):
        problems.append("Choose PDF or XLSX.")
    try:
        quarter = quarter_parse_optional(data.get("quarter")) or quarter_current()
    except QuarterError as exc:
        problems.append(str(exc))
        quarter = None
    site = (data.get("site") or "").strip().upper()
    if site and not Site.objects.filter(code=site).exists():
        problems.append(f"{site!r} is not a site code.")
    title = f"O&M report {quarter} as {file_format.upper()}" + (f" (site {site})" if site else "")
    return {"quarter": str(quarter), "site": site, "format": file_format}, title, problems


def _om_run(*, params, progress, output, by):
    from ccportal.quarters import quarter_parse
    from reports.om_documents import om_report_filename, om_report_pdf, om_report_xlsx
    from reports.om_report import om_report_build

    progress(0, 2, "Gathering the report's figures")
    report = om_report_build(quarter=quarter_parse(params["quarter"]), site=params["site"] or None)
    progress(1, 2, "Writing the document")
    content = om_report_pdf(report) if params["format"] == "pdf" else om_report_xlsx(report)
    output.write_bytes(om_report_filename(report, params["format"]), content)
    progress(2, 2)
    return {"message": "Report written."}


job_kind_register(JobKind("om_report", "O&M report", _om_run, roles.is_employee, _om_params))


# --- Financial XLSX -----------------------------------------------------------------------------------------


def _financial_params(data):
    from customers.models import Site

    site = (data.get("site") or "").strip().upper()
    problems = [f"{site!r} is not a site code."] if site and not Site.objects.filter(code=site).exists() else []
    return {"site": site}, "Financial figures as XLSX" + (f" (site {site})" if site else ""), problems


def _financial_run(*, params, progress, output, by):
    from billing.financial import financial_xlsx

    progress(0, 1, "Gathering the figures")
    site = params["site"]
    output.write_bytes(f"financial{'-' + site if site else ''}.xlsx", financial_xlsx(site_code=site or None))
    progress(1, 1)
    return {"message": "Workbook written."}


job_kind_register(JobKind("financial_xlsx", "Financial XLSX", _financial_run, roles.is_employee, _financial_params))


# --- Payment import confirm ---------------------------------------------------------------------------------


def _payment_confirm_params(data):
    """Only queues: the claim (preview → posting) and the posting happen in the worker (_payment_confirm_run)."""
    from billing.models import PaymentImport
    from billing.services import payment_import_refusal

    payment_import = PaymentImport.objects.filter(pk=_int(data.get("payment_import"))).first()
    if payment_import is None:
        return {}, "", ["There is no such payment import."]
    problems = [] if payment_import.status == PaymentImport.Status.PREVIEW else [payment_import_refusal(payment_import)]
    return {"payment_import": payment_import.pk}, f"Post statement {payment_import.filename}", problems


def _payment_confirm_run(*, params, progress, output, by):
    from billing.models import PaymentImport
    from billing.selectors import payment_counts_text
    from billing.services import payment_import_confirm

    payment_import = PaymentImport.objects.get(pk=params["payment_import"])
    progress(0, payment_import.row_count or None, "Posting payments")
    counts = payment_import_confirm(payment_import=payment_import, by=by)
    total = sum(counts.get(k, 0) for k in ("posted", "unmatched", "duplicate", "ignored"))
    progress(total, total)
    message = payment_counts_text(counts)
    return {**{k: counts[k] for k in ("posted", "unmatched", "duplicate", "ignored")}, "message": message}


job_kind_register(
    JobKind(
        "payment_import_confirm",
        "Post a payment statement",
        _payment_confirm_run,
        roles.can_import_payments,
        _payment_confirm_params,
    )
)


# --- Rollups ------------------------------------------------------------------------------------------------


def _no_params(title):
    return lambda data: ({}, title, [])


def _rollups_rebuild_run(*, params, progress, output, by):
    from ccportal.rollup import ROLLUPS

    for done, rollup in enumerate(ROLLUPS):
        progress(done, len(ROLLUPS), f"Rebuilding {rollup.target._meta.db_table}")
        rollup.rebuild()
    progress(len(ROLLUPS), len(ROLLUPS))
    return {"message": f"Rebuilt {len(ROLLUPS)} rollups at {timezone.localtime():%H:%M}."}


def _rollups_check_run(*, params, progress, output, by):
    """Compare every rollup with its table; where one differs (written past the portal), rebuild that one."""
    from ccportal.rollup import ROLLUPS

    differing = {}
    for done, rollup in enumerate(ROLLUPS):
        progress(done, len(ROLLUPS), f"Checking {rollup.target._meta.db_table}")
        if found := rollup.differences():
            differing[rollup.name] = len(found)
            rollup.rebuild()
    progress(len(ROLLUPS), len(ROLLUPS))
    if not differing:
        return {"differing": {}, "message": "Every rollup equals its table."}
    listed = ", ".join(f"{name} ({count} cells)" for name, count in differing.items())
    return {"differing": differing, "message": f"Rebuilt the rollups that differed from their tables: {listed}."}


job_kind_register(
    JobKind(
        "rollups_rebuild",
        "Rebuild rollups",
        _rollups_rebuild_run,
        roles.can_rebuild_rollups,
        _no_params("Rebuild the report rollups"),
    )
)
job_kind_register(
    JobKind(
        "rollups_check", "Rollup check", _rollups_check_run, roles.can_rebuild_rollups, _no_params("Check the report rollups")
    )
)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
