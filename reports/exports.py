"""Data exports: the datasets of reports.datasets as CSV streamed in blocks or XLSX streamed into its zip
(ccportal.xlsx), both in constant memory and a fixed number of queries: rows come from the database as tuples
(values_list, a server-side cursor where there is one) and are reshaped a batch at a time, column by column. The
same writers stream a small export at once or write a file for a background job (export_write), reporting rows
written as they go."""

import csv
import io
import tempfile
from itertools import islice

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from ccportal import xlsx
from ccportal.normalize import site_code_from_account
from ccportal.spreadsheet import spreadsheet_text
from customers.models import Site
from reports.datasets import DATASETS, SITE, SITE_CODE, dataset_queryset, export_filters

# The exports' surface (jobs.runners, the views): the datasets and their filters too.
__all__ = [
    "DATASETS",
    "FORMATS",
    "dataset_queryset",
    "export_count",
    "export_filename",
    "export_filters",
    "export_response",
    "export_write",
]

CHUNK_SIZE = 2000  # rows fetched from the database cursor at a time
BATCH_ROWS = 500  # rows reshaped and written at a time: about 40-80 KB of CSV per block sent
XLSX_MAX_ROWS = 1_048_575  # Excel's limit less the header: the rest continues on another sheet
FORMATS = {"csv", "xlsx"}


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
