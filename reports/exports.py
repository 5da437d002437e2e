"""Data exports: the datasets staff can download (customers, meters, accounts, transactions, readings) as CSV
streamed in blocks or XLSX streamed into its zip (ccportal.xlsx), both in constant memory and a fixed number of
queries: rows come from the database as tuples (values_list, a server-side cursor where there is one)
and are reshaped a batch at a time, column by column. The same writers stream a small export at once or write a
file for a background job (export_write), reporting rows written as they go."""

import csv
import io
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice

from django.db.models import Q
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from billing.models import AccountHistory
from ccportal import bounds, xlsx
from ccportal.fields import date_read
from ccportal.normalize import site_code_from_account
from ccportal.spreadsheet import spreadsheet_text
from customers.models import AccountNumber, Customer, Meter, MeterReading, Site

CHUNK_SIZE = 2000  # rows fetched from the database cursor at a time
BATCH_ROWS = 500  # rows reshaped and written at a time: about 40-80 KB of CSV per block sent
XLSX_MAX_ROWS = 1_048_575  # Excel's limit less the header: the rest continues on another sheet
FORMATS = {"csv", "xlsx"}
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


class _SiteNames(dict):
    """Site name by site code as the rows spell it; a code not seen yet is upper-cased and looked up once."""

    def __init__(self, names):
        super().__init__()
        self.names = names

    def __missing__(self, code):
        name = self[code] = spreadsheet_text(self.names.get((code or "").upper(), ""))
        return name


def _field(model, path):
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model._meta.get_field(name)


def _conversions(dataset, paths, file_format):
    """Per ORM path, the function its values go through for ``file_format``, or None to use them as they are."""
    zone = timezone.get_current_timezone()

    def datetime_text(value):
        # isoformat is several times cheaper than strftime; "seconds" drops microseconds as "%S" did.
        return "" if value is None else value.astimezone(zone).isoformat(" ", "seconds")[:19]

    def datetime_naive(value):  # Excel has no time zones: local wall-clock time
        return None if value is None else value.astimezone(zone).replace(tzinfo=None)

    conversions = []
    for path in paths:
        kind = _field(dataset.model, path).get_internal_type()
        if kind == "DateTimeField":
            conversions.append(datetime_text if file_format == "csv" else datetime_naive)
        elif kind in ("CharField", "TextField"):
            conversions.append(spreadsheet_text)  # both formats: the XLSX writer also types it as a string
        else:
            conversions.append(None)
    return conversions


def _row_batches(dataset, filters, file_format):
    """Lists of at most BATCH_ROWS row tuples in the order of dataset.columns, values ready for the format."""
    for columns in _column_batches(dataset, filters, file_format):
        yield list(zip(*columns, strict=True))


def _column_batches(dataset, filters, file_format):
    """Batches of at most BATCH_ROWS rows as columns (one sequence per column of dataset.columns).

    Each batch is transposed (zip) so that a column needing a change costs one map over it and a column used as
    the database gives it costs no Python call at all; csv.writer writes None as an empty field and str() of a
    Decimal keeps the scale the database (or Django's SQLite converter) gives it."""
    paths = [path for _, path in dataset.columns if path not in (SITE, SITE_CODE)]
    site_index = paths.index(dataset.site_code_path)
    conversions = _conversions(dataset, paths, file_format)
    plan = [  # per output column: the placeholder, or (index in the query's tuple, conversion or None)
        path if path in (SITE, SITE_CODE) else (paths.index(path), conversions[paths.index(path)]) for _, path in dataset.columns
    ]
    site_names = _SiteNames(dict(Site.objects.values_list("code", "name")))
    records = dataset_queryset(dataset, filters).values_list(*paths).iterator(chunk_size=CHUNK_SIZE)
    while batch := list(islice(records, BATCH_ROWS)):
        columns = list(zip(*batch, strict=True))
        codes = columns[site_index]
        if dataset.site_code_is_account_suffix:
            codes = list(map(site_code_from_account, codes))
        out = []
        for step in plan:
            if step == SITE:
                out.append(list(map(site_names.__getitem__, codes)))
            elif step == SITE_CODE:  # derived from the account number, which legacy data may spell any way
                out.append(list(map(spreadsheet_text, codes)))
            elif step[1] is None:
                out.append(columns[step[0]])
            else:
                out.append(list(map(step[1], columns[step[0]])))
        yield out


