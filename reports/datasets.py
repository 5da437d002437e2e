"""What staff can export: the datasets (customers, meters, accounts, transactions, readings) with their columns,
and the site, date and text filters of an export as a queryset (reports.exports writes them)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from billing.models import AccountHistory
from ccportal import bounds
from ccportal.fields import date_read
from customers.models import AccountNumber, Customer, Meter, MeterReading, Site

SITE = "__site_name__"  # placeholder column: the name of the row's site, from the site list
SITE_CODE = "__site_code__"  # placeholder column: the row's site code, when it is derived (see Dataset)


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    description: str
    model: type
    columns: tuple  # (header, ORM path, SITE or SITE_CODE); both placeholders read the column site_code_path
    site_filter: str
    site_code_path: str
    date_path: str
    date_is_datetime: bool
    search_paths: tuple
    order_by: tuple
    id_search: str = ""
    site_code_is_account_suffix: bool = False  # the site code is the last three letters of an account number


DATASETS = {
    d.name: d
    for d in [
        Dataset(
            "customers",
            "Customers",
            "tblcustomer: every customer with contact details, site, type, connection and termination dates.",
            Customer,
            (
                ("CUSTOMER ID", "customer_id"),
                ("FIRST NAME", "first_name"),
                ("MIDDLE NAME", "middle_name"),
                ("LAST NAME", "last_name"),
                ("PHONE", "phone"),
                ("CELL PHONE 1", "cell_phone_1"),
                ("CELL PHONE 2", "cell_phone_2"),
                ("EMAIL", "email"),
                ("PLOT NUMBER", "plot_number"),
                ("STREET ADDRESS", "street_address"),
                ("CITY", "city"),
                ("DISTRICT", "district"),
                ("Site code", "site_code"),
                ("Site name", SITE),
                ("CUSTOMER TYPE", "customer_type"),
                ("DATE SERVICE CONNECTED", "date_service_connected"),
                ("DATE SERVICE TERMINATED", "date_service_terminated"),
                ("ID NUMBER", "national_id"),
                ("GENDER", "gender"),
                ("GPS X (longitude)", "gps_x"),
                ("GPS Y (latitude)", "gps_y"),
                ("COUNTRY", "country"),
                ("RECORD CREATE DATE", "record_create_date"),
                ("RECORD CREATED BY", "record_created_by"),
            ),
            site_filter="site_code",
            site_code_path="site_code",
            date_path="date_service_connected",
            date_is_datetime=False,
            search_paths=("first_name", "last_name", "phone", "cell_phone_1", "plot_number", "national_id"),
            order_by=("customer_id",),
            id_search="customer_id",
        ),
        Dataset(
            "meters",
            "Meters",
            "tblmeter: meter serial, customer, account, type, site, village, GPS, status and connection date.",
            Meter,
            (
                ("meterid", "meterid"),
                ("customer id", "customer_id"),
                ("customer first name", "customer__first_name"),
                ("customer last name", "customer__last_name"),
                ("accountnumber", "accountnumber"),
                ("customer type", "customer_type"),
                ("Site code", "community"),
                ("Site name", SITE),
                ("Village name", "village_name"),
                ("current status", "current_status"),
                ("customer connect date", "customer_connect_date"),
                ("latitude", "latitude"),
                ("longitude", "longitude"),
            ),
            site_filter="community",
            site_code_path="community",
            date_path="customer_connect_date",
            date_is_datetime=False,
            search_paths=("meterid", "accountnumber", "village_name", "customer__first_name", "customer__last_name"),
            order_by=("meterid",),
        ),
        Dataset(
            "accounts",
            "Accounts",
            "tblaccountnumbers: account number with its customer, meter, site and opening date.",
            AccountNumber,
            (
                ("accountnumber", "accountnumber"),
                ("customerid", "customer_id"),
                ("customer first name", "customer__first_name"),
                ("customer last name", "customer__last_name"),
                ("meterid", "meter_id"),
                ("Site code", "community"),
                ("Site name", SITE),
                ("opened date", "opened_date"),
                ("created by", "created_by"),
            ),
            site_filter="community",
            site_code_path="community",
            date_path="opened_date",
            date_is_datetime=True,
            search_paths=("accountnumber", "meter__meterid", "customer__first_name", "customer__last_name"),
            order_by=("accountnumber",),
        ),
        Dataset(
            "transactions",
            "Transactions",
            "tblaccounthistory1: every ledger row (payments and consumption) with amount, rate, kWh and balance.",
            AccountHistory,
            (
                ("ID", "id"),
                ("accountnumber", "accountnumber"),
                ("Site code", SITE_CODE),
                ("Site name", SITE),
                ("meterid", "meterid"),
                ("transaction date", "transaction_date"),
                ("payment", "payment"),
                ("transaction amount (LSL)", "transaction_amount"),
                ("rate used (LSL/kWh)", "rate_used"),
                ("kwh value", "kwh_value"),
                ("current balance (kWh)", "current_balance"),
            ),
            site_filter="accountnumber__iendswith",
            site_code_path="accountnumber",
            date_path="transaction_date",
            date_is_datetime=True,
            search_paths=("accountnumber", "meterid"),
            order_by=("transaction_date", "id"),  # a date range is an index range scan on `transaction date`
            site_code_is_account_suffix=True,
        ),
        Dataset(
            "readings",
            "Meter readings",
            "tblmeterdata1: 10-minute power readings (kW) per meter.",
            MeterReading,
            (
                ("ID", "id"),
                ("meterid", "meterid"),
                ("Site code", "community"),
                ("Site name", SITE),
                ("whdatetime", "whdatetime"),
                ("powerkW", "power_kw"),
            ),
            site_filter="community",
            site_code_path="community",
            date_path="whdatetime",
            date_is_datetime=True,
            search_paths=("meterid",),
            order_by=("whdatetime", "id"),
        ),
    ]
}


def export_filters(params):
    """({site, from, to, q} as text, [problems]) from a query string; problems are messages for people."""
    values = {key: (params.get(key) or "").strip() for key in ("site", "from", "to", "q")}
    problems = []
    if values["site"]:
        values["site"] = values["site"].upper()
        if not Site.objects.filter(code=values["site"]).exists():
            problems.append(f"Site {values['site'][:40]!r} is not a site code; choose one from the list.")
    for key in ("from", "to"):
        if values[key]:
            try:
                day = date_read(values[key])
            except ValueError:
                problems.append(f"'{key}' must be a date written YYYY-MM-DD or DD/MM/YYYY, not {values[key][:40]!r}.")
                continue
            values[key] = day.isoformat()  # links, job parameters and file names carry one form
            try:
                bounds.date_check(day, label=f"'{key}'", within=bounds.EFFECTIVE)
            except bounds.BoundsError as exc:
                problems.append(str(exc))
    if not problems and values["from"] and values["to"] and values["from"] > values["to"]:
        problems.append("'from' is after 'to'.")
    if len(values["q"]) > 100:
        problems.append("The search text is longer than 100 characters.")
    return values, problems


def dataset_queryset(dataset, filters):
    """The rows of ``dataset`` matching ``filters`` (validated by export_filters)."""
    rows = dataset.model.objects.all()
    if filters.get("site"):
        rows = rows.filter(**{dataset.site_filter: filters["site"]})
    for key, lookup, shift in (("from", "gte", 0), ("to", "lt", 1)):
        if filters.get(key):
            day = date.fromisoformat(filters[key]) + timedelta(days=shift)
            if dataset.date_is_datetime:
                rows = rows.filter(**{f"{dataset.date_path}__{lookup}": timezone.make_aware(datetime.combine(day, time.min))})
            else:
                rows = rows.filter(**{f"{dataset.date_path}__{lookup}": day})
    text = filters.get("q")
    if text:
        condition = Q()
        for path in dataset.search_paths:
            condition |= Q(**{f"{path}__icontains": text})
        if dataset.id_search and text.isdigit() and len(text) < 10:
            condition |= Q(**{dataset.id_search: int(text)})
        rows = rows.filter(condition)
    return rows.order_by(*dataset.order_by)
