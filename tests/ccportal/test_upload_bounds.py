"""Uploaded spreadsheets are bounded before and while they are parsed: the decompression bombs of issue #16 are
refused with a short message, and every refusal quotes at most a short prefix of the value at fault."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bench.spreadsheet_bombs import (
    dimension_bomb,
    long_cell_workbook,
    many_shared_strings,
    mpesa_statement_csv,
    mpesa_statement_xlsx,
    shared_string_bomb,
)
from billing.models import PaymentImport
from billing.statements import StatementError, statement_read
from ccportal.spreadsheet import QUOTE_CHARS, SpreadsheetRefused, csv_rows, quote, xlsx_rows
from reports.generation_import import generation_file_read


@pytest.fixture(scope="module")
def string_bomb():
    return shared_string_bomb(400)


def _refusal(content, filename="statement.xlsx"):
    with pytest.raises(StatementError) as exc:
        statement_read(content=content, filename=filename, provider="mpesa")
    [(number, message)] = exc.value.errors
    assert number is None and len(message) < 300
    return message


def test_it_refuses_the_shared_string_bomb_before_unpacking_it(string_bomb):
    assert len(string_bomb) < 500 * 1024  # 400 MB of text in a file far below the 5 MB upload limit
    assert "'xl/sharedStrings.xml' unpacks to 400 MB; at most 32 MB" in _refusal(string_bomb)


def test_it_refuses_the_sheet_claiming_a1_xfd20100():
    bomb = dimension_bomb(20100)
    assert len(bomb) < 150 * 1024
    assert _refusal(bomb) == "The sheet claims 16,384 columns ('A1:XFD20100'); at most 64 are accepted."


def test_a_declared_dimension_past_the_cell_cap_is_refused(settings):
    settings.CC_UPLOAD_XLSX_MAX_CELLS = 10_000
    assert "claims 321,600 cells ('A1:P20100')" in _refusal(_with_dimension(dimension_bomb(20100), "A1:P20100"))


def _with_dimension(content, ref):
    """``content`` with the sheet's <dimension ref> rewritten."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = data.replace(b'ref="A1:XFD20100"', f'ref="{ref}"'.encode())
            target.writestr(name, data)
    return out.getvalue()


def test_a_highly_compressed_part_is_refused_even_under_the_size_cap():
    bomb = shared_string_bomb(20)  # 20 MB: under the 32 MB part cap, but compressed about 1,000 times
    assert "is compressed" in _refusal(bomb) and "decompression bomb" in _refusal(bomb)


def test_the_member_count_and_total_size_are_bounded(settings):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for i in range(101):
            archive.writestr(f"xl/part{i}.xml", "<x/>")
    assert _refusal(out.getvalue()) == "The workbook has 101 parts; at most 100 are accepted."
    settings.CC_UPLOAD_XLSX_MAX_TOTAL_MB = 1
    message = _refusal(mpesa_statement_xlsx(5000))
    assert message.startswith("The workbook unpacks to ") and "at most 1 MB is accepted" in message


def test_too_many_shared_strings_are_refused_before_openpyxl_holds_them(settings):
    """1.5M short strings are a 31 MB part (under the size bounds) that openpyxl would hold as ~235 MB."""
    bomb = many_shared_strings(1_500_000)
    assert len(bomb) < 5 * 1024 * 1024
    assert _refusal(bomb) == "The workbook has more than 300,000 distinct texts; split the file."
    settings.CC_UPLOAD_XLSX_MAX_SHARED_STRINGS = 2
    assert "more than 2 distinct texts" in _refusal(many_shared_strings(3))


class _Trickle:
    """A binary stream that answers every read with at most ``size`` bytes (blocks cut anywhere)."""

    def __init__(self, data, size):
        self.data, self.size = data, size

    def read(self, n):
        piece, self.data = self.data[: min(n, self.size)], self.data[min(n, self.size) :]
        return piece


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 64, 65, 1 << 20])
def test_shared_strings_are_counted_exactly_across_block_edges(size):
    from ccportal.spreadsheet import _shared_strings_in

    xml = b'<sst><si><t>a</t></si><x:si><x:t>b</x:t></x:si><si/><si foo="1"><t>&lt;si&gt;</t></si><sis/>' + b"z" * 100 + b"<si>"
    assert _shared_strings_in(_Trickle(xml, size)) == 5


def test_a_damaged_part_is_a_refusal_not_an_error():
    content = bytearray(mpesa_statement_xlsx(50))
    start = content.index(b"xl/worksheets/sheet1.xml") + 200  # inside that part's compressed data
    content[start : start + 16] = b"\xff" * 16
    assert "cannot be read" in _refusal(bytes(content))


