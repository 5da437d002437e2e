"""The API contract (SPEC §2): for each endpoint under /api/, the keys and JSON types of its answer and of each of
its errors, pinned, and checked against what the OpenAPI schema declares. A client written for the old server
(the O&M portal, a sibling service) reads exactly these shapes: a change here is a change of contract.

Shapes: a dict lists every key (no more, no fewer); [shape] is a list whose items all have that shape (an empty
list passes); NUMBER is a JSON number (never a string); Nullable(shape) may also be null; Map(shape) is an object
with any keys whose values have that shape; Row(fixed, rest) is an object with the fixed keys plus any others
whose values have shape ``rest`` (the per-type columns of a chart row)."""

import json
from dataclasses import dataclass

import pytest
from django.test import Client

from reports.api import OM_REPORT_ENDPOINTS
from tests.factories import TEST_PASSWORD
from tests.reports.factories import build_report_dataset
from tests.security.urlmatrix import bearer_for

pytestmark = pytest.mark.django_db

NUMBER = "number"


@dataclass(frozen=True)
class Nullable:
    shape: object


@dataclass(frozen=True)
class Map:
    shape: object


@dataclass(frozen=True)
class Row:
    fixed: dict
    rest: object


def mismatches(value, shape, where="$"):
    """Where ``value`` differs from ``shape``: a list of readable problems (empty when it conforms)."""
    if isinstance(shape, Nullable):
        return [] if value is None else mismatches(value, shape.shape, where)
    if shape == NUMBER:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return [] if ok else [f"{where}: expected a number, got {value!r}"]
    if isinstance(shape, type):
        ok = isinstance(value, shape) and not (shape is int and isinstance(value, bool))
        return [] if ok else [f"{where}: expected {shape.__name__}, got {value!r}"]
    if isinstance(shape, list):
        if not isinstance(value, list):
            return [f"{where}: expected a list, got {value!r}"]
        return [problem for i, item in enumerate(value) for problem in mismatches(item, shape[0], f"{where}[{i}]")]
    if isinstance(shape, Map):
        if not isinstance(value, dict):
            return [f"{where}: expected an object, got {value!r}"]
        return [problem for key, item in value.items() for problem in mismatches(item, shape.shape, f"{where}.{key}")]
    if isinstance(shape, Row):
        if not isinstance(value, dict) or not set(shape.fixed) <= set(value):
            return [f"{where}: expected an object with {sorted(shape.fixed)}, got {value!r}"]
        fixed = [p for key, s in shape.fixed.items() for p in mismatches(value[key], s, f"{where}.{key}")]
        rest = [p for key in set(value) - set(shape.fixed) for p in mismatches(value[key], shape.rest, f"{where}.{key}")]
        return fixed + rest
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return [f"{where}: expected an object, got {value!r}"]
        if set(value) != set(shape):
            return [f"{where}: keys {sorted(value)} instead of {sorted(shape)}"]
        return [problem for key, s in shape.items() for problem in mismatches(value[key], s, f"{where}.{key}")]
    raise AssertionError(f"unknown shape {shape!r}")


def conforms(response, status, shape):
    assert response.status_code == status, response.content[:500]
    if shape is None:
        assert response.content == b""
        return
    assert response["Content-Type"] == "application/json"
    problems = mismatches(json.loads(response.content), shape)
    assert not problems, "\n".join(problems)


DETAIL = {"detail": str}


def field_errors(*fields):
    return {**{field: [str] for field in fields}, "detail": str}


PERMISSIONS = {"write_customers": bool, "write_transactions": bool, "manage_roles": bool}
TOKEN_PAIR = {"access_token": str, "refresh_token": str, "token_type": str, "expires_in": int}
LOGIN = {
    **TOKEN_PAIR,
    "user": {
        "user_type": str,
        "employee_id": str,
        "name": str,
        "email": str,
        "cc_role": str,
        "permissions": PERMISSIONS,
    },
}
ME = {"user_type": str, "user_id": str, "role": str, "name": str, "email": str, "permissions": PERMISSIONS}