def export_filename(dataset, filters, extension):
    parts = [dataset.name] + [filters[k] for k in ("site", "from", "to") if filters.get(k)]
    return f"{'-'.join(parts)}.{extension}"


def export_count(dataset, filters):
    """How many rows the export of ``dataset`` with ``filters`` holds (the total a job's progress counts to)."""
    return dataset_queryset(dataset, filters).count()


def export_response(dataset, file_format, filters):
    """A streaming download of ``dataset`` in ``file_format`` ("csv" or "xlsx")."""
    headers = [header for header, _ in dataset.columns]
    if file_format == "csv":
        response = StreamingHttpResponse(_csv_blocks(dataset, headers, filters), content_type="text/csv; charset=utf-8")
    else:
        handle = tempfile.TemporaryFile()
        _xlsx_write(dataset, headers, filters, handle)
        handle.seek(0)
        response = FileResponse(handle, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(dataset, filters, file_format)}"'
    return response


def export_write(dataset, file_format, filters, path, progress=None):
    """Write the export of ``dataset`` to the file ``path``; ``progress(rows_written)`` is called after each batch.
    Returns the number of rows written."""
    headers = [header for header, _ in dataset.columns]
    if file_format == "csv":
        counted = _Counter(progress)
        with open(path, "wb") as handle:
            for block in _csv_blocks(dataset, headers, filters, counted):
                handle.write(block)
        return counted.rows
    return _xlsx_write(dataset, headers, filters, str(path), progress)


class _Counter:
    def __init__(self, progress):
        self.progress, self.rows = progress, 0

    def __call__(self, rows):
        self.rows = rows
        if self.progress is not None:
            self.progress(rows)


def _csv_blocks(dataset, headers, filters, progress=None):
    """The CSV as UTF-8 blocks of one batch of rows each (tens of KB), not one line per block."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    yield ("\ufeff" + buffer.getvalue()).encode()  # the BOM makes Excel read UTF-8
    written = 0
    for batch in _row_batches(dataset, filters, "csv"):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(batch)
        yield buffer.getvalue().encode()
        written += len(batch)
        if progress is not None:
            progress(written)


def _column_kinds(dataset):
    """Per output column, how the XLSX writes it (ccportal.xlsx kinds): text is always written as text, never
    as a formula or a number."""
    kinds = []
    for _, path in dataset.columns:
        if path in (SITE, SITE_CODE):
            kinds.append(xlsx.TEXT)
            continue
        field = _field(dataset.model, path)
        kind = (field.target_field if field.is_relation else field).get_internal_type()
        if kind == "DateTimeField":
            kinds.append(xlsx.DATETIME)
        elif kind == "DateField":
            kinds.append(xlsx.DATE)
        elif kind == "BooleanField":
            kinds.append(xlsx.BOOL)
        elif kind in ("CharField", "TextField", "EmailField"):
            kinds.append(xlsx.TEXT)
        else:
            kinds.append(xlsx.NUMBER)
    return kinds


def _xlsx_write(dataset, headers, filters, target, progress=None):
    """Write the workbook to ``target`` (a path or a binary file) a batch at a time (ccportal.xlsx), in constant
    memory; a sheet holds XLSX_MAX_ROWS rows and the rest continue on the next. Returns the rows written."""
    kinds = _column_kinds(dataset)
    written, part = 0, 0
    with xlsx.XlsxStream(target) as book:

        def new_sheet():
            nonlocal part
            part += 1
            book.sheet(dataset.title[:28] + (f" {part}" if part > 1 else ""), headers, kinds)

        new_sheet()
        for columns in _column_batches(dataset, filters, "xlsx"):
            rows = len(columns[0])
            start = 0
            while start < rows:
                room = XLSX_MAX_ROWS + 1 - book.rows_in_sheet
                if room == 0:
                    new_sheet()
                    continue
                end = min(rows, start + room)
                book.write_columns([column[start:end] for column in columns] if (start, end) != (0, rows) else columns)
                start = end
            written += rows
            if progress is not None:
                progress(written)
    return written