def test_a_long_cell_is_refused_quoting_only_a_prefix():
    message = _refusal(long_cell_workbook(100_000))
    assert message.startswith("Row 1: a cell holds 100,000 characters (at most 2,000): '=BBBB")
    assert "B" * (QUOTE_CHARS + 1) not in message


def test_a_statement_error_quotes_only_a_prefix_of_a_long_value():
    header = "Receipt No,Completion Time,Details,Transaction Status,Paid in,Withdrawn,Balance,Reason Type,Other Party Info\n"
    row = f"R1,{'9' * 1500},x,Completed,5.00,,0,Pay,26657000001 - X\n"
    with pytest.raises(StatementError) as exc:
        statement_read(content=(header + row).encode(), filename="s.csv", provider="mpesa")
    [(number, message)] = exc.value.errors
    assert number == 2 and "9" * QUOTE_CHARS in message and "9" * (QUOTE_CHARS + 1) not in message
    assert "(1,500 characters)" in message


def test_csv_lines_and_rows_are_bounded(settings):
    with pytest.raises(SpreadsheetRefused, match=r"Line 2 has 10,002 characters \(at most 10,000\)"):
        csv_rows("a,b\n" + "x" * 10_001 + "\n", max_rows=10)
    with pytest.raises(SpreadsheetRefused, match="more than 3 rows"):
        csv_rows("a\nb\nc\nd\n", max_rows=3)
    settings.CC_PAYMENT_IMPORT_MAX_ROWS = 100
    blank_lines = mpesa_statement_csv(1) + b"\r\n" * 1_000_000  # 2 MB of empty lines: refused, not kept in memory
    assert _refusal(blank_lines, "s.csv") == "More than 100 rows; split the statement."


def test_the_largest_statement_upload_is_read(settings):
    rows = statement_read(content=mpesa_statement_csv(20_000), filename="big.csv", provider="mpesa")
    assert len(rows) == 20_000 and rows[-1].receipt == "BMX0019999"


def test_xlsx_rows_caps_the_columns_of_an_undeclared_wide_row():
    sheet = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c>'
        b'<c r="XFD1" t="inlineStr"><is><t>z</t></is></c></row></sheetData></worksheet>'
    )
    source = zipfile.ZipFile(io.BytesIO(dimension_bomb(1)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            target.writestr(name, sheet if name == "xl/worksheets/sheet1.xml" else source.read(name))
    [row] = xlsx_rows(out.getvalue(), max_rows=10)
    assert row[0] == "a" and len(row) == 64  # not 16,384 cells


def test_quote_keeps_short_values_whole():
    assert quote("yesterday") == "'yesterday'"
    assert quote("x" * 50) == repr("x" * QUOTE_CHARS) + "… (50 characters)"


@pytest.mark.django_db
def test_the_upload_page_answers_the_bomb_with_a_short_error(finance_client, string_bomb):
    response = finance_client.post(
        "/payments/import/", {"provider": "mpesa", "statement": SimpleUploadedFile("statement.xlsx", string_bomb)}
    )
    assert response.status_code == 400
    assert b"unpacks to 400 MB" in response.content and len(response.content) < 200_000
    assert not PaymentImport.objects.exists()


@pytest.mark.django_db
def test_the_generation_import_refuses_both_bombs(tmp_path, string_bomb):
    for name, content in (("strings.xlsx", string_bomb), ("dimension.xlsx", dimension_bomb(20100))):
        path = tmp_path / name
        path.write_bytes(content)
        result = generation_file_read(path, known_sites={"MAK"})
        [error] = result.errors
        assert not result.rows and len(error) < 300
        assert "unpacks to 400 MB" in error or "claims 16,384 columns" in error


def _png_claiming(width, height):
    """A tiny PNG whose header claims ``width`` × ``height`` RGBA pixels (its pixel data is a stub)."""
    import struct
    import zlib

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


@pytest.mark.parametrize(("width", "height", "message"), [(8000, 8000, "unexpected size"), (20000, 10000, "could not be read")])
def test_a_signature_png_claiming_huge_dimensions_is_refused_before_its_pixels_are_unpacked(width, height, message, monkeypatch):
    """The commissioning signature is an upload too: 1 MB of PNG can claim 64M pixels (256 MB unpacked), or more
    than Pillow's bomb limit, which it raises as its own error."""
    from PIL import ImageFile

    from contracts.services import CommissioningError, signature_png_check

    loads = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: loads.append(self.size))
    with pytest.raises(CommissioningError, match=message):
        signature_png_check(_png_claiming(width, height))
    assert loads == []