_SITE_QUARTERS = {"site": str, "name": str, "quarters": Map(NUMBER)}
_GVC = {
    "generated_kwh": NUMBER,
    "sold_kwh": NUMBER,
    "metered_kwh": NUMBER,
    "readings_kwh": NUMBER,
    "loss_ratio": Nullable(NUMBER),
}
OM_REPORT = {
    "overview": {
        "total_customers": int,
        "active_customers": int,
        "terminated_customers": int,
        "total_sites": int,
        "sites": [str],
        "total_mwh": NUMBER,
        "total_lsl_thousands": NUMBER,
    },
    "customer-stats": {
        "sites": [{"concession": str, "total": int, "active": int, "new": int, "activation_rate": NUMBER}],
        "totals": {"total": int, "active": int, "new": int},
        "quarter": Nullable(str),
    },
    "customer-growth": {"growth": [{"quarter": str, "new_customers": int, "cumulative": int}], "total": int},
    "consumption-by-site": {
        "sites": [{**_SITE_QUARTERS, "total_kwh": NUMBER}],
        "total_kwh": NUMBER,
        "source_table": str,
        "quarter_filter": Nullable(str),
    },
    "sales-by-site": {
        "sites": [{**_SITE_QUARTERS, "total_lsl": NUMBER}],
        "total_lsl": NUMBER,
        "source_table": str,
        "quarter_filter": Nullable(str),
    },
    "cumulative-trends": {
        "trends": [{"quarter": str, "kwh": NUMBER, "lsl": NUMBER, "cumulative_kwh": NUMBER, "cumulative_lsl": NUMBER}],
        "source_table": str,
    },
    "avg-consumption-trend": {
        "trends": [
            {
                "quarter": str,
                "customers": int,
                "total_kwh": NUMBER,
                "total_lsl": NUMBER,
                "avg_daily_kwh_per_customer": NUMBER,
                "avg_daily_lsl_per_customer": NUMBER,
            }
        ],
        "source_table": str,
    },
    "site-overview": {"sites": [{"concession": str, "abbreviation": str, "district": str, "customer_count": int}]},
    "load-curves-by-type": {
        "curves": [
            {
                "type": str,
                "total_kwh": NUMBER,
                "total_lsl": NUMBER,
                "customer_count": int,
                "avg_daily_kwh": NUMBER,
                "avg_daily_kwh_per_customer": NUMBER,
            }
        ],
        "quarterly": [Row({"quarter": str}, NUMBER)],
        "customer_types": [str],
        "total_typed_customers": int,
        "source_table": str,
        "meter_source": str,
        "quarter_filter": Nullable(str),
    },
    "daily-load-profiles": {
        "profiles": [
            {
                "type": str,
                "meter_count": int,
                "hourly": [{"hour": int, "avg_kw": NUMBER, "readings": int}],
                "peak_hour": int,
                "peak_kw": NUMBER,
            }
        ],
        "chart_data": [Row({"hour": str}, NUMBER)],
        "customer_types": [str],
        "total_readings": int,
        "meter_source": str,
        "site_filter": Nullable(str),
        "quarter_filter": Nullable(str),
    },
    "arpu": {
        "arpu": [
            {
                "quarter": str,
                "total_revenue": NUMBER,
                "active_customers": int,
                "arpu": NUMBER,
                "per_site": Map({"name": str, "revenue": NUMBER, "customers": int, "arpu": NUMBER}),
            }
        ],
        "site_codes": [str],
        "site_names": Map(str),
        "source_table": str,
    },
    "generation-vs-consumption": {
        "rows": [{"site": str, "name": str, "month": str, **_GVC}],
        "totals": _GVC,
        "site_filter": Nullable(str),
        "quarter_filter": Nullable(str),
    },
}
# The parameters each endpoint takes, and a malformed value of each (400 naming the parameter).
OM_REPORT_PARAMS = {
    "customer-stats": {"quarter"},
    "consumption-by-site": {"quarter", "site"},
    "sales-by-site": {"quarter", "site"},
    "load-curves-by-type": {"quarter"},
    "daily-load-profiles": {"quarter", "site"},
    "generation-vs-consumption": {"quarter", "site"},
}
MALFORMED = {"quarter": "Q4 2025", "site": "M4K;"}
GOOD = {"quarter": "2024 Q2", "site": "MAK"}

