"""The OpenAPI documentation of the O&M report API (reports.api): each endpoint's summary, its description (saying
where a figure differs from the old system's, SPEC §4) and its response fields, and the parameters and errors."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers

from ccportal.quarters import QUARTER_FORM

DEFINITIONS = (
    "\n\nDefinitions: sales (LSL) = Σ `transaction amount` of payment rows (`payment` true); energy sold (kWh) = "
    "Σ `kwh value` of payment rows; a ledger row's site is the last 3 letters of its account number; a customer "
    "is active in a quarter when connected on or before its last day and not terminated before its first day. "
    "Quarters are written `2025 Q4` and listed in time order (the old system sorted them as text). Numbers are "
    "JSON numbers (LSL 2 places, kWh 3). Every answer has all its keys, also on an empty database (the old system "
    "answered an `error` or a `note` key instead)."
)
QUARTER_PARAM = OpenApiParameter(
    "quarter", OpenApiTypes.STR, description=f"Optional quarter, {QUARTER_FORM}. A malformed value is a 400."
)
SITE_PARAM = OpenApiParameter("site", OpenApiTypes.STR, description="Optional 3-letter site code, e.g. MAK.")
ERROR_400 = inline_serializer(
    "OmReportError",
    {
        "quarter": serializers.ListField(child=serializers.CharField(), required=False),
        "site": serializers.ListField(child=serializers.CharField(), required=False),
        "detail": serializers.CharField(help_text="The messages in one sentence (ccportal.api_errors)."),
    },
)

OM_REPORT_DOCS = {}  # endpoint name -> {summary, description, response}


def _document(name, *, summary, description, response):
    OM_REPORT_DOCS[name] = {"summary": summary, "description": description + DEFINITIONS, "response": response}


def _obj(serializer_name, /, **fields):
    return inline_serializer(serializer_name, fields)


def _list(child):
    return serializers.ListField(child=child)


def _described(field, description):
    """``field`` with a description (kept in its arguments too: serializers rebuild their fields from them)."""
    field.help_text = field._kwargs["help_text"] = description
    return field


INT, NUM, STR = serializers.IntegerField, serializers.FloatField, serializers.CharField
# Field descriptions that say where a figure differs from the old system's (original-system-spec §2.7, §3.1).
PAYMENT_ROWS_ONLY = "payment rows only (the old system summed every ledger row, consumption rows included)"
EVERY_QUARTER = (
    "every quarter from the first to the last, in time order, 0 where none (the old system listed only quarters with data)"
)
ACTIVE_IN_QUARTER = (
    "customers active in the quarter (SPEC §4): connected on or before its last day and not terminated before its "
    "first day, so a customer terminated during the quarter still counts in it (the old system left them out and "
    "compared quarters as text)"
)


_document(
    "overview",
    summary="Portfolio overview",
    description=(
        "Customers on record, active customers (total − terminated, as the old system), terminated customers (with "
        "a termination date), distinct site codes on customers, MWh sold and thousand LSL of sales over the whole "
        "ledger.\n\nDiffers from the old system: MWh and LSL count payment rows only (it summed every ledger row)."
    ),
    response=_obj(
        "OmOverview",
        total_customers=INT(help_text="Customers on record (`tblcustomer`)."),
        active_customers=INT(help_text="total_customers − terminated_customers, as the old system."),
        terminated_customers=INT(help_text="Customers with a `DATE SERVICE TERMINATED`, whatever the date."),
        total_sites=INT(help_text="Number of distinct site codes (`Concession name`) on customers."),
        sites=_list(STR(help_text="Site code, upper case.")),
        total_mwh=NUM(help_text=f"Σ `kwh value` ÷ 1000 (3 places) of {PAYMENT_ROWS_ONLY}."),
        total_lsl_thousands=NUM(help_text=f"Σ `transaction amount` ÷ 1000 (2 places) of {PAYMENT_ROWS_ONLY}."),
    ),
)
_document(
    "customer-stats",
    summary="Customers per site",
    description=(
        "Per site (`Concession name`): customers on record, active, new and activation rate = active ÷ total × 100 "
        "(1 place). With `quarter`: active in the quarter and connected in it. Without `quarter`: all time, as the "
        "old system — active = not terminated, new = every customer with a connection date — and "
        '`"quarter": null`.\n\nDiffers from the old system: with a quarter, active meant merely \'no termination '
        "date'; without one, `new` was always 0; customers without a site were left out (here: `Unknown`)."
    ),
    response=_obj(
        "OmCustomerStats",
        sites=_list(
            _obj(
                "OmCustomerStatsSite",
                concession=STR(help_text="The site code, or `Unknown` for customers without one (the old system left them out)."),
                total=INT(),
                active=INT(
                    help_text="With `quarter`: " + ACTIVE_IN_QUARTER + ". Without: customers with no "
                    "termination date, as the old system."
                ),
                new=INT(
                    help_text="With `quarter`: connected in it. Without: every customer with a connection date "
                    "(the old system answered 0)."
                ),
                activation_rate=NUM(help_text="active ÷ total × 100, 1 place."),
            )
        ),
        totals=_obj("OmCustomerStatsTotals", total=INT(), active=INT(), new=INT()),
        quarter=STR(allow_null=True, help_text="The quarter asked for (`2025 Q4`), or null for all time."),
    ),
)
_document(
    "customer-growth",
    summary="Connections per quarter",
    description=(
        "New connections per quarter of `DATE SERVICE CONNECTED` with the running total. Customers without a "
        "connection date are not counted; terminations are not subtracted (as the old system).\n\nDiffers from the "
        "old system: quarters without a connection are listed with 0."
    ),
    response=_obj(
        "OmCustomerGrowth",
        growth=_described(
            _list(_obj("OmGrowthQuarter", quarter=STR(), new_customers=INT(), cumulative=INT())),
            f"One entry per quarter: {EVERY_QUARTER}.",
        ),
        total=INT(help_text="Customers with a connection date."),
    ),
)
_SITE_QUARTERS = dict(
    site=STR(help_text="Site code: the last 3 letters of the account number."),
    name=STR(help_text="The site's name from the site list (the code when not listed)."),
    quarters=serializers.DictField(
        child=NUM(), help_text=f"Quarter → figure for {EVERY_QUARTER}; with `quarter`, that quarter only."
    ),
)


def _document_by_site(name, *, noun, serializer, total, column, places):
    """consumption-by-site and sales-by-site: the same shape, one figure (``total``, Σ ``column``) apiece."""
    total_text = f"Σ `{column}` of {PAYMENT_ROWS_ONLY}."
    _document(
        name,
        summary=f"{noun} per site and quarter",
        description=(
            f"{noun} ({places}) per site and quarter.\n\nDiffers from the old system: it summed `{column}` of every "
            "ledger row, consumption rows included, listed only quarters with data, and answered an `error` instead "
            "of an empty list when the ledger was empty."
        ),
        response=_obj(
            f"{serializer}BySite",
            sites=_list(_obj(f"{serializer}Site", **{total: NUM(help_text=total_text)}, **_SITE_QUARTERS)),
            **{total: NUM(help_text=total_text)},
            source_table=STR(),
            quarter_filter=STR(allow_null=True),
        ),
    )


_document_by_site(
    "consumption-by-site",
    noun="Energy sold",
    serializer="OmConsumption",
    total="total_kwh",
    column="kwh value",
    places="kWh, 3 places",
)
_document_by_site(
    "sales-by-site", noun="Sales", serializer="OmSales", total="total_lsl", column="transaction amount", places="LSL, 2 places"
)
_document(
    "cumulative-trends",
    summary="Energy sold and sales per quarter, cumulative",
    description=(
        "Energy sold and sales per quarter with running totals.\n\nDiffers from the old system: payment rows only, "
        "and quarters without sales are listed with 0."
    ),
    response=_obj(
        "OmCumulativeTrends",
        trends=_described(
            _list(
                _obj(
                    "OmTrendQuarter",
                    quarter=STR(),
                    kwh=NUM(help_text=f"Energy sold in the quarter: {PAYMENT_ROWS_ONLY}."),
                    lsl=NUM(help_text=f"Sales in the quarter: {PAYMENT_ROWS_ONLY}."),
                    cumulative_kwh=NUM(),
                    cumulative_lsl=NUM(),
                )
            ),
            f"One entry per quarter: {EVERY_QUARTER}.",
        ),
        source_table=STR(),
    ),
)
_document(
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
        trends=_described(
            _list(
                _obj(
                    "OmAvgQuarter",
                    quarter=STR(),
                    customers=INT(
                        help_text=ACTIVE_IN_QUARTER[0].upper() + ACTIVE_IN_QUARTER[1:] + "; the old system "
                        "counted every connection to date, terminations ignored."
                    ),
                    total_kwh=NUM(help_text=f"Energy sold: {PAYMENT_ROWS_ONLY}."),
                    total_lsl=NUM(help_text=f"Sales: {PAYMENT_ROWS_ONLY}."),
                    avg_daily_kwh_per_customer=NUM(
                        help_text="total_kwh ÷ (customers × calendar days of the quarter, "
                        "up to today); the old system divided by the days with a transaction."
                    ),
                    avg_daily_lsl_per_customer=NUM(help_text="total_lsl ÷ (customers × calendar days), as above."),
                )
            ),
            "One entry per quarter from the first to the last sale (the old system dropped quarters without a new connection).",
        ),
        source_table=STR(),
    ),
)
_document(
    "site-overview",
    summary="Sites and their customers",
    description=(
        "Every site of the site list (name, code, district) with its customers on record, then any site code found "
        "on customers but missing from the list.\n\nDiffers from the old system: names and districts come from the "
        "site table, not a hard-coded map, so no site is dropped, and sites without customers are listed with 0."
    ),
    response=_obj(
        "OmSiteOverview",
        sites=_list(
            _obj(
                "OmSite",
                concession=STR(
                    help_text="The site's name, e.g. `Ha Makebe` (the old system echoed `Concession "
                    "name`, which holds the code); the code for a site missing from the site list."
                ),
                abbreviation=STR(help_text="The 3-letter site code."),
                district=STR(),
                customer_count=INT(),
            )
        ),
    ),
)
_document(
    "load-curves-by-type",
    summary="Energy sold and sales by customer type",
    description=(
        "Per customer type (the meter's `customer type`, else the customer's `CUSTOMER POSITION`, else Unknown) "
        "of accounts in `tblaccountnumbers`: energy sold, sales, customer_count = customers with a payment in the "
        "period; avg_daily_kwh = kWh ÷ days and avg_daily_kwh_per_customer = kWh ÷ (customers × days), days = "
        "calendar days of the quarter or of the quarters from the first to the last sale. `quarterly` stacks kWh by "
        "type per quarter.\n\nDiffers from the old system: payment rows only, calendar days instead of days "
        "with a transaction, the customer's type when the meter has none, and accounts without any type counted "
        "under `Unknown` instead of left out."
    ),
    response=_obj(
        "OmLoadCurvesByType",
        curves=_list(
            _obj(
                "OmTypeCurve",
                type=STR(),
                total_kwh=NUM(help_text=f"Energy sold: {PAYMENT_ROWS_ONLY}."),
                total_lsl=NUM(help_text=f"Sales: {PAYMENT_ROWS_ONLY}."),
                customer_count=INT(help_text="Customers of the type with a payment in the period."),
                avg_daily_kwh=NUM(help_text="total_kwh ÷ calendar days of the period (the old system: days with a transaction)."),
                avg_daily_kwh_per_customer=NUM(help_text="total_kwh ÷ (customer_count × calendar days)."),
            )
        ),
        quarterly=_described(
            _list(serializers.DictField()),
            "{quarter, <TYPE>: kWh…} per quarter; without `quarter`, " + EVERY_QUARTER + ".",
        ),
        customer_types=_list(STR()),
        total_typed_customers=INT(
            help_text="Accounts in `tblaccountnumbers` whose type is known (meter type, else "
            "customer type), whatever the period, as the old system counted accounts with a meter type."
        ),
        source_table=STR(),
        meter_source=STR(),
        quarter_filter=STR(allow_null=True),
    ),
)
_document(
    "daily-load-profiles",
    summary="24-hour load profile by customer type",
    description=(
        "Mean power (kW) of the 10-minute readings (`tblmeterdata1`) per hour of day (Africa/Maseru) for each "
        "meter type (meter `customer type`, else the customer's), with the peak hour; meter_count = meters of the "
        "type with readings. `chart_data` has one row per hour with a column per type. Readings of meters not in "
        "`tblmeter` are left out, as before.\n\nDiffers from the old system: the customer's type stands in for a "
        "meter without one, kW have 3 places (it gave 4), and `quarter` is an addition (it read every reading)."
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
        quarter_filter=STR(allow_null=True, help_text="An addition: the old system had no quarter filter here."),
    ),
)
_document(
    "arpu",
    summary="ARPU per quarter and site",
    description=(
        "Per quarter from the first sale: total_revenue = sales, active_customers = customers active in the quarter, "
        "arpu = sales ÷ active (2 places, 0 without active customers); per_site gives the same for each site code "
        "(sales by account suffix, customers by `Concession name`).\n\nDiffers from the old system: it summed every "
        "ledger row as revenue, compared quarters as text, left a customer out of the quarter of their termination, "
        "listed only quarters with revenue and dropped sites missing from a hard-coded map."
    ),
    response=_obj(
        "OmArpu",
        arpu=_described(
            _list(
                _obj(
                    "OmArpuQuarter",
                    quarter=STR(),
                    total_revenue=NUM(help_text=f"Sales in the quarter: {PAYMENT_ROWS_ONLY}."),
                    active_customers=INT(help_text=ACTIVE_IN_QUARTER[0].upper() + ACTIVE_IN_QUARTER[1:] + "."),
                    arpu=NUM(help_text="total_revenue ÷ active_customers, 2 places; 0 without active customers."),
                    per_site=_described(
                        serializers.DictField(child=_obj("OmArpuSite", name=STR(), revenue=NUM(), customers=INT(), arpu=NUM())),
                        "Site code → the same figures, for every site with sales or active customers in any quarter "
                        "(the old system: sites with revenue in that quarter and in its hard-coded map).",
                    ),
                )
            ),
            f"One entry per quarter: {EVERY_QUARTER}.",
        ),
        site_codes=_list(STR()),
        site_names=serializers.DictField(child=STR()),
        source_table=STR(),
    ),
)
_GVC = dict(generated_kwh=NUM(), sold_kwh=NUM(), metered_kwh=NUM(), readings_kwh=NUM(), loss_ratio=NUM(allow_null=True))
_document(
    "generation-vs-consumption",
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
