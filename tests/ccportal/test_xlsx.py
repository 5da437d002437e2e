"""ccportal.xlsx: the streaming workbook opens in openpyxl (and LibreOffice, where installed) with the values,
types and formats it was given; text stays text."""

import io
import shutil
import subprocess
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from ccportal import xlsx

KINDS = [xlsx.NUMBER, xlsx.TEXT, xlsx.DATETIME, xlsx.DATE, xlsx.BOOL, xlsx.NUMBER]
ROWS = [
    (1, '=HYPERLINK("http://x")', datetime(2024, 2, 10, 9, 30, 15), date(2024, 2, 10), True, Decimal("50.00")),
    (2, "Pale\x0bsa & <Mo>", datetime(1999, 12, 31, 23, 59, 59), None, False, Decimal("2.222")),
    (3, "  leading spaces", None, date(2026, 1, 1), None, None),
]


def _book(rows=ROWS, sheets=1):
    buffer = io.BytesIO()
    with xlsx.XlsxStream(buffer) as book:
        for n in range(sheets):
            book.sheet(f"Sheet {n + 1} of a very long title beyond 31", ["ID", "Text", "When", "Day", "Flag", "Amount"], KINDS)
            book.write_columns(list(zip(*rows, strict=True)))
    return buffer.getvalue()


def test_it_opens_in_openpyxl_with_the_values_types_and_formats_given():
    workbook = load_workbook(io.BytesIO(_book(sheets=2)))
    assert workbook.sheetnames == ["Sheet 1 of a very long title be", "Sheet 2 of a very long title be"]
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == ["ID", "Text", "When", "Day", "Flag", "Amount"] and sheet["A1"].font.b
    assert [c.value for c in sheet[2]] == [
        1,
        '=HYPERLINK("http://x")',
        datetime(2024, 2, 10, 9, 30, 15),
        datetime(2024, 2, 10),
        True,
        50,
    ]
    assert sheet["B2"].data_type == "s"  # a formula-looking text is a string, never a formula
    assert sheet["C2"].number_format == "yyyy\\-mm\\-dd\\ hh:mm:ss" and sheet["D2"].is_date
    assert [c.value for c in sheet[3]] == [2, "Palesa & <Mo>", datetime(1999, 12, 31, 23, 59, 59), None, False, 2.222]
    assert [c.value for c in sheet[4]] == [3, "  leading spaces", None, datetime(2026, 1, 1), None, None]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_it_opens_in_libreoffice_with_the_same_content(tmp_path):
    (tmp_path / "book.xlsx").write_bytes(_book())
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "csv", "--outdir", str(tmp_path), str(tmp_path / "book.xlsx")],
        check=True, capture_output=True, timeout=120, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    lines = (tmp_path / "book.csv").read_text().splitlines()
    assert lines[0] == "ID,Text,When,Day,Flag,Amount"
    assert lines[1].startswith('1,"=HYPERLINK(""http://x"")",2024-02-10 09:30:15,2024-02-10,TRUE,50')
