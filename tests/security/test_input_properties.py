"""Property-based tests (#16 items 1, 5, 7): dates, numbers and text drawn from their whole range, control
characters included, fed to the forms, the statement and generation readers and the API parameters. Each either
refuses with a message naming the field or row, or yields a value inside ccportal.bounds that the pages then show.
Example counts come from the hypothesis profile in tests/conftest.py (derandomized in CI)."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from billing.forms import LedgerEntryForm, TariffRateForm
from billing.statements import StatementError, statement_read
from ccportal import bounds
from reports.generation_import import generation_file_read
from tests.factories import AccountNumberFactory, TariffRateFactory, aware

SLOW_CHECKS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def db_test(max_examples=None):
    """Settings of a test that uses the database: fewer examples when each makes requests."""
    extra = {"max_examples": max_examples} if max_examples else {}
    return settings(suppress_health_check=SLOW_CHECKS, **extra)


CONTROL = st.characters(min_codepoint=0, max_codepoint=31) | st.just("\x7f")
# Text of every kind: letters of any script, digits, punctuation, and control characters mixed in.
any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)) | CONTROL, max_size=30)
any_date = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
any_moment = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59))
# Plausible values as often as absurd ones, so that the "stored and shown" branch is exercised too.
recent_moment = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2026, 6, 30, 23, 59))
any_moment = st.one_of(any_moment, recent_moment)
any_date = st.one_of(any_date, recent_moment.map(datetime.date))
number_text = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(min_value=Decimal("-1e40"), max_value=Decimal("1e40"), places=3).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["Infinity", "-Infinity", "NaN", "sNaN", "-sNaN", "1e30", "1E+999999", "0", "0.0001", "46"]),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("2000000"), places=2).map(str),
    any_text,
)
plausible_amount = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2).map(str)
optional_number = st.one_of(st.just(""), plausible_amount, number_text)
date_text = st.one_of(
    any_date.map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}"),
    any_moment.map(lambda m: f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}"),
    any_text,
)


def _within(value, check, **kwargs):
    try:
        check(value, label="value", **kwargs)
    except bounds.BoundsError:
        return False
    return True


# --- forms --------------------------------------------------------------------------------------------


@given(
    when=date_text,
    amount=optional_number,
    kwh=optional_number,
    rate=optional_number,
    kind=st.sampled_from(["payment", "consumption"]),
)
def test_the_ledger_form_refuses_or_gives_values_in_bounds(when, amount, kwh, rate, kind):
    form = LedgerEntryForm(data={"when": when, "kind": kind, "amount": amount, "kwh": kwh, "rate": rate, "reason": "x"})
    event("valid" if form.is_valid() else "refused")
    if not form.is_valid():
        assert all(messages for messages in form.errors.values())  # every refusal says something
        return
    data = form.cleaned_data
    assert _within(data["when"], bounds.moment_check, within=bounds.EVENT)
    for name, within in (("amount", bounds.MONEY), ("kwh", bounds.KWH), ("rate", bounds.RATE)):
        assert data[name] is None or _within(data[name], bounds.number_check, within=within)


@given(effective_from=date_text, rate=number_text, reason=any_text)
def test_the_tariff_form_refuses_or_gives_values_in_bounds(effective_from, rate, reason):
    form = TariffRateForm(data={"scope": "global", "rate_lsl": rate, "effective_from": effective_from, "reason": reason})
    event("valid" if form.is_valid() else "refused")
    if not form.is_valid():
        assert all(messages for messages in form.errors.values())
        return
    data = form.cleaned_data
    assert data["effective_from"] is None or _within(data["effective_from"], bounds.moment_check, within=bounds.EFFECTIVE)
    assert _within(data["rate_lsl"], bounds.number_check, within=bounds.RATE)
    assert "\x00" not in data["reason"]


@pytest.mark.django_db
@db_test(max_examples=25)
@given(effective_from=date_text, rate=number_text, reason=any_text)
def test_a_tariff_posted_from_anywhere_in_the_range_is_refused_or_shown(admin_client, effective_from, rate, reason):
    response = admin_client.post(
        "/tariffs/set/", {"scope": "global", "rate_lsl": rate, "effective_from": effective_from, "reason": reason}
    )
    event(f"status {response.status_code}")
    assert response.status_code in (302, 400)
    assert admin_client.get("/tariffs/").status_code == 200


@pytest.mark.django_db
@db_test(max_examples=25)
@given(when=date_text, amount=optional_number, rate=optional_number, reason=any_text)
def test_a_ledger_row_posted_from_anywhere_in_the_range_is_refused_or_shown(finance_client, when, amount, rate, reason):
    if not AccountNumberFactory._meta.model.objects.filter(pk="0045MAK").exists():
        TariffRateFactory(scope="site", scope_key="MAK", rate_lsl=Decimal("4.6000"), effective_from=aware(2020, 1, 1))
        AccountNumberFactory(accountnumber="0045MAK")
    data = {"new-when": when, "new-kind": "payment", "new-amount": amount, "new-rate": rate, "new-reason": reason}
    response = finance_client.post("/accounts/0045MAK/ledger/add/", data)
    event(f"status {response.status_code}")
    assert response.status_code in (302, 400)
    assert finance_client.get("/accounts/0045MAK/").status_code == 200


# --- the statement and generation readers ---------------------------------------------------------------

MPESA_HEADER = ["Receipt No", "Completion Time", "Details", "Transaction Status", "Paid in", "Withdrawn", "Balance",
                "Reason Type", "Other Party Info"]  # fmt: skip
moment_text = st.one_of(
    any_moment.map(lambda m: f"{m.year:04d}-{m.month:02d}-{m.day:02d} {m.hour:02d}:{m.minute:02d}:00"),
    any_moment.map(lambda m: f"{m.day:02d}/{m.month:02d}/{m.year:04d} {m.hour:02d}:{m.minute:02d}"),
    any_text,
)


def _statement(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(MPESA_HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


statement_rows = st.lists(
    st.tuples(
        st.from_regex(r"[A-Z0-9]{10}", fullmatch=True), moment_text, any_text, st.just("Completed"), number_text,
        st.just(""), st.just(""), st.just("Pay Bill"), any_text,
    ),
    min_size=1,
    max_size=4,
)  # fmt: skip


@given(statement_rows)
def test_statement_rows_from_the_whole_range_are_row_errors_or_plausible_rows(rows):
    try:
        parsed = statement_read(content=_statement(rows), filename="s.csv", provider="mpesa")
    except StatementError as error:
        event("refused")
        assert error.errors and all(message for _, message in error.errors)
        assert all(number is None or 2 <= number <= len(rows) + 1 for number, _ in error.errors)
        return
    event("read")
    for row in parsed:
        assert _within(row.paid_at, bounds.moment_check, within=bounds.EVENT)
        assert _within(row.amount, bounds.number_check, within=bounds.MONEY_SIGNED)
        for text in (row.details, row.payer_name):
            assert not any(ord(c) < 32 or ord(c) == 127 for c in text)


@pytest.mark.django_db
@db_test(max_examples=20)
@given(statement_rows)
def test_a_statement_that_reads_is_posted_and_every_page_shows_it(finance_client, finance, rows):
    from billing.models import PaymentImport
    from billing.services import payment_import_create, payment_rows_post

    rows = [(receipt, moment, f"Pay Bill 0045MAK {details}", *rest) for receipt, moment, details, *rest in rows]
    content = _statement(rows)
    try:
        parsed = statement_read(content=content, filename="s.csv", provider="mpesa")
    except StatementError:
        event("refused")
        return
    event("posted")
    if not AccountNumberFactory._meta.model.objects.filter(pk="0045MAK").exists():
        TariffRateFactory(rate_lsl=Decimal("5.00"), effective_from=aware(2000, 1, 1))
        AccountNumberFactory(accountnumber="0045MAK")
    payment_import = payment_import_create(provider="mpesa", filename="s.csv", content=content, by=finance, store=False)
    payment_rows_post(payment_import=payment_import, rows=parsed, by=finance)
    assert PaymentImport.objects.get(pk=payment_import.pk).status == "posted"
    for path in (f"/payments/import/{payment_import.pk}/", "/payments/import/", "/accounts/0045MAK/", "/tariffs/"):
        assert finance_client.get(path).status_code == 200, path
    assert finance_client.get("/payments/lookup/", {"q": parsed[0].receipt}).status_code == 200


@given(st.lists(st.tuples(st.sampled_from(["MAK", "KET", "", "mak"]), date_text, number_text), min_size=1, max_size=5))
def test_generation_rows_from_the_whole_range_are_line_errors_or_plausible_rows(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("gen") / "generation.csv"
    out = io.StringIO()
    csv.writer(out).writerows([("site", "date", "kwh"), *rows])
    path.write_text(out.getvalue(), encoding="utf-8")
    result = generation_file_read(path, known_sites={"MAK", "KET"})
    event("some rows" if result.rows else "no rows")
    assert len(result.rows) + len(result.errors) >= 1 or not any(any(str(c).strip() for c in row) for row in rows)
    for row in result.rows:
        assert _within(row.day, bounds.date_check, within=bounds.EVENT)
        assert _within(row.kwh, bounds.number_check, within=bounds.GENERATION_KWH)
    assert all(error.startswith(("line ", "generation.csv")) for error in result.errors)


# --- API parameters -----------------------------------------------------------------------------------

quarter_text = st.one_of(
    st.tuples(st.integers(0, 9999), st.integers(0, 9)).map(lambda t: f"{t[0]:04d} Q{t[1]}"),
    any_text,
)


@pytest.mark.django_db
@db_test()
@given(quarter=quarter_text, site=any_text)
def test_om_report_parameters_from_the_whole_range_give_200_or_a_named_400(client, superadmin, quarter, site):
    from tests.security.urlmatrix import bearer_for

    response = client.get(
        "/api/om-report/sales-by-site", {"quarter": quarter, "site": site}, headers={"Authorization": bearer_for(superadmin)}
    )
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert set(response.json()) <= {"quarter", "site", "detail"} and response.json()


lookup_text = st.one_of(
    st.tuples(number_text, date_text).map(lambda t: f"{t[0]} {t[1]}"),
    st.tuples(date_text, number_text).map(lambda t: f"{t[0]} M{t[1]}"),
    any_text,
)


@pytest.mark.django_db
@db_test()
@given(query=lookup_text)
def test_payment_lookup_from_the_whole_range_answers(client, admin_client, superadmin, query):
    from tests.security.urlmatrix import bearer_for

    response = client.get("/api/payments/lookup", {"q": query}, headers={"Authorization": bearer_for(superadmin)})
    assert response.status_code in (200, 400)
    assert admin_client.get("/payments/lookup/", {"q": query}).status_code == 200
