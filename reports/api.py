"""The O&M report API (/api/om-report/<name>): the old portal's paths, parameters and fields, corrected figures.

Every view is a thin wrapper over one selector in reports.selectors; OM_REPORT_ENDPOINTS maps each endpoint name
to that function (the benchmarks call them directly)."""

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from ccportal.quarters import QUARTER_FORM, QuarterError, quarter_parse_optional
from reports import selectors

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
DEFINITIONS = (
    "\n\nDefinitions: sales (LSL) = Σ `transaction amount` of payment rows (`payment` true); energy sold (kWh) = "
    "Σ `kwh value` of payment rows; a ledger row's site is the last 3 letters of its account number; a customer "
    "is active in a quarter when connected on or before its last day and not terminated before its first day. "
    "Quarters are written `2025 Q4` and listed in time order. Numbers are JSON numbers (LSL 2 places, kWh 3)."
)
QUARTER_PARAM = OpenApiParameter(
    "quarter", OpenApiTypes.STR, description=f"Optional quarter, {QUARTER_FORM}. A malformed value is a 400."
)
SITE_PARAM = OpenApiParameter("site", OpenApiTypes.STR, description="Optional 3-letter site code, e.g. MAK.")
ERROR_400 = inline_serializer("OmReportError", {"quarter": serializers.ListField(child=serializers.CharField())})


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


