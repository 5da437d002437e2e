"""ccportal.spreadsheet: the one neutralising rule every CSV and XLSX writer uses (OWASP "CSV injection")."""

from datetime import date
from decimal import Decimal

import pytest
from openpyxl.cell import Cell

from ccportal.spreadsheet import csv_cells, spreadsheet_text, xlsx_value


@pytest.mark.parametrize(
    "text", ["=1+1", '=HYPERLINK("http://x","y")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_a_text_a_spreadsheet_would_run_gets_a_leading_quote(text):
    assert spreadsheet_text(text) == "'" + text
    assert spreadsheet_text(spreadsheet_text(text)) == "'" + text  # once, however often it is applied


@pytest.mark.parametrize("value", ["Palesa", "", "'=already quoted", "+26658123456", "-12.50", "5", "a=b", " =1"])
def test_other_text_is_left_as_it_is(value):
    assert spreadsheet_text(value) == value


@pytest.mark.parametrize("value", [Decimal("-5.00"), -3, -1.5, date(2025, 1, 1), None, True])
def test_values_that_are_not_text_pass_untouched(value):
    assert spreadsheet_text(value) is value


def test_csv_cells_blank_none_and_neutralise_text():
    assert csv_cells([None, "=1", Decimal("-2.00"), "x"]) == ["", "'=1", Decimal("-2.00"), "x"]


def test_xlsx_value_types_an_error_code_as_a_string():
    cell = xlsx_value("#N/A")
    assert isinstance(cell, Cell) and cell.value == "#N/A" and cell.data_type == "s"
    assert xlsx_value("=1") == "'=1" and xlsx_value(Decimal("-1")) == Decimal("-1")