LEDGER_ROW = {
    "id": int,
    "transaction_date": str,
    "transaction_amount": NUMBER,
    "rate_used": Nullable(NUMBER),
    "kwh_value": NUMBER,
    "current_balance": Nullable(NUMBER),
}
LOOKUP = {
    "query": str,
    "kind": str,
    "searched": str,
    "hint": str,
    "payments": [dict],
    "account": Nullable(
        {"accountnumber": str, "customer_id": Nullable(int), "balance_kwh": NUMBER, "recent_payments": [LEDGER_ROW]}
    ),
    "phone_accounts": [str],
}


@pytest.fixture
def api(generic):
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = bearer_for(generic)
    return client


def post_json(client, url, payload):
    return client.post(url, data=json.dumps(payload), content_type="application/json")


# --- /api/auth/* ----------------------------------------------------------------------------------------------


def test_employee_login(client, generic, make_employee, settings):
    url = "/api/auth/employee-login"
    conforms(post_json(client, url, {"employee_id": "9004", "password": TEST_PASSWORD}), 200, LOGIN)
    conforms(post_json(client, url, {}), 400, field_errors("employee_id", "password"))
    conforms(client.post(url, data="{", content_type="application/json"), 400, field_errors("non_field_errors"))
    conforms(post_json(client, url, {"employee_id": "9004", "password": "wrong-password"}), 401, DETAIL)
    make_employee(employee_id="4343", must_change_password=True)
    conforms(post_json(client, url, {"employee_id": "4343", "password": TEST_PASSWORD}), 403, DETAIL)
    conforms(client.get(url), 405, DETAIL)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_json(client, url, {"employee_id": "9004", "password": "wrong-password"})
    conforms(post_json(client, url, {"employee_id": "9004", "password": TEST_PASSWORD}), 429, DETAIL)


def test_me_and_verify(api, client):
    conforms(api.get("/api/auth/me"), 200, ME)
    conforms(client.get("/api/auth/me"), 401, DETAIL)
    conforms(client.get("/api/auth/me", HTTP_AUTHORIZATION="Bearer nonsense"), 401, DETAIL)
    conforms(api.get("/api/auth/verify"), 204, None)
    conforms(client.get("/api/auth/verify"), 401, DETAIL)
    conforms(api.post("/api/auth/me"), 405, DETAIL)


