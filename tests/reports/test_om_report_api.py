"""/api/om-report/*: every figure against hand-computed values, field names, errors, empty database, queries."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from reports.api import OM_REPORT_ENDPOINTS
from tests.factories import CustomerFactory
from tests.reports.factories import build_report_dataset

pytestmark = pytest.mark.django_db

URL = "/api/om-report/"


@pytest.fixture
def api(generic):
    client = APIClient()
    client.force_authenticate(generic)
    return client


@pytest.fixture
def dataset(db):
    build_report_dataset()


def get(api, name, **params):
    response = api.get(URL + name, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_it_refuses_anonymous_callers():
    for name in OM_REPORT_ENDPOINTS:
        assert APIClient().get(URL + name).status_code in (401, 403)


def test_it_answers_every_role(role_user):
    client = APIClient()
    client.force_authenticate(role_user)
    assert client.get(URL + "overview").status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "customer-stats",
        "consumption-by-site",
        "sales-by-site",
        "load-curves-by-type",
        "daily-load-profiles",
        "generation-vs-consumption",
    ],
)
def test_it_rejects_a_malformed_quarter_naming_the_form(api, name):
    response = api.get(URL + name, {"quarter": "Q4 2025"})
    assert response.status_code == 400
    assert "quarter" in response.json()
    assert "2025 Q4" in response.json()["quarter"][0]


def test_it_rejects_a_malformed_site(api):
    response = api.get(URL + "daily-load-profiles", {"site": "M4K;"})
    assert response.status_code == 400
    assert list(response.json()) == ["site", "detail"]
    assert response.json()["detail"].startswith("site: 'M4K;' is not a site code")


def test_it_computes_the_overview(api, dataset):
    assert get(api, "overview") == {
        "total_customers": 4,
        "active_customers": 3,
        "terminated_customers": 1,
        "total_sites": 2,
        "sites": ["MAK", "MAS"],
        "total_mwh": 0.051,  # 51.1 kWh of payment rows; consumption rows are not sales
        "total_lsl_thousands": 0.26,  # 255.50 LSL
    }


def test_the_overview_counts_active_as_total_minus_terminated(api, dataset):
    """As the old server: every customer without a termination date is active, connected yet or not; one with a
    termination date is not, whatever the date (here a date still to come)."""
    from datetime import date

    from tests.factories import CustomerFactory

    CustomerFactory(site_code="MAK", date_service_connected=None)  # waiting for a connection
    CustomerFactory(site_code="MAK", date_service_connected=date(2024, 1, 1), date_service_terminated=date(2099, 1, 1))
    body = get(api, "overview")
    assert (body["total_customers"], body["terminated_customers"], body["active_customers"]) == (6, 2, 4)
    assert body["active_customers"] + body["terminated_customers"] == body["total_customers"]


def test_customer_stats_without_a_quarter_are_all_time(api, dataset):
    assert get(api, "customer-stats") == {
        "sites": [
            {"concession": "MAK", "total": 2, "active": 2, "new": 2, "activation_rate": 100.0},
            {"concession": "MAS", "total": 2, "active": 1, "new": 2, "activation_rate": 50.0},
        ],
        "totals": {"total": 4, "active": 3, "new": 4},
        "quarter": None,
    }


def test_it_computes_customer_stats_for_a_quarter(api, dataset):
    body = get(api, "customer-stats", quarter="2024 Q2")
    assert body == {
        "sites": [
            {"concession": "MAK", "total": 2, "active": 2, "new": 1, "activation_rate": 100.0},
            {"concession": "MAS", "total": 2, "active": 1, "new": 0, "activation_rate": 50.0},
        ],
        "totals": {"total": 4, "active": 3, "new": 1},
        "quarter": "2024 Q2",
    }
    # terminated on 30 June: active in Q2, not in Q3
    q3 = get(api, "customer-stats", quarter="2024q3")
    assert [s["active"] for s in q3["sites"]] == [2, 0]


def test_customer_stats_count_a_site_code_however_it_is_spelt_as_the_site_overview_does(api, db):
    # Legacy rows keep `Concession name` as typed: "mak" is MAK, as in site-overview, overview and arpu.
    CustomerFactory(site_code="MAK", date_service_connected=date(2024, 1, 15))
    CustomerFactory(site_code="mak", date_service_connected=date(2024, 2, 1), date_service_terminated=date(2024, 3, 1))
    assert get(api, "customer-stats")["sites"] == [
        {"concession": "MAK", "total": 2, "active": 1, "new": 2, "activation_rate": 50.0}
    ]
    assert next(s for s in get(api, "site-overview")["sites"] if s["abbreviation"] == "MAK")["customer_count"] == 2


def test_it_computes_customer_growth_in_time_order_with_gaps(api, dataset):
    assert get(api, "customer-growth") == {
        "growth": [
            {"quarter": "2024 Q1", "new_customers": 2, "cumulative": 2},
            {"quarter": "2024 Q2", "new_customers": 1, "cumulative": 3},
            {"quarter": "2024 Q3", "new_customers": 0, "cumulative": 3},
            {"quarter": "2024 Q4", "new_customers": 1, "cumulative": 4},
        ],
        "total": 4,
    }


def test_it_computes_energy_sold_by_site(api, dataset):
    body = get(api, "consumption-by-site")
    assert body["total_kwh"] == 51.1
    assert body["source_table"] == "tblaccounthistory1"
    assert body["quarter_filter"] is None
    mak = body["sites"][0]
    assert mak == {
        "site": "MAK",
        "name": "Ha Makebe",
        "total_kwh": 35.1,
        "quarters": {"2024 Q1": 10.0, "2024 Q2": 25.1, "2024 Q3": 0.0, "2024 Q4": 0.0, "2025 Q1": 0.0},
    }
    assert list(mak["quarters"]) == ["2024 Q1", "2024 Q2", "2024 Q3", "2024 Q4", "2025 Q1"]
    assert [(s["site"], s["total_kwh"]) for s in body["sites"]] == [("MAK", 35.1), ("MAS", 14.0), ("XYZ", 2.0)]


def test_it_computes_sales_by_site_for_a_quarter_and_site(api, dataset):
    body = get(api, "sales-by-site", quarter="2024 Q2")
    assert body["total_lsl"] == 135.5
    assert [(s["site"], s["total_lsl"], s["quarters"]) for s in body["sites"]] == [
        ("MAK", 125.5, {"2024 Q2": 125.5}),
        ("XYZ", 10.0, {"2024 Q2": 10.0}),
    ]
    assert body["quarter_filter"] == "2024 Q2"
    only_mas = get(api, "sales-by-site", site="mas")
    assert only_mas["total_lsl"] == 70.0


def test_it_computes_cumulative_trends(api, dataset):
    trends = get(api, "cumulative-trends")["trends"]
    assert [(t["quarter"], t["kwh"], t["lsl"], t["cumulative_kwh"], t["cumulative_lsl"]) for t in trends] == [
        ("2024 Q1", 16.0, 80.0, 16.0, 80.0),
        ("2024 Q2", 27.1, 135.5, 43.1, 215.5),
        ("2024 Q3", 0.0, 0.0, 43.1, 215.5),
        ("2024 Q4", 0.0, 0.0, 43.1, 215.5),
        ("2025 Q1", 8.0, 40.0, 51.1, 255.5),
    ]


def test_it_computes_the_average_daily_trend_per_active_customer(api, dataset):
    trends = get(api, "avg-consumption-trend")["trends"]
    first, second, third, _, last = trends
    assert first == {
        "quarter": "2024 Q1",
        "customers": 2,
        "total_kwh": 16.0,
        "total_lsl": 80.0,
        "avg_daily_kwh_per_customer": 0.0879,  # 16 / (2 × 91 days)
        "avg_daily_lsl_per_customer": 0.4396,  # 80 / 182
    }
    assert (second["customers"], second["avg_daily_kwh_per_customer"], second["avg_daily_lsl_per_customer"]) == (
        3,
        0.0993,  # 27.1 / 273
        0.4963,
    )
    assert (third["customers"], third["total_kwh"], third["avg_daily_kwh_per_customer"]) == (2, 0.0, 0.0)
    assert (last["quarter"], last["customers"], last["avg_daily_kwh_per_customer"]) == ("2025 Q1", 3, 0.0296)


def test_it_lists_every_site_in_the_site_overview(api, dataset):
    sites = get(api, "site-overview")["sites"]
    assert len(sites) == 15
    assert sites[sites.index(next(s for s in sites if s["abbreviation"] == "MAK"))] == {
        "concession": "Ha Makebe",
        "abbreviation": "MAK",
        "district": "Maseru",
        "customer_count": 2,
    }
    assert sum(s["customer_count"] for s in sites) == 4


def test_it_computes_load_curves_by_type(api, dataset):
    body = get(api, "load-curves-by-type")
    assert body["customer_types"] == ["HH", "SME"]
    assert body["total_typed_customers"] == 4
    hh, sme = body["curves"]
    # 5 quarters 2024 Q1..2025 Q1 = 91 + 91 + 92 + 92 + 90 = 456 days
    assert hh == {
        "type": "HH",
        "total_kwh": 44.0,
        "total_lsl": 220.0,
        "customer_count": 3,
        "avg_daily_kwh": 0.0965,
        "avg_daily_kwh_per_customer": 0.0322,
    }
    assert (sme["total_kwh"], sme["customer_count"], sme["avg_daily_kwh"]) == (5.1, 1, 0.0112)
    assert body["quarterly"][1] == {"quarter": "2024 Q2", "HH": 20.0, "SME": 5.1}
    q2 = get(api, "load-curves-by-type", quarter="2024 Q2")
    assert [(c["type"], c["customer_count"], c["total_kwh"]) for c in q2["curves"]] == [("HH", 1, 20.0), ("SME", 1, 5.1)]
    assert q2["quarter_filter"] == "2024 Q2"


def test_total_typed_customers_counts_accounts_with_a_type_whatever_they_bought(api, dataset):
    """As the old server's len(account → type): accounts with a known type, with or without payments."""
    from tests.factories import AccountNumberFactory

    AccountNumberFactory(accountnumber="0003MAK", meter__customer_type="SCH")  # typed, never paid
    AccountNumberFactory(accountnumber="0004MAK", customer__customer_type="", meter__customer_type="")  # no type
    body = get(api, "load-curves-by-type")
    assert body["total_typed_customers"] == 5
    assert body["customer_types"] == ["HH", "SME"]  # types of the period's payments


