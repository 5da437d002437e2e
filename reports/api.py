"""The O&M report API (/api/om-report/<name>): the old portal's paths, parameters and fields, corrected figures.

Every view is a thin wrapper over one selector in reports.selectors; OM_REPORT_ENDPOINTS maps each endpoint name
to that function (the benchmarks call them directly), VIEWS to its view with the optional parameters it takes.
What the schema says of each is in reports.api_docs."""

import re

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from ccportal.quarters import QuarterError, quarter_parse_optional
from reports import selectors
from reports.api_docs import ERROR_400, OM_REPORT_DOCS, QUARTER_PARAM, SITE_PARAM

OM_REPORT_ENDPOINTS = {
    "overview": selectors.om_report_overview,
    "customer-stats": selectors.om_report_customer_stats,
    "customer-growth": selectors.om_report_customer_growth,
    "consumption-by-site": selectors.om_report_consumption_by_site,
    "sales-by-site": selectors.om_report_sales_by_site,
    "cumulative-trends": selectors.om_report_cumulative_trends,
    "avg-consumption-trend": selectors.om_report_avg_consumption_trend,
    "site-overview": selectors.om_report_site_overview,
    "load-curves-by-type": selectors.om_report_load_curves_by_type,
    "daily-load-profiles": selectors.om_report_daily_load_profiles,
    "arpu": selectors.om_report_arpu,
    "generation-vs-consumption": selectors.om_report_generation_vs_consumption,
}

SITE_RE = re.compile(r"^[A-Za-z]{2,4}$")


def _params(request, *, quarter=False, site=False):
    """Parse the optional quarter and site; returns (kwargs, errors)."""
    kwargs, errors = {}, {}
    if quarter:
        try:
            kwargs["quarter"] = quarter_parse_optional(request.query_params.get("quarter"))
        except QuarterError as exc:
            errors["quarter"] = [str(exc)]
    if site:
        code = (request.query_params.get("site") or "").strip()
        if code and not SITE_RE.match(code):
            errors["site"] = [f"{code!r} is not a site code; expected 2 to 4 letters, e.g. MAK."]
        kwargs["site"] = code.upper() or None
    return kwargs, errors


def _endpoint(name, *, quarter=False, site=False):
    parameters = ([QUARTER_PARAM] if quarter else []) + ([SITE_PARAM] if site else [])
    selector = OM_REPORT_ENDPOINTS[name]
    docs = OM_REPORT_DOCS[name]

    @extend_schema(
        operation_id=f"om_report_{name.replace('-', '_')}",
        summary=docs["summary"],
        description=docs["description"],
        parameters=parameters,
        responses={200: docs["response"], 400: ERROR_400} if parameters else {200: docs["response"]},
        tags=["om-report"],
    )
    @api_view(["GET"])
    @permission_classes([IsAuthenticated])
    def view(request):
        kwargs, errors = _params(request, quarter=quarter, site=site)
        if errors:
            return Response(errors, status=400)
        return Response(selector(**kwargs))

    view.__name__ = view.cls.__name__ = f"om_report_{name.replace('-', '_')}"
    return view


VIEWS = {
    "overview": _endpoint("overview"),
    "customer-stats": _endpoint("customer-stats", quarter=True),
    "customer-growth": _endpoint("customer-growth"),
    "consumption-by-site": _endpoint("consumption-by-site", quarter=True, site=True),
    "sales-by-site": _endpoint("sales-by-site", quarter=True, site=True),
    "cumulative-trends": _endpoint("cumulative-trends"),
    "avg-consumption-trend": _endpoint("avg-consumption-trend"),
    "site-overview": _endpoint("site-overview"),
    "load-curves-by-type": _endpoint("load-curves-by-type", quarter=True),
    "daily-load-profiles": _endpoint("daily-load-profiles", quarter=True, site=True),
    "arpu": _endpoint("arpu"),
    "generation-vs-consumption": _endpoint("generation-vs-consumption", quarter=True, site=True),
}
