"""/accounts/<accountnumber>/: banner with tariff, balance, average, days to recharge, charts, ledger and its edits."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import AccountHistory
from ccportal.rollup import rollups_rebuild
from customers.models import MeterReading
from tests.customers.factories import account_with_ledger
from tests.factories import LedgerRowFactory, TariffRateFactory, aware

pytestmark = pytest.mark.django_db


def days_ago(days, hour=12):
    return timezone.localtime().replace(hour=hour, minute=0, second=0, microsecond=0) - timedelta(days=days)


def local_midnight(days_back):
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days_back)


def readings(meterid, days_back, kw, count=144):
    """``count`` 10-minute readings of ``kw`` from local midnight ``days_back`` days ago (144 make a whole day)."""
    start = local_midnight(days_back)
    MeterReading.objects.bulk_create(
        MeterReading(meterid=meterid, whdatetime=start + timedelta(minutes=10 * i), power_kw=Decimal(kw)) for i in range(count)
    )
    rollups_rebuild()  # bulk inserts pass the readings' rollups by


@pytest.fixture
def account():
    TariffRateFactory(scope="site", scope_key="MAK", rate_lsl=Decimal("4.6000"), effective_from=aware(2020, 1, 1))
    return account_with_ledger(
        "0045MAK",
        [
            (days_ago(40), True, "100.000", "460.00", "100.000"),
            (days_ago(35), False, "-40.000", "-184.00", "60.000"),  # outside the 30 days
            (days_ago(20), False, "-30.000", "-138.00", "30.000"),
            (days_ago(3), True, "10.000", "46.00", "40.000"),
            (days_ago(1), False, "-30.000", "-138.00", "10.000"),
        ],
        first_name="Lineo",
    )


def test_it_shows_the_banner_figures_and_charts(generic_client, account):
    for days_back in (1, 2, 3):
        readings(account.meter_id, days_back, "0.5000")  # 144 × 0.5 kW × 1/6 h = 12 kWh a day
    response = generic_client.get("/accounts/0045MAK/")
    assert response.status_code == 200
    data = response.context["data"]
    assert data.balance_kwh == Decimal("10.000")
    assert data.average_kwh_per_day == Decimal("12.000")  # from the readings, not the ledger's monthly rows
    assert data.days_to_recharge == Decimal("0.8")
    assert data.last_payment.kwh_value == Decimal("10.000")
    assert data.totals == {"paid_lsl": Decimal("506.00"), "bought_kwh": Decimal("110.000"), "used_kwh": Decimal("100.000")}
    assert (data.tariff.rate_lsl, data.tariff.source) == (Decimal("4.6000"), "site")
    body = response.content.decode()
    assert "Lineo" in body and "site rate (MAK)" in body and account.meter_id in body
    assert body.count('<svg class="chart"') == 3 and "<script>" not in body
    assert "from 3 days of meter readings" in body and 'class="value danger" id="days-to-recharge"' in body


def test_the_daily_charts_sum_readings_per_local_day_with_gaps(generic_client, account):
    meterid = account.meter_id
    readings(meterid, 1, "0.5000")  # a whole day: 12 kWh
    readings(meterid, 2, "1.0000", count=135)  # 94% of a day at 1 kW: 22.5 kWh measured, a mean of 24 kWh a day
    readings(meterid, 3, "1.0000", count=129)  # 90% less one reading: drawn, not counted in the average
    readings(meterid, 5, "0.2500")  # a whole day: 6 kWh; day 4 has no readings at all
    data = generic_client.get("/accounts/0045MAK/").context["data"]
    labels, values = data.readings.daily(7)
    assert len(labels) == 7
    assert values == [None, Decimal("6.000"), None, Decimal("21.500"), Decimal("22.500"), Decimal("12.000"), None]
    assert len(data.readings.daily(30)[1]) == 30
    assert data.readings.measured_days == [local_midnight(d).date() for d in (5, 2, 1)]
    # mean power over the measured days: (0.25 × 144 + 1 × 135 + 0.5 × 144) kW / 423 readings × 24 h
    assert data.average_kwh_per_day == Decimal("13.787")


def test_a_reading_belongs_to_its_local_day(account):
    from billing.customer_data import meter_reading_days

    midnight = local_midnight(1)  # 22:00 UTC the day before
    MeterReading.objects.bulk_create(
        [
            MeterReading(meterid=account.meter_id, whdatetime=midnight - timedelta(minutes=10), power_kw=Decimal("6")),
            MeterReading(meterid=account.meter_id, whdatetime=midnight, power_kw=Decimal("3")),
        ]
    )
    rollups_rebuild()
    days = meter_reading_days(account.meter_id)
    assert days.kwh(midnight.date()) == Decimal("0.500")
    assert days.kwh(midnight.date() - timedelta(days=1)) == Decimal("1.000")


def test_an_account_without_enough_readings_says_so(generic_client, account):
    response = generic_client.get("/accounts/0045MAK/")
    data = response.context["data"]
    assert data.average_kwh_per_day is None and data.days_to_recharge is None
    body = response.content.decode()
    assert body.count("not enough meter readings yet") == 2 and 'id="average-per-day">—<' in body
    assert "No meter readings in the last 7 days." in body and body.count('<svg class="chart"') == 1  # the 12 months
    for days_back in (1, 2):
        readings(account.meter_id, days_back, "0.5000")
    data = generic_client.get("/accounts/0045MAK/").context["data"]
    assert data.average_kwh_per_day is None and data.readings.daily(7)[1][-2] == Decimal("12.000")  # two days: not yet


def test_a_meter_that_reads_no_power_has_no_days_to_recharge(generic_client, account):
    for days_back in (1, 2, 3):
        readings(account.meter_id, days_back, "0")
    response = generic_client.get("/accounts/0045MAK/")
    assert response.context["data"].average_kwh_per_day == Decimal("0.000")
    assert b"no consumption measured" in response.content


def test_the_monthly_series_sums_the_ledger_consumption(account):
    from billing.customer_data import account_consumption_monthly

    labels, values = account_consumption_monthly("0045MAK", months=12)
    assert len(labels) == 12 and sum(values) == Decimal("100.000")


def test_a_legacy_account_with_only_ledger_rows_still_shows(generic_client):
    LedgerRowFactory(accountnumber="0300KET", transaction_date=days_ago(2), current_balance=Decimal("10.000"))
    response = generic_client.get("/accounts/0300KET/")
    assert response.status_code == 200 and b"legacy" in response.content and b"Unknown customer" in response.content


@pytest.mark.parametrize("typed", ["MAK0045", "mak%2045", "0045mak"])
def test_other_spellings_redirect_to_the_canonical_number(generic_client, account, typed):
    response = generic_client.get(f"/accounts/{typed}/")
    assert response.status_code == 302 and response.url == "/accounts/0045MAK/"


def test_the_lookup_form_normalises_and_explains(generic_client, account):
    assert generic_client.get("/accounts/", {"account": "mak 45"}).url == "/accounts/0045MAK/"
    response = generic_client.get("/accounts/", {"account": "nonsense"})
    assert response.status_code == 200 and b"is not an account number" in response.content


def test_unknown_accounts_are_404(generic_client):
    assert generic_client.get("/accounts/0999MAK/").status_code == 404
    assert generic_client.get("/accounts/nonsense/").status_code == 404


def test_the_ledger_sorts_and_pages_by_25(generic_client):
    rows = [(aware(2025, 1, 1) + timedelta(days=i), True, f"{i + 1}.000", "5", f"{i + 1}.000") for i in range(30)]
    account_with_ledger("0050MAK", rows)
    first = generic_client.get("/accounts/0050MAK/")
    assert len(first.context["page"].object_list) == 25 and first.context["page"].object_list[0].kwh_value == Decimal("30.000")
    by_kwh = generic_client.get("/accounts/0050MAK/", {"sort": "kwh", "page": "2"}, headers={"HX-Request": "true"})
    assert b"<html" not in by_kwh.content
    assert [row.kwh_value for row in by_kwh.context["page"].object_list] == [Decimal(f"{i}.000") for i in range(26, 31)]
    assert generic_client.get("/accounts/0050MAK/", {"sort": "evil"}).context["sort"] == "-date"


@pytest.mark.parametrize("rows", [5, 80])
def test_the_page_runs_a_fixed_number_of_queries(generic_client, account, django_assert_num_queries, rows):
    for i in range(rows - 5):
        LedgerRowFactory(accountnumber="0045MAK", transaction_date=days_ago(i % 300), payment=i % 2 == 0)
    readings(account.meter_id, 1, "0.5000", count=rows)
    # session, user, account (+ customer, meter), newest row and newest payment, site, tariff schedule,
    # totals with the row count, ledger consumption per day (12 months), readings per day (7 and 30 days and
    # the average), ledger page
    with django_assert_num_queries(10):
        response = generic_client.get("/accounts/0045MAK/")
    assert response.context["page"].paginator.count == rows
    with django_assert_num_queries(10):  # the htmx ledger partial: the same reads
        generic_client.get("/accounts/0045MAK/", {"page": "2", "sort": "amount"}, headers={"HX-Request": "true"})


@pytest.mark.parametrize("rows", [5, 80])
def test_a_writers_page_has_no_edit_form_per_row_and_the_same_queries(finance_client, account, django_assert_num_queries, rows):
    for i in range(rows - 5):
        LedgerRowFactory(accountnumber="0045MAK", transaction_date=days_ago(i % 300), payment=i % 2 == 0)
    with django_assert_num_queries(10):  # the readings per day (7 and 30 days) are one of them
        response = finance_client.get("/accounts/0045MAK/", {"page": "2"} if rows > 25 else {})
    body = response.content.decode()
    assert body.count("<dialog") == 1  # "Add a row" only: each row's Edit link fetches its dialog
    shown = response.context["page"].object_list
    assert all(f'hx-get="/accounts/0045MAK/ledger/{row.pk}/"' in body for row in shown)


def test_the_edit_link_fetches_one_rows_dialog_in_three_queries(finance_client, account, django_assert_num_queries):
    row = AccountHistory.objects.filter(accountnumber="0045MAK").first()
    with django_assert_num_queries(3):  # session, employee, the row
        response = finance_client.get(f"/accounts/0045MAK/ledger/{row.pk}/", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and response["Vary"] and "HX-Request" in response["Vary"]
    assert body.count("<dialog") == 1 and "<html" not in body
    assert (
        f'action="/accounts/0045MAK/ledger/{row.pk}/"' in body and f'action="/accounts/0045MAK/ledger/{row.pk}/delete/"' in body
    )
    assert f'name="row{row.pk}-amount"' in body and "Delete row" in body


def test_without_javascript_the_edit_link_opens_customer_data_with_the_dialog_open(finance_client, account):
    row = AccountHistory.objects.filter(accountnumber="0045MAK").first()
    response = finance_client.get(f"/accounts/0045MAK/ledger/{row.pk}/")
    body = response.content.decode()
    assert response.status_code == 200 and "<h2>Transactions</h2>" in body
    assert f'<dialog id="ledger-{row.pk}" open' in body


def test_the_edit_dialog_of_another_accounts_row_is_not_found(finance_client, generic_client, account):
    other = LedgerRowFactory(accountnumber="0001KET")
    assert finance_client.get(f"/accounts/0045MAK/ledger/{other.pk}/", headers={"HX-Request": "true"}).status_code == 404
    row = AccountHistory.objects.filter(accountnumber="0045MAK").first()
    assert generic_client.get(f"/accounts/0045MAK/ledger/{row.pk}/", headers={"HX-Request": "true"}).status_code == 403


def test_the_newest_rows_come_from_the_account_recent_index(account):
    """Balance and last payment: two scalar subqueries served by `tblah1_account_recent` on PostgreSQL."""
    from django.db import connection

    from billing.customer_data import _newest_rows

    newest, last_payment = _newest_rows("0045MAK")
    assert newest.current_balance == Decimal("10.000") and last_payment.kwh_value == Decimal("10.000")
    if connection.vendor == "postgresql":
        from django.db.models import Q, Subquery

        rows = AccountHistory.objects.filter(accountnumber="0045MAK").order_by("-transaction_date", "-id")
        plan = AccountHistory.objects.filter(Q(pk=Subquery(rows.values("pk")[:1]))).explain()
        assert "tblah1_account_recent" in plan, plan


def test_the_twelve_month_chart_agrees_with_the_ledger_across_month_ends(generic_client):
    account_with_ledger(
        "0047MAK",
        [(days_ago(d), False, "-2.000", "-9.20", "100.000") for d in (0, 1, 6, 7, 29, 30, 31, 45, 200, 364, 400)],
    )
    data = generic_client.get("/accounts/0047MAK/").context["data"]
    labels, values = data.series.monthly()
    assert len(labels) == 12
    from billing.customer_data import _month_starts

    start = _month_starts(data.series.today, 12)[0]
    in_window = [d for d in (0, 1, 6, 7, 29, 30, 31, 45, 200, 364, 400) if days_ago(d).date() >= start]
    assert sum(values) == Decimal("2.000") * len(in_window)


def test_writers_see_add_edit_and_delete_in_dialogs(finance_client, generic_client, account):
    body = finance_client.get("/accounts/0045MAK/").content.decode()
    assert 'data-open-dialog="ledger-new"' in body and "<dialog" in body and 'id="ledger-edit"' in body
    reader = generic_client.get("/accounts/0045MAK/").content.decode()
    assert "<dialog" not in reader and "Add a row" not in reader and "ledger-edit" not in reader


def test_a_writer_adds_a_payment_at_the_tariff_of_its_time(finance_client, finance, account):
    TariffRateFactory(
        scope="site", scope_key="MAK", rate_lsl=Decimal("5.0000"), effective_from=timezone.now() - timedelta(hours=1)
    )
    when = timezone.localtime() - timedelta(hours=2)  # before the new rate: the old one applies
    response = finance_client.post(
        "/accounts/0045MAK/ledger/add/",
        {"new-when": when.strftime("%Y-%m-%dT%H:%M"), "new-kind": "payment", "new-amount": "46", "new-reason": "Cash at office"},
    )
    assert response.status_code == 302
    entry = AccountHistory.objects.filter(accountnumber="0045MAK").order_by("-id").first()
    assert (entry.kwh_value, entry.rate_used, entry.payment) == (Decimal("10.000"), Decimal("4.6000"), True)
    assert entry.current_balance == Decimal("20.000")  # 10 kWh left + 10 bought
    assert entry.history.get().history_user == finance and entry.history.get().history_change_reason == "Cash at office"


def test_a_bad_row_reopens_the_dialog_with_errors(finance_client, account):
    response = finance_client.post("/accounts/0045MAK/ledger/add/", {"new-when": "", "new-kind": "payment", "new-reason": ""})
    assert response.status_code == 400
    assert set(response.context["add_form"].errors) == {"when", "amount", "reason"}
    assert b'id="ledger-new" open' in response.content
    assert AccountHistory.objects.filter(accountnumber="0045MAK").count() == 5


def test_a_bad_edit_reopens_that_rows_dialog_with_what_was_typed(onm_client, account):
    row = AccountHistory.objects.get(accountnumber="0045MAK", kwh_value=Decimal("10.000"))
    prefix = f"row{row.pk}"
    response = onm_client.post(
        f"/accounts/0045MAK/ledger/{row.pk}/",
        {f"{prefix}-when": "", f"{prefix}-kind": "payment", f"{prefix}-amount": "92", f"{prefix}-reason": ""},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert f'<dialog id="ledger-{row.pk}" open' in body and body.count("<dialog") == 2  # this row's and "Add a row"
    assert set(response.context["edit"]["form"].errors) >= {"when", "reason"} and 'value="92"' in body


def test_a_writer_edits_and_deletes_a_row_and_balances_follow(onm_client, account):
    row = AccountHistory.objects.get(accountnumber="0045MAK", kwh_value=Decimal("10.000"))
    response = onm_client.post(
        f"/accounts/0045MAK/ledger/{row.pk}/",
        {
            f"row{row.pk}-when": timezone.localtime(row.transaction_date).strftime("%Y-%m-%dT%H:%M"),
            f"row{row.pk}-kind": "payment",
            f"row{row.pk}-amount": "92",
            f"row{row.pk}-kwh": "20",
            f"row{row.pk}-rate": "4.6",
            f"row{row.pk}-reason": "Receipt said 92",
        },
    )
    assert response.status_code == 302
    latest = AccountHistory.objects.filter(accountnumber="0045MAK").order_by("-transaction_date").first()
    assert latest.current_balance == Decimal("20.000")
    response = onm_client.post(f"/accounts/0045MAK/ledger/{row.pk}/delete/", {"reason": "Duplicate vend"})
    assert response.status_code == 302 and not AccountHistory.objects.filter(pk=row.pk).exists()
    latest = AccountHistory.objects.filter(accountnumber="0045MAK").order_by("-transaction_date").first()
    assert latest.current_balance == Decimal("0.000")


def test_a_delete_needs_a_reason(onm_client, account):
    row = AccountHistory.objects.filter(accountnumber="0045MAK").first()
    onm_client.post(f"/accounts/0045MAK/ledger/{row.pk}/delete/", {"reason": ""})
    assert AccountHistory.objects.filter(pk=row.pk).exists()


def test_rows_of_another_account_are_not_reachable(onm_client, account):
    other = LedgerRowFactory(accountnumber="0001KET")
    assert onm_client.post(f"/accounts/0045MAK/ledger/{other.pk}/delete/", {"reason": "x"}).status_code == 404
    assert AccountHistory.objects.filter(pk=other.pk).exists()


def test_generic_cannot_write_the_ledger(generic_client, account):
    row = AccountHistory.objects.filter(accountnumber="0045MAK").first()
    assert generic_client.post("/accounts/0045MAK/ledger/add/", {"new-kind": "payment"}).status_code == 403
    assert generic_client.post(f"/accounts/0045MAK/ledger/{row.pk}/", {}).status_code == 403
    assert generic_client.post(f"/accounts/0045MAK/ledger/{row.pk}/delete/", {"reason": "x"}).status_code == 403
    assert AccountHistory.objects.filter(accountnumber="0045MAK").count() == 5


def test_the_edit_dialog_leaves_the_derived_figure_empty_so_it_follows(onm_client, account):
    row = AccountHistory.objects.get(accountnumber="0045MAK", kwh_value=Decimal("10.000"))
    row.rate_used = Decimal("4.6000")
    row.save()
    form = onm_client.get(f"/accounts/0045MAK/ledger/{row.pk}/", headers={"HX-Request": "true"}).context["edit"]["form"]
    assert form.initial["kwh"] is None and form.initial["amount"] == Decimal("46.00")
    when = timezone.localtime(row.transaction_date).strftime("%Y-%m-%dT%H:%M")
    prefix = f"row{row.pk}"
    onm_client.post(
        f"/accounts/0045MAK/ledger/{row.pk}/",
        {
            f"{prefix}-when": when,
            f"{prefix}-kind": "payment",
            f"{prefix}-amount": "92",
            f"{prefix}-rate": "4.6",
            f"{prefix}-reason": "typo",
        },
    )
    row.refresh_from_db()
    assert row.kwh_value == Decimal("20.000")


def test_each_ledger_row_shows_its_figures_and_a_writer_gets_its_edit_and_delete_links(onm_client, account):
    row = AccountHistory.objects.get(accountnumber="0045MAK", kwh_value=Decimal("-40.000"))
    row.rate_used = None
    row.save()
    body = onm_client.get("/accounts/0045MAK/").content.decode()
    when = timezone.localtime(row.transaction_date).strftime("%Y-%m-%d %H:%M")
    assert (
        f'<td class="nowrap">{when}</td>\n      <td><span class="badge">Consumption</span></td>\n'
        '      <td class="num">M -184.00</td>\n      <td class="num">-40.000</td>\n'
        '      <td class="num">60.000</td>\n      <td class="num">—</td>'
    ) in body
    assert '<td class="num">M 460.00</td>\n      <td class="num">100.000</td>' in body
    assert f'href="{reverse("billing:ledger_edit", args=["0045MAK", row.pk])}"' in body
    dialog = onm_client.get(reverse("billing:ledger_edit", args=["0045MAK", row.pk]), headers={"HX-Request": "true"})
    assert f'action="{reverse("billing:ledger_edit", args=["0045MAK", row.pk])}"' in dialog.content.decode()
    assert f'action="{reverse("billing:ledger_delete", args=["0045MAK", row.pk])}"' in dialog.content.decode()