def test_refresh_and_logout(client, onm):
    tokens = post_json(client, "/api/auth/employee-login", {"employee_id": "9002", "password": TEST_PASSWORD}).json()
    fresh = post_json(client, "/api/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    conforms(fresh, 200, TOKEN_PAIR)
    for url in ("/api/auth/refresh", "/api/auth/logout"):
        conforms(post_json(client, url, {}), 400, field_errors("refresh_token"))
        conforms(post_json(client, url, {"refresh_token": "nonsense"}), 401, DETAIL)
    conforms(post_json(client, "/api/auth/logout", {"refresh_token": fresh.json()["refresh_token"]}), 204, None)


# --- /api/om-report/* -----------------------------------------------------------------------------------------


def test_the_contract_names_every_om_report_endpoint():
    assert set(OM_REPORT) == set(OM_REPORT_ENDPOINTS)


@pytest.mark.parametrize("name", sorted(OM_REPORT))
def test_om_report(api, client, name):
    url = f"/api/om-report/{name}"
    conforms(api.get(url), 200, OM_REPORT[name])  # empty database
    build_report_dataset()
    body = api.get(url).json()
    conforms(api.get(url), 200, OM_REPORT[name])
    assert any(value not in ([], 0, None, {}) for value in body.values()), "the dataset shows in every endpoint"
    params = OM_REPORT_PARAMS.get(name, set())
    if params:
        conforms(api.get(url, {p: GOOD[p] for p in params}), 200, OM_REPORT[name])
    for param in params:
        conforms(api.get(url, {param: MALFORMED[param]}), 400, field_errors(param))
    conforms(client.get(url), 401, DETAIL)
    conforms(api.post(url), 405, DETAIL)


# --- /api/payments/lookup, the schema, unknown paths ---------------------------------------------------------


def test_payment_lookup(api, client):
    build_report_dataset()
    found = api.get("/api/payments/lookup", {"q": "0001MAK"})
    conforms(found, 200, LOOKUP)
    assert found.json()["account"] is not None
    conforms(api.get("/api/payments/lookup", {"q": "ab"}), 400, field_errors("q"))
    conforms(client.get("/api/payments/lookup", {"q": "0001MAK"}), 401, DETAIL)


def test_schema_and_unknown_paths(api, client):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200 and {"openapi", "paths", "components"} <= set(schema.json())
    conforms(client.get("/api/schema/"), 401, DETAIL)
    conforms(api.get("/api/no-such-endpoint"), 404, DETAIL)
    conforms(api.get("/api/auth/me/"), 404, DETAIL)


# --- the schema declares the same shapes ----------------------------------------------------------------------


def _declared(schema, ref_or_schema):
    if "$ref" in ref_or_schema:
        return schema["components"]["schemas"][ref_or_schema["$ref"].rsplit("/", 1)[1]]
    return ref_or_schema


def _response_schema(schema, path, method, status):
    response = schema["paths"][path][method]["responses"][str(status)]
    return _declared(schema, response["content"]["application/json"]["schema"])


@pytest.fixture
def openapi(api):
    return api.get("/api/schema/", HTTP_ACCEPT="application/json").json()


def test_the_schema_declares_the_keys_of_every_answer(openapi):
    expected = {
        ("/api/auth/employee-login", "post", 200): LOGIN,
        ("/api/auth/me", "get", 200): ME,
        ("/api/auth/refresh", "post", 200): TOKEN_PAIR,
        ("/api/auth/employee-login", "post", 400): field_errors("employee_id", "password", "non_field_errors"),
        ("/api/auth/refresh", "post", 400): field_errors("refresh_token", "non_field_errors"),
        ("/api/payments/lookup", "get", 200): LOOKUP,
        **{(f"/api/om-report/{name}", "get", 200): shape for name, shape in OM_REPORT.items()},
    }
    for (path, method, status), shape in expected.items():
        declared = _response_schema(openapi, path, method, status)
        assert set(declared["properties"]) == set(shape), (path, status)


def test_the_schema_says_where_a_figure_differs_from_the_old_system(openapi):
    def field(component, name):
        return openapi["components"]["schemas"][component]["properties"][name]

    assert "total_customers − terminated_customers" in field("OmOverview", "active_customers")["description"]
    assert "payment rows only" in field("OmOverview", "total_mwh")["description"]
    assert field("OmCustomerStats", "quarter")["nullable"] is True
    assert "null for all time" in field("OmCustomerStats", "quarter")["description"]
    assert "the old system answered 0" in field("OmCustomerStatsSite", "new")["description"]
    assert "time order" in field("OmCumulativeTrends", "trends")["description"]
    assert "terminated during the quarter" in field("OmArpuQuarter", "active_customers")["description"]
    assert "Concession name" in field("OmSite", "concession")["description"]
    for name in ("customer-stats", "consumption-by-site", "sales-by-site", "daily-load-profiles"):
        for status in ("400",):
            declared = _declared(openapi, openapi["paths"][f"/api/om-report/{name}"]["get"]["responses"][status]
                                 ["content"]["application/json"]["schema"])  # fmt: skip
            assert "detail" in declared["properties"], name
