"""Report pages: the Dashboard, the quarterly O&M report (page, XLSX, PDF) and the data exports."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from accounts import roles
from billing.selectors import payment_intake_status
from ccportal.quarters import QuarterError, quarter_current, quarter_parse_optional
from customers.models import Site
from reports import exports, selectors
from reports.om_documents import om_report_filename, om_report_pdf, om_report_xlsx
from reports.om_report import om_report_build, om_report_recent


@require_GET
@roles.require(roles.is_employee)
def dashboard(request):
    summary = selectors.dashboard_summary()
    context = {"summary": summary, "chart": _dashboard_chart(summary), "intake": payment_intake_status()}
    return render(request, "reports/dashboard.html", context)


def _dashboard_chart(summary):
    from ccportal import charts

    rows = [r for r in summary["sites"] if r["code"] != "—"]
    return charts.horizontal_bar_chart(
        [f"{r['code']} {r['name']}" for r in rows],
        {"MWh sold": [r["mwh"] for r in rows]},
        title="MWh sold per site",
        unit="MWh",
    )


def _om_choices(request):
    """(quarter, site, problems) from the query string; a bad value becomes a problem and the default, never an error."""
    problems = []
    try:
        quarter = quarter_parse_optional(request.GET.get("quarter"))
    except QuarterError as exc:
        problems.append(f"{exc} Showing the current quarter instead.")
        quarter = None
    site = (request.GET.get("site") or "").strip().upper() or None
    if site and not Site.objects.filter(code=site).exists():
        problems.append(f"{site[:10]!r} is not a site code; showing all sites.")
        site = None
    return quarter or quarter_current(), site, problems


def _om_page(request, quarter, site, problems):
    for problem in problems:
        messages.error(request, problem)
    report = om_report_recent(quarter=quarter, site=site)
    quarters = selectors.quarters_with_data()
    if quarter not in quarters:
        quarters = sorted([*quarters, quarter], reverse=True)
    context = {
        "report": report,
        "quarters": quarters,
        "sites": Site.objects.values_list("code", "name"),
        "download_query": urlencode({"quarter": str(quarter), **({"site": site} if site else {})}),
        "download_site": site or "",
        "job_formats": [("xlsx", "XLSX"), ("pdf", "PDF")],
        "figures_seconds": settings.CC_OM_REPORT_CACHE_SECONDS,
    }
    template = "reports/om.html"
    if request.htmx and not request.htmx.boosted:
        template = "reports/_om_report.html"
    return render(request, template, context)


@require_GET
@roles.require(roles.is_employee)
@vary_on_headers("HX-Request")
def om(request):
    return _om_page(request, *_om_choices(request))


@require_GET
@roles.require(roles.is_employee)
def om_download(request, file_format):
    if file_format not in ("xlsx", "pdf"):
        raise Http404("Unknown format")
    quarter, site, problems = _om_choices(request)
    if problems:
        # A file of another quarter than the one asked for would be mistaken for it: the page says what was wrong.
        response = _om_page(request, quarter, site, problems)
        response.status_code = 400
        return response
    report = om_report_build(quarter=quarter, site=site)
    if file_format == "xlsx":
        content = om_report_xlsx(report)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content = om_report_pdf(report, base_url=request.build_absolute_uri("/"))
        content_type = "application/pdf"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{om_report_filename(report, file_format)}"'
    return response


@require_GET
@roles.require(roles.is_employee)
def export(request):
    filters, problems = exports.export_filters(request.GET)
    return _export_page(request, filters, problems)


def _export_page(request, filters, problems):
    for problem in problems:
        messages.error(request, problem)
    context = {
        "datasets": exports.DATASETS.values(),
        "sites": Site.objects.values_list("code", "name"),
        "filters": filters,
        "query": "" if problems else urlencode({k: v for k, v in filters.items() if v}),
        "keep_days": settings.CC_EXPORT_KEEP_DAYS,
    }
    return render(request, "reports/export.html", context, status=400 if problems else 200)


@require_GET
@roles.require(roles.is_employee)
def export_download(request, dataset, file_format):
    spec = exports.DATASETS.get(dataset)
    if spec is None or file_format not in exports.FORMATS:
        raise Http404("Unknown dataset or format")
    filters, problems = exports.export_filters(request.GET)
    if problems:
        return _export_page(request, filters, problems)
    return exports.export_response(spec, file_format, filters)
