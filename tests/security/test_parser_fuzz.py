"""Property-based fuzzing of the import parsers: any bytes give rows or a reported error, never a crash."""

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.statements import StatementError, statement_read
from reports.generation_import import generation_file_read

MPESA_HEADER = "Receipt No,Completion Time,Details,Transaction Status,Paid in,Withdrawn,Balance,Reason Type,Other Party Info"
ECOCASH_HEADER = "Transaction Date,Approval Code,Amount,Type,Details,Sender MSISDN"
cells = st.one_of(
    st.text(max_size=30),
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
    st.sampled_from(["Completed", "Failed", "Customer Pay Bill Online 0045MAK", "2025-03-01 10:15:00", "+266 5775 5403", ""]),
)


def _csv(header, rows):
    out = io.StringIO()
    out.write(header + "\n")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), st.sampled_from(["mpesa", "ecocash"]), st.sampled_from(["s.csv", "s.xlsx"]))
def test_statement_reader_never_crashes_on_bytes(content, provider, filename):
    try:
        statement_read(content=content, filename=filename, provider=provider)
    except StatementError as error:
        assert error.args  # a message for the person who uploaded it


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([("mpesa", MPESA_HEADER, 9), ("ecocash", ECOCASH_HEADER, 6)]), st.data())
def test_statement_reader_never_crashes_on_csv_rows(spec, data):
    provider, header, width = spec
    rows = data.draw(st.lists(st.lists(cells, min_size=0, max_size=width + 2), max_size=8))
    try:
        statement_read(content=_csv(header, rows), filename="s.csv", provider=provider)
    except StatementError as error:
        assert error.args


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cells, max_size=4), max_size=8))
def test_generation_reader_reports_errors_instead_of_raising(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("gen") / "generation.csv"
    path.write_bytes(_csv("site,date,kwh", rows))
    result = generation_file_read(path, known_sites={"MAK", "KET"})
    assert isinstance(result.errors, list)
