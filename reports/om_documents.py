"""The quarterly O&M report as files: an XLSX workbook (a sheet per table) and an A4 PDF (WeasyPrint)."""

import io
import logging

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ccportal.spreadsheet import spreadsheet_text

# WeasyPrint logs every layout step at INFO; the report does not need that in the server log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

NUMBER_FORMATS = {"int": "#,##0", "kwh": "#,##0.000", "mwh": "#,##0.000", "lsl": "#,##0.00", "ratio": "0.0000", "pct": "0.0"}


def _sheet_title(text, used):
    title = "".join(ch for ch in text if ch not in "[]:*?/\\")[:31] or "Sheet"
    base, n = title, 2
    while title in used:
        title = f"{base[:28]} {n}"
        n += 1
    used.add(title)
    return title


def om_report_xlsx(report):
    """Bytes of a workbook with one sheet per table of ``report`` (om_report_build), numbers as numbers."""
    workbook = Workbook(write_only=True)
    used = set()
    bold = Font(bold=True)
    for table in report["tables"]:
        sheet = workbook.create_sheet(_sheet_title(table.sheet, used))
        sheet.append([f"{table.title} — O&M report {report['quarter']}"])
        header = []
        for label, _ in table.columns:
            c = WriteOnlyCell(sheet, value=label)
            c.font = bold
            header.append(c)
        sheet.append(header)
        for row in [*table.rows, *([table.total] if table.total else [])]:
            cells = []
            for value, (_, kind) in zip(row, table.columns, strict=False):
                value = spreadsheet_text(value)  # site names and other text: never a formula
                c = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    c.data_type = "s"
                if kind in NUMBER_FORMATS and value not in (None, ""):
                    c.number_format = NUMBER_FORMATS[kind]
                if row is table.total:
                    c.font = bold
                cells.append(c)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def om_report_pdf_document(report, *, base_url=None):
    """The laid-out WeasyPrint document (pages) of the A4 PDF for ``report`` (om_report_build)."""
    from weasyprint import HTML

    html = render_to_string("reports/om_report_pdf.html", {**report, "generated_at": timezone.localtime()})
    return HTML(string=html, base_url=base_url).render()


def om_report_pdf(report, *, base_url=None):
    """Bytes of the A4 PDF "Operations & Maintenance Quarterly Report" for ``report`` (om_report_build)."""
    return om_report_pdf_document(report, base_url=base_url).write_pdf()


def om_report_filename(report, extension):
    return f"om-report-{str(report['quarter']).replace(' ', '-')}.{extension}"