def test_it_computes_daily_load_profiles(api, dataset):
    body = get(api, "daily-load-profiles", site="MAK")
    assert body["customer_types"] == ["HH", "SME"]
    assert body["total_readings"] == 3  # the reading of a meter missing from tblmeter is left out
    hh, sme = body["profiles"]
    assert (hh["meter_count"], hh["peak_hour"], hh["peak_kw"]) == (1, 18, 1.0)
    assert hh["hourly"][18] == {"hour": 18, "avg_kw": 1.0, "readings": 2}
    assert len(hh["hourly"]) == 24
    assert (sme["peak_hour"], sme["peak_kw"]) == (9, 2.0)
    assert body["chart_data"][18] == {"hour": "18:00", "HH": 1.0, "SME": 0.0}
    assert body["site_filter"] == "MAK"
    assert get(api, "daily-load-profiles", site="MAS")["profiles"] == []


def test_it_computes_arpu_per_quarter_and_site(api, dataset):
    body = get(api, "arpu")
    assert body["site_codes"] == ["MAK", "MAS", "XYZ"]
    assert body["site_names"] == {"MAK": "Ha Makebe", "MAS": "Mashai", "XYZ": "XYZ"}
    q1, q2, q3, q4, q5 = body["arpu"]
    assert (q1["quarter"], q1["total_revenue"], q1["active_customers"], q1["arpu"]) == ("2024 Q1", 80.0, 2, 40.0)
    assert q1["per_site"]["MAK"] == {"name": "Ha Makebe", "revenue": 50.0, "customers": 1, "arpu": 50.0}
    assert (q2["total_revenue"], q2["active_customers"], q2["arpu"]) == (135.5, 3, 45.17)
    assert q2["per_site"]["MAK"]["arpu"] == 62.75
    assert q2["per_site"]["XYZ"] == {"name": "XYZ", "revenue": 10.0, "customers": 0, "arpu": 0.0}
    assert (q3["active_customers"], q3["arpu"]) == (2, 0.0)
    assert (q5["quarter"], q5["total_revenue"], q5["active_customers"], q5["arpu"]) == ("2025 Q1", 40.0, 3, 13.33)