def _endpoint(name, *, quarter=False, site=False, summary, description, response):
    parameters = ([QUARTER_PARAM] if quarter else []) + ([SITE_PARAM] if site else [])
    selector = OM_REPORT_ENDPOINTS[name]

    @extend_schema(
        operation_id=f"om_report_{name.replace('-', '_')}",
        summary=summary,
        description=description + DEFINITIONS,
        parameters=parameters,
        responses={200: response, 400: ERROR_400} if parameters else {200: response},
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


def _obj(serializer_name, /, **fields):
    return inline_serializer(serializer_name, fields)


def _list(child):
    return serializers.ListField(child=child)


INT, NUM, STR = serializers.IntegerField, serializers.FloatField, serializers.CharField
NUM_MAP = serializers.DictField(child=NUM())

overview = _endpoint(
    "overview",
    summary="Portfolio overview",
    description=(
        "Customers on record, active customers (active in the current quarter), terminated customers (termination "
        "date on or before today), distinct site codes on customers, MWh sold and thousand LSL of sales over the "
        "whole ledger.\n\nDiffers from the old system: it summed every ledger row (consumption rows included) for "
        "MWh and LSL, and counted active as total − terminated."
    ),
    response=_obj(
        "OmOverview",
        total_customers=INT(),
        active_customers=INT(),
        terminated_customers=INT(),
        total_sites=INT(),
        sites=_list(STR()),
        total_mwh=NUM(),
        total_lsl_thousands=NUM(),
    ),
)
customer_stats = _endpoint(
    "customer-stats",
    quarter=True,
    summary="Customers per site",
    description=(
        "Per site (`Concession name`): total customers on record, active in the quarter, new (connected in the "
        "quarter), activation rate = active ÷ total × 100 (1 place). Without `quarter` the current quarter is used "
        "and named in the response.\n\nDiffers from the old system: `new` was always 0 without a quarter, and "
        "active meant merely 'no termination date'."
    ),
    response=_obj(
        "OmCustomerStats",
        sites=_list(_obj("OmCustomerStatsSite", concession=STR(), total=INT(), active=INT(), new=INT(), activation_rate=NUM())),
        totals=_obj("OmCustomerStatsTotals", total=INT(), active=INT(), new=INT()),
        quarter=STR(),
    ),
)
customer_growth = _endpoint(
    "customer-growth",
    summary="Connections per quarter",
    description=(
        "New connections per quarter of `DATE SERVICE CONNECTED`, every quarter from the first (0 where none), with "
        "the running total. Customers without a connection date are not counted; terminations are not subtracted."
    ),
    response=_obj(
        "OmCustomerGrowth",
        growth=_list(_obj("OmGrowthQuarter", quarter=STR(), new_customers=INT(), cumulative=INT())),
        total=INT(),
    ),
)
_SITE_QUARTERS = dict(site=STR(), name=STR(), quarters=NUM_MAP)
consumption_by_site = _endpoint(
    "consumption-by-site",
    quarter=True,
    site=True,
    summary="Energy sold per site and quarter",
    description=(
        "Energy sold (kWh) per site and quarter; `quarters` maps each quarter in the range to kWh, in time order."
        "\n\nDiffers from the old system: it summed `kwh value` of every ledger row, consumption rows included."
    ),
    response=_obj(
        "OmConsumptionBySite",
        sites=_list(_obj("OmConsumptionSite", total_kwh=NUM(), **_SITE_QUARTERS)),
        total_kwh=NUM(),
        source_table=STR(),
        quarter_filter=STR(allow_null=True),
    ),
)
sales_by_site = _endpoint(
    "sales-by-site",
    quarter=True,
    site=True,
    summary="Sales per site and quarter",
    description=(
        "Sales (LSL) per site and quarter; `quarters` maps each quarter in the range to LSL, in time order."
        "\n\nDiffers from the old system: it summed `transaction amount` of every ledger row, consumption rows "
        "included."
    ),
    response=_obj(
        "OmSalesBySite",
        sites=_list(_obj("OmSalesSite", total_lsl=NUM(), **_SITE_QUARTERS)),
        total_lsl=NUM(),
        source_table=STR(),
        quarter_filter=STR(allow_null=True),
    ),
)
cumulative_trends = _endpoint(
    "cumulative-trends",
    summary="Energy sold and sales per quarter, cumulative",
    description=(
        "Energy sold and sales per quarter (every quarter from the first sale, 0 where none) with running totals."
        "\n\nDiffers from the old system: payment rows only."
    ),
    response=_obj(
        "OmCumulativeTrends",
        trends=_list(_obj("OmTrendQuarter", quarter=STR(), kwh=NUM(), lsl=NUM(), cumulative_kwh=NUM(), cumulative_lsl=NUM())),
        source_table=STR(),
    ),
)
avg_consumption_trend = _endpoint(
    "avg-consumption-trend",
    summary="Average daily energy and sales per active customer",
    description=(
        "Per quarter from the first sale: customers = active customers in the quarter; avg_daily_kwh_per_customer = "
        "energy sold ÷ (customers × days) and avg_daily_lsl_per_customer = sales ÷ (customers × days), 4 places, "
        "where days = calendar days of the quarter (up to today for the current quarter).\n\nDiffers from the old "
        "system: it used all connections to date (terminations ignored) as customers, days with any transaction as "
        "days, every ledger row, and dropped quarters without a new connection."
    ),
    response=_obj(
        "OmAvgConsumptionTrend",
        trends=_list(
            _obj(
                "OmAvgQuarter",
                quarter=STR(),
                customers=INT(),
                total_kwh=NUM(),
                total_lsl=NUM(),
                avg_daily_kwh_per_customer=NUM(),
                avg_daily_lsl_per_customer=NUM(),
            )
        ),
        source_table=STR(),
    ),
)
site_overview = _endpoint(
    "site-overview",
    summary="Sites and their customers",
    description=(
        "Every site of the site list (name, code, district) with its customers on record, plus any site code found "
        "on customers but missing from the list.\n\nDiffers from the old system: names and districts come from the "
        "site table, not a hard-coded map, so no site is dropped."
    ),
    response=_obj(
        "OmSiteOverview",
        sites=_list(_obj("OmSite", concession=STR(), abbreviation=STR(), district=STR(), customer_count=INT())),
    ),
)
load_curves_by_type = _endpoint(
    "load-curves-by-type",
    quarter=True,
    summary="Energy sold and sales by customer type",
    description=(
        "Per customer type (the meter's `customer type`, else the customer's `CUSTOMER POSITION`, else Unknown) "
        "of accounts in `tblaccountnumbers`: energy sold, sales, customer_count = customers with a payment in the "
        "period; avg_daily_kwh = kWh ÷ days and avg_daily_kwh_per_customer = kWh ÷ (customers × days), days = "
        "calendar days of the quarter or of the quarters from the first to the last sale. `quarterly` stacks kWh by "
        "type per quarter.\n\nDiffers from the old system: payment rows only, and calendar days instead of days "
        "with a transaction."
    ),
    response=_obj(
        "OmLoadCurvesByType",
        curves=_list(
            _obj(
                "OmTypeCurve",
                type=STR(),
                total_kwh=NUM(),
                total_lsl=NUM(),
                customer_count=INT(),
                avg_daily_kwh=NUM(),
                avg_daily_kwh_per_customer=NUM(),
            )
        ),
        quarterly=_list(serializers.DictField()),
        customer_types=_list(STR()),
        total_typed_customers=INT(),
        source_table=STR(),
        meter_source=STR(),
        quarter_filter=STR(allow_null=True),
    ),
)
daily_load_profiles = _endpoint(
    "daily-load-profiles",
    quarter=True,
    site=True,
    summary="24-hour load profile by customer type",
    description=(
        "Mean power (kW) of the 10-minute readings (`tblmeterdata1`) per hour of day (Africa/Maseru) for each "
        "meter type (meter `customer type`, else the customer's), with the peak hour; meter_count = meters of the "
        "type with readings. `chart_data` has one row per hour with a column per type. Readings of meters not in "
        "`tblmeter` are left out. `quarter` is an addition (the old system read every reading)."
    ),
    response=_obj(
        "OmDailyLoadProfiles",
        profiles=_list(
            _obj(
                "OmProfile",
                type=STR(),
                meter_count=INT(),
                hourly=_list(_obj("OmHour", hour=INT(), avg_kw=NUM(), readings=INT())),
                peak_hour=INT(),
                peak_kw=NUM(),
            )
        ),
        chart_data=_list(serializers.DictField()),
        customer_types=_list(STR()),
        total_readings=INT(),
        meter_source=STR(),
        site_filter=STR(allow_null=True),
        quarter_filter=STR(allow_null=True),
    ),
)
arpu = _endpoint(
    "arpu",
    summary="ARPU per quarter and site",
    description=(
        "Per quarter from the first sale: total_revenue = sales, active_customers = customers active in the quarter, "
        "arpu = sales ÷ active (2 places, 0 without active customers); per_site gives the same for each site code "
        "(sales by account suffix, customers by `Concession name`).\n\nDiffers from the old system: it summed every "
        "ledger row as revenue, compared quarters as text and dropped sites missing from a hard-coded map."
    ),
    response=_obj(
        "OmArpu",
        arpu=_list(
            _obj(
                "OmArpuQuarter",
                quarter=STR(),
                total_revenue=NUM(),
                active_customers=INT(),
                arpu=NUM(),
                per_site=serializers.DictField(child=_obj("OmArpuSite", name=STR(), revenue=NUM(), customers=INT(), arpu=NUM())),
            )
        ),
        site_codes=_list(STR()),
        site_names=serializers.DictField(child=STR()),
        source_table=STR(),
    ),
)
_GVC = dict(generated_kwh=NUM(), sold_kwh=NUM(), metered_kwh=NUM(), readings_kwh=NUM(), loss_ratio=NUM(allow_null=True))
generation_vs_consumption = _endpoint(
    "generation-vs-consumption",
    quarter=True,
    site=True,
    summary="Generation against energy sold and metered (new)",
    description=(
        "Per site and month (YYYY-MM): generated_kwh = Σ imported daily generation (`manage.py import_generation`); "
        "sold_kwh = energy sold; metered_kwh = −Σ `kwh value` of consumption rows (payment false); readings_kwh = "
        "Σ kW × 10 minutes of the meter readings; loss_ratio = (generated − metered) ÷ generated, 4 places, null "
        "without generation. New: the old system had no such endpoint."
    ),
    response=_obj(
        "OmGenerationVsConsumption",
        rows=_list(_obj("OmGenerationMonth", site=STR(), name=STR(), month=STR(), **_GVC)),
        totals=_obj("OmGenerationTotals", **_GVC),
        site_filter=STR(allow_null=True),
        quarter_filter=STR(allow_null=True),
    ),
)

VIEWS = {
    "overview": overview,
    "customer-stats": customer_stats,
    "customer-growth": customer_growth,
    "consumption-by-site": consumption_by_site,
    "sales-by-site": sales_by_site,
    "cumulative-trends": cumulative_trends,
    "avg-consumption-trend": avg_consumption_trend,
    "site-overview": site_overview,
    "load-curves-by-type": load_curves_by_type,
    "daily-load-profiles": daily_load_profiles,
    "arpu": arpu,
    "generation-vs-consumption": generation_vs_consumption,
}
