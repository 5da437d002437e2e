"""The Access reading path: pyodbc + the MDBTools ODBC driver open a real .accdb and read typed rows."""

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from datatools.acdb import reader

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "access"


@pytest.fixture
def sample():
    connection = reader.open_source(FIXTURES / "ASampleDatabase.accdb")
    yield connection
    connection.close()


def test_it_lists_user_tables_only(sample):
    assert reader.list_tables(sample) == ["Asset Items"]


def test_it_reads_all_65_rows_with_types(sample):
    rows = list(reader.read_rows(sample, "Asset Items"))
    assert len(rows) == 65
    assert reader.count_rows(sample, "Asset Items") == 65  # MDBTools returns COUNT(*) as text
    first = rows[0]
    assert first["Asset No"] == "30050"
    assert first["Acquired"] == datetime(1997, 9, 2)
    assert isinstance(first["Cost"], Decimal) and first["Cost"] == Decimal("1995.50")
    assert isinstance(first["Warranty"], int)
    assert any(row["Comments"] is None for row in rows)


def test_it_opens_an_mdb_too():
    connection = reader.open_source(FIXTURES / "nwind.mdb")
    assert {"Customers", "Orders", "Products"} <= set(reader.list_tables(connection))


def test_it_refuses_unknown_tables_and_files(sample, tmp_path):
    with pytest.raises(reader.AcdbSourceError):
        list(reader.read_rows(sample, "Asset Items]; DROP TABLE x"))
    with pytest.raises(reader.AcdbSourceError):
        reader.open_source(tmp_path / "missing.accdb")
    with pytest.raises(reader.AcdbSourceError):
        reader.open_source(tmp_path / "notes.txt")