def test_it_computes_generation_vs_consumption(api, dataset):
    body = get(api, "generation-vs-consumption", site="MAK", quarter="2024 Q1")
    assert body["rows"] == [
        {
            "site": "MAK",
            "name": "Ha Makebe",
            "month": "2024-02",
            "generated_kwh": 150.0,
            "sold_kwh": 10.0,
            "metered_kwh": 4.0,
            "readings_kwh": 0.0,
            "loss_ratio": 0.9733,  # (150 − 4) / 150
        }
    ]
    everything = get(api, "generation-vs-consumption")
    assert everything["totals"] == {
        "generated_kwh": 150.0,
        "sold_kwh": 51.1,
        "metered_kwh": 6.0,
        "readings_kwh": 2.167,  # (0.5 + 1.5 + 2.0 + 9.0) kW × 1/6 h
        "loss_ratio": 0.96,
    }
    months = [(r["site"], r["month"]) for r in everything["rows"]]
    assert months == sorted(months)
    assert everything["rows"][-1]["loss_ratio"] is None


EMPTY = {
    "overview": {"total_customers": 0, "total_mwh": 0.0, "sites": []},
    "customer-stats": {"sites": [], "totals": {"total": 0, "active": 0, "new": 0}},
    "customer-growth": {"growth": [], "total": 0},
    "consumption-by-site": {"sites": [], "total_kwh": 0.0},
    "sales-by-site": {"sites": [], "total_lsl": 0.0},
    "cumulative-trends": {"trends": []},
    "avg-consumption-trend": {"trends": []},
    "load-curves-by-type": {"curves": [], "quarterly": [], "customer_types": []},
    "daily-load-profiles": {"profiles": [], "chart_data": [], "total_readings": 0},
    "arpu": {"arpu": [], "site_codes": []},
    "generation-vs-consumption": {
        "rows": [],
        "totals": {"generated_kwh": 0.0, "sold_kwh": 0.0, "metered_kwh": 0.0, "readings_kwh": 0.0, "loss_ratio": None},
    },
}


