"""The O&M report page keeps its figures for CC_OM_REPORT_CACHE_SECONDS (one gathering per quarter and site), says
when they were gathered, and draws the figures once per gathering; downloads always gather afresh."""

from datetime import timedelta

import pytest

from ccportal.quarters import quarter_parse_optional
from reports.om_report import om_report_recent
from tests.factories import LedgerRowFactory, aware
from tests.reports.factories import build_report_dataset

pytestmark = pytest.mark.django_db
Q2 = {"quarter": "2024 Q2"}


@pytest.fixture
def dataset(db):
    build_report_dataset()


NOW = 1_800_000_030.0  # 2027-01-15 08:00:30 UTC (10:00:30 in Maseru): 30 s into a one-minute window


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    """A fixed clock for the windows (a test never straddles two of them)."""
    from types import SimpleNamespace

    monkeypatch.setattr("reports.om_report.time", SimpleNamespace(time=lambda: NOW))


def _kwh_sold(html):
    # Table 1's total row: the kWh sold column of the quarter
    return html.split('<tr class="total">')[1].split("</tr>")[0]


def test_a_second_visit_reads_the_kept_figures_without_a_query_for_them(generic_client, dataset, django_assert_max_num_queries):
    first = generic_client.get("/reports/om/", Q2)
    assert first.status_code == 200 and "Figures gathered after" in first.content.decode()
    # Only the session, the user, the quarter picker and the site list: no aggregate, no rollup.
    with django_assert_max_num_queries(6) as queries:
        second = generic_client.get("/reports/om/", Q2)
    assert not any("cc_rollup" in q["sql"] or "SUM(" in q["sql"].upper() for q in queries.captured_queries)
    assert second.context["report"]["built_at"] == first.context["report"]["built_at"]
    assert _kwh_sold(second.content.decode()) == _kwh_sold(first.content.decode())
    # The figures were drawn once: the second page holds the same charts, byte for byte.
    assert second.content.decode().count("<svg") == first.content.decode().count("<svg") >= 12


def test_the_kept_figures_are_gathered_again_once_they_are_older_than_the_setting(generic_client, dataset, settings, monkeypatch):
    quarter = quarter_parse_optional("2024 Q2")
    before = om_report_recent(quarter=quarter)
    LedgerRowFactory(accountnumber="0045MAK", payment=True, transaction_date=aware(2024, 5, 2), kwh_value=100)
    assert om_report_recent(quarter=quarter)["built_at"] == before["built_at"]  # kept: a minute old at most

    from django.core.cache import cache

    cache.clear()  # what the timeout does after CC_OM_REPORT_CACHE_SECONDS
    after = om_report_recent(quarter=quarter)
    assert after["built_at"] > before["built_at"]
    assert _kwh_sold(generic_client.get("/reports/om/", Q2).content.decode()) != ""
    assert after["overview"] != before["overview"] or after["site_table"].total != before["site_table"].total


def test_each_quarter_and_site_is_kept_apart(dataset):
    q1, q2 = quarter_parse_optional("2024 Q1"), quarter_parse_optional("2024 Q2")
    assert om_report_recent(quarter=q1)["quarter"] == q1
    assert om_report_recent(quarter=q2)["quarter"] == q2
    assert om_report_recent(quarter=q2, site="MAK")["site"] == "MAK"
    assert om_report_recent(quarter=q2)["site"] is None


def test_zero_seconds_gathers_every_time(dataset, settings):
    settings.CC_OM_REPORT_CACHE_SECONDS = 0
    quarter = quarter_parse_optional("2024 Q2")
    first = om_report_recent(quarter=quarter)
    assert om_report_recent(quarter=quarter)["built_at"] > first["built_at"] and first["as_of"] is None


def test_the_page_says_when_its_figures_were_gathered(generic_client, dataset):
    html = generic_client.get("/reports/om/", Q2).content.decode()
    # The window's start, in Maseru (UTC+2): the same for every process that answers.
    assert "Figures gathered after 10:00:00; they are gathered again every 60 seconds." in html


def test_the_kept_figures_last_to_the_end_of_their_window(dataset, monkeypatch):
    from django.core.cache import cache

    timeouts = []
    monkeypatch.setattr(cache, "set", lambda key, value, timeout: timeouts.append(timeout))
    om_report_recent(quarter=quarter_parse_optional("2024 Q2"))
    assert timeouts == [30]  # 30 s into a 60 s window


def test_every_process_says_the_same_as_of_so_an_unchanged_page_keeps_its_etag(generic_client, dataset):
    """Each gunicorn worker keeps its own copy; the windows make their pages equal, so a browser gets 304."""
    from django.core.cache import cache

    first = generic_client.get("/reports/om/", Q2, headers={"accept-encoding": "gzip"})
    cache.clear()  # another worker: its own, later gathering in the same window
    second = generic_client.get("/reports/om/", Q2, headers={"accept-encoding": "gzip", "if-none-match": first["ETag"]})
    assert second.status_code == 304


def test_a_new_window_gathers_again(dataset, monkeypatch):
    from types import SimpleNamespace

    quarter = quarter_parse_optional("2024 Q2")
    first = om_report_recent(quarter=quarter)
    monkeypatch.setattr("reports.om_report.time", SimpleNamespace(time=lambda: NOW + 30))
    later = om_report_recent(quarter=quarter)
    assert later["as_of"] - first["as_of"] == timedelta(seconds=60) and later["built_at"] > first["built_at"]


def test_downloads_gather_afresh(generic_client, dataset, monkeypatch):
    generic_client.get("/reports/om/", Q2)  # keeps figures

    def kept(**kwargs):
        raise AssertionError("a download read the kept figures")

    monkeypatch.setattr("reports.views.om_report_recent", kept)
    assert generic_client.get("/reports/om/report.xlsx", Q2).status_code == 200


def test_the_forms_above_the_kept_figures_carry_each_user_s_own_token(generic, onm, dataset):
    """The figures are kept for everyone; the job forms beside them are drawn per request (a kept form would carry
    the first visitor's CSRF token and refuse everyone else's post)."""
    import re

    from django.test import Client

    tokens = []
    for employee in (generic, onm):
        client = Client(enforce_csrf_checks=True)
        client.force_login(employee)
        html = client.get("/reports/om/", Q2).content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        tokens.append(token)
        response = client.post("/jobs/start/om_report", {"csrfmiddlewaretoken": token, "format": "xlsx", "quarter": "2024 Q2"})
        assert response.status_code != 403, employee
    assert tokens[0] != tokens[1]
