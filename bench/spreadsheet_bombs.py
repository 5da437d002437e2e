"""Hostile and maximal uploads, built in memory (nothing big is committed): the two decompression bombs of
issue #16 and the largest M-Pesa statement an upload may be. Used by tests/ccportal/test_upload_bounds.py and by
bench/upload_bounds.py."""

import io
import zipfile

_MB = 1024 * 1024


_MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'xmlns:r="{_REL}"><sheets><sheet name="Statement" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    ),
}


def _workbook(*, sheet, shared_strings):
    """Bytes of a minimal one-sheet .xlsx whose sheet and shared-strings parts are written by the two callables
    (each gets a binary file, streamed into the zip: the unpacked parts are never whole in memory)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        for name, write in (("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", shared_strings)):
            with archive.open(name, "w", force_zip64=True) as handle:
                handle.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
                write(handle)
    return out.getvalue()


def _one_shared_string_sheet(handle):
    handle.write(b"<worksheet " + _MAIN + b'><dimension ref="A1"/><sheetData>')
    handle.write(b'<row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>')


def shared_string_bomb(megabytes=400):
    """A .xlsx of a few hundred KB whose one shared string unpacks to ``megabytes`` MB (issue #16: 409 KB, 400 MB)."""
    chunk = b"A" * _MB

    def strings(handle):
        handle.write(b"<sst " + _MAIN + b' count="1" uniqueCount="1"><si><t>')
        for _ in range(megabytes):
            handle.write(chunk)
        handle.write(b"</t></si></sst>")

    return _workbook(sheet=_one_shared_string_sheet, shared_strings=strings)


def long_cell_workbook(characters):
    """A small, well-formed .xlsx whose A1 holds ``characters`` characters (under the size bounds, over the cell cap)."""

    def strings(handle):
        handle.write(b"<sst " + _MAIN + b' count="1" uniqueCount="1"><si><t>' + b"=" + b"B" * (characters - 1))
        handle.write(b"</t></si></sst>")

    return _workbook(sheet=_one_shared_string_sheet, shared_strings=strings)


def many_shared_strings(count=1_500_000):
    """A .xlsx (a few MB: within the upload limit and the size bounds) whose shared-strings part holds ``count``
    short distinct strings, which openpyxl would hold in memory before any row (1.5M: a 31 MB part, ~235 MB)."""
    per_chunk = 4096

    def strings(handle):
        handle.write(b"<sst " + _MAIN + b">")
        for start in range(0, count, per_chunk):
            handle.write("".join(f"<si><t>{n:x}</t></si>" for n in range(start, min(start + per_chunk, count))).encode())
        handle.write(b"</sst>")

    return _workbook(sheet=_one_shared_string_sheet, shared_strings=strings)


def dimension_bomb(rows=20100):
    """A .xlsx of about 100 KB whose sheet claims A1:XFD<rows> and has a cell in every row: openpyxl's read-only
    mode pads each row to 16,384 columns (issue #16: 101 KB, A1:XFD20100)."""

    def sheet(handle):
        handle.write(b"<worksheet " + _MAIN + f'><dimension ref="A1:XFD{rows}"/><sheetData>'.encode())
        for row in range(1, rows + 1):
            handle.write(f'<row r="{row}"><c r="A{row}" t="s"><v>0</v></c></row>'.encode())
        handle.write(b"</sheetData></worksheet>")

    def strings(handle):
        handle.write(b"<sst " + _MAIN + b' count="1" uniqueCount="1"><si><t>x</t></si></sst>')

    return _workbook(sheet=sheet, shared_strings=strings)


def mpesa_statement_rows(rows):
    """``rows`` M-Pesa payments as lists of cell values (header first), every receipt distinct."""
    from billing.statements import HEADERS

    yield HEADERS["mpesa"]
    for i in range(rows):
        when = f"2026-11-{1 + i % 28:02d} {i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}"
        account = f"{i % 9000 + 1:04d}MAK"
        yield [
            f"BMX{i:07d}",
            when,
            f"Customer Pay Bill Online {account} payment number {i} from the customer's own phone",
            "Completed",
            f"{10 + i % 190}.00",
            "",
            "0.00",
            "Pay Bill Online",
            f"2665{i % 10_000_000:07d} - PAYER NUMBER {i}",
        ]


def mpesa_statement_xlsx(rows=20_000):
    """The largest statement the import takes (CC_PAYMENT_IMPORT_MAX_ROWS rows) as an .xlsx."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Statement")
    for row in mpesa_statement_rows(rows):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def mpesa_statement_csv(rows=20_000):
    import csv

    buffer = io.StringIO()
    csv.writer(buffer).writerows(mpesa_statement_rows(rows))
    return buffer.getvalue().encode()