@pytest.mark.parametrize("name", sorted(EMPTY))
def test_it_answers_an_empty_database_with_zeros(api, name):
    body = get(api, name)
    for key, value in EMPTY[name].items():
        assert body[key] == value


FIELDS = {
    "overview": {
        "total_customers",
        "active_customers",
        "terminated_customers",
        "total_sites",
        "sites",
        "total_mwh",
        "total_lsl_thousands",
    },
    "customer-stats": {"sites", "totals", "quarter"},
    "customer-growth": {"growth", "total"},
    "consumption-by-site": {"sites", "total_kwh", "source_table", "quarter_filter"},
    "sales-by-site": {"sites", "total_lsl", "source_table", "quarter_filter"},
    "cumulative-trends": {"trends", "source_table"},
    "avg-consumption-trend": {"trends", "source_table"},
    "site-overview": {"sites"},
    "load-curves-by-type": {
        "curves",
        "quarterly",
        "customer_types",
        "total_typed_customers",
        "source_table",
        "meter_source",
        "quarter_filter",
    },
    "daily-load-profiles": {
        "profiles",
        "chart_data",
        "customer_types",
        "total_readings",
        "meter_source",
        "site_filter",
        "quarter_filter",
    },
    "arpu": {"arpu", "site_codes", "site_names", "source_table"},
    "generation-vs-consumption": {"rows", "totals", "site_filter", "quarter_filter"},
}


def test_it_keeps_the_old_field_names(api, dataset):
    assert set(FIELDS) == set(OM_REPORT_ENDPOINTS)
    for name, fields in FIELDS.items():
        assert set(get(api, name)) == fields, name
    assert set(get(api, "customer-stats")["sites"][0]) == {"concession", "total", "active", "new", "activation_rate"}
    assert set(get(api, "customer-growth")["growth"][0]) == {"quarter", "new_customers", "cumulative"}
    assert set(get(api, "avg-consumption-trend")["trends"][0]) == {
        "quarter",
        "customers",
        "total_kwh",
        "total_lsl",
        "avg_daily_kwh_per_customer",
        "avg_daily_lsl_per_customer",
    }


# Queries per endpoint (the two types of the dataset give the per-type endpoints one query each per type).
MAX_QUERIES = {
    "overview": 3,
    "customer-stats": 1,
    "customer-growth": 1,
    "consumption-by-site": 2,
    "sales-by-site": 2,
    "cumulative-trends": 1,
    "avg-consumption-trend": 2,
    "site-overview": 2,
    "load-curves-by-type": 3,
    "daily-load-profiles": 3,
    "arpu": 3,
    "generation-vs-consumption": 4,
}


@pytest.mark.parametrize("name", sorted(MAX_QUERIES))
def test_it_runs_a_fixed_number_of_queries(api, dataset, name, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_QUERIES[name]):
        get(api, name)


def test_it_publishes_every_endpoint_in_the_schema(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    text = response.content.decode()
    for name in OM_REPORT_ENDPOINTS:
        assert f"/api/om-report/{name}" in text
    assert "Differs from the old system" in text
