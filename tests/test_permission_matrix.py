"""The permission matrix: who may use which method of every URL of the project (OWASP ASVS 8.2, pretix-style).

One parametrised test walks every URL pattern (django.urls.get_resolver, recursively: the pages, the API, the
admin). A URL pattern without an entry here FAILS ("add it to the matrix"), and so does an entry whose URL no
longer exists. For each URL it sends GET and every data-changing method as anonymous, generic, finance_team,
onm_team and superadmin and checks the answer:

- allowed: anything but 401, 403, 404, 405, a redirect to a login page or a server error (on /admin/: anything
  but a redirect to its login or a server error; the admin's own 403 for read-only models is its business);
- refused: anonymous gets 302 to /login/?next=… on pages and 401 on /api/; an employee gets 403;
  on /admin/ both get 302 to /admin/login/?next=…;
- a method the entry does not list must answer 405 (or the refusal that comes first), for anonymous, generic
  and superadmin;
- where the URL names an object (kwargs), the same URL naming no object answers 404 to a role that may use it
  and the same refusal as before to one that may not (no existence oracle).

Pages use a session (force_login); /api/ URLs use a Bearer access token, never the session.
The same matrix drives tests/security/ (CSRF on every POST, no state change on GET, security headers).

HOW TO ADD A URL. Add one line to MATRIX, keyed by the URL's namespaced name (or its route if unnamed):

    "customers:detail": Entry({"GET": EMPLOYEE, "POST": WRITE_CUSTOMERS}, kwargs=lambda w: {"pk": w.customer.pk}),

- methods: {method: policy}; list every method the view serves (GET, POST, PUT, PATCH, DELETE). "*" gives the
  policy of every method not listed (for views that do not restrict methods; prefer require_GET/require_POST).
- policies: PUBLIC, EMPLOYEE, SUPERADMIN_ONLY and one per role set of accounts.roles (WRITE_CUSTOMERS,
  WRITE_TRANSACTIONS, MANAGE_TARIFFS, IMPORT_PAYMENTS, DELETE_RECORDS, REVERT_CHANGES, SYNC_ACDB,
  READ_AUDIT_DETAIL, MANAGE_ROLES); make a new one with policy("NAME", *roles), and give a role another answer
  with overrides={role: REDIRECTED or UNSERVED} (see LOGIN_ONLY).
- kwargs: a function of the World (tests/security/urlmatrix.py) giving reverse() kwargs that name real objects:
  w.employee, w.customer, w.meter, w.account, w.ledger_row, w.tariff, w.reading; add a cached_property to
  World for a new kind of object (build it with the factories).
- missing: optional; kwargs naming no object (default: int kwargs 2147483000, others "no-such-object").
- url: for an unnamed pattern, a function (world, missing=False) -> path.
Django admin pages are covered by one rule (ADMIN_RULE: superadmin only), including the pages of models
registered later; add an entry only for an admin URL that differs.
"""

import pytest

from accounts import roles
from accounts.models import Role
from tests.security.urlmatrix import (
    ALL_ROLES,
    ALLOW,
    ANONYMOUS,
    EMPLOYEE_ROLES,
    METHODS,
    OTHER_METHODS,
    REDIRECTED,
    REFUSE,
    TO_LOGIN,
    UNSERVED,
    UNSERVED_METHOD_ROLES,
    UNSIGNED,
    Entry,
    World,
    admin_url,
    all_url_cases,
    build_url,
    check,
    client_for_role,
    policy,
    send,
)

PUBLIC = policy("PUBLIC", ANONYMOUS, *EMPLOYEE_ROLES)
EMPLOYEE = policy("EMPLOYEE", *EMPLOYEE_ROLES)
SUPERADMIN_ONLY = policy("SUPERADMIN_ONLY", Role.SUPERADMIN)
WRITE_CUSTOMERS = policy("WRITE_CUSTOMERS", *roles.WRITE_CUSTOMERS)
WRITE_TRANSACTIONS = policy("WRITE_TRANSACTIONS", *roles.WRITE_TRANSACTIONS)
MANAGE_TARIFFS = policy("MANAGE_TARIFFS", *roles.MANAGE_TARIFFS)
IMPORT_PAYMENTS = policy("IMPORT_PAYMENTS", *roles.IMPORT_PAYMENTS)
DELETE_RECORDS = policy("DELETE_RECORDS", *roles.DELETE_RECORDS)
REVERT_CHANGES = policy("REVERT_CHANGES", *roles.REVERT_CHANGES)
MANAGE_ROLES = policy("MANAGE_ROLES", *roles.MANAGE_ROLES)
SYNC_ACDB = policy("SYNC_ACDB", *roles.SYNC_ACDB)
READ_AUDIT_DETAIL = policy("READ_AUDIT_DETAIL", *roles.READ_AUDIT_DETAIL)
SIGNED_ONLY = policy("SIGNED_ONLY", overrides=dict.fromkeys(ALL_ROLES, UNSIGNED))
SEND_MESSAGES = policy("SEND_MESSAGES", *roles.SEND_MESSAGES)
MANAGE_MESSAGING = policy("MANAGE_MESSAGING", *roles.MANAGE_MESSAGING)
# Called by the SMS gateway with the shared callback secret, never by an employee's token or session.
GATEWAY_ONLY = policy("GATEWAY_ONLY")
# The login page does not serve PATCH/DELETE (405), but first sends a logged-in employee to the dashboard.
LOGIN_ONLY = policy("LOGIN_ONLY", overrides={ANONYMOUS: UNSERVED, **dict.fromkeys(EMPLOYEE_ROLES, REDIRECTED)})
# The API docs page (a browser page under /api/): employees; anonymous is sent to the login page.
DOCS = policy("DOCS", *EMPLOYEE_ROLES, overrides={ANONYMOUS: TO_LOGIN})


def employee_pk(world):
    return {"pk": world.employee.pk}


def customer_pk(world):
    return {"pk": world.customer.pk}


def accountnumber(world):
    return {"accountnumber": world.account.accountnumber}


def no_account(world):
    return {"accountnumber": "9999XXX"}


def history_entry(world):
    table, history_id = world.history_entry
    return {"table": table, "history_id": history_id}


def with_provider_signatory(world):
    world.provider_signatory  # noqa: B018 - its signature image is what the URL serves
    return {}


def customer_table(world):
    return {"table": world.customer._meta.db_table}


MATRIX = {
    # ccportal
    "health": Entry({"GET": PUBLIC}),
    "favicon": Entry({"GET": PUBLIC}),
    "api-schema": Entry({"GET": EMPLOYEE}),
    # a browser without a session is sent to the login page; a bad Bearer token gets 401
    "api-docs": Entry({"GET": DOCS}),
    # ccportal: the service worker and the offline queue's pages (the queue itself lives on the device)
    "field_service_worker": Entry({"GET": PUBLIC}),
    "field_status": Entry({"GET": PUBLIC}),
    "field_offline": Entry({"GET": PUBLIC}),
    "field_queue": Entry({"GET": EMPLOYEE}),
    # accounts: login and logout (Django's LoginView answers PUT like POST)
    "login": Entry({"GET": PUBLIC, "POST": PUBLIC, "PUT": PUBLIC, "PATCH": LOGIN_ONLY, "DELETE": LOGIN_ONLY}),
    "logout": Entry({"POST": PUBLIC}),
    "accounts:profile": Entry({"GET": EMPLOYEE, "POST": EMPLOYEE}),
    "accounts:password_set": Entry({"GET": EMPLOYEE, "POST": EMPLOYEE}),
    "accounts:roles": Entry({"GET": MANAGE_ROLES}),
    "accounts:employee_new": Entry({"GET": MANAGE_ROLES, "POST": MANAGE_ROLES}),
    "accounts:employee_role": Entry({"POST": MANAGE_ROLES}, kwargs=employee_pk),
    "accounts:employee_deactivate": Entry({"POST": MANAGE_ROLES}, kwargs=employee_pk),
    "accounts:employee_reactivate": Entry({"POST": MANAGE_ROLES}, kwargs=employee_pk),
    "accounts:employee_password_reset": Entry({"POST": MANAGE_ROLES}, kwargs=employee_pk),
    "accounts:employee_unlock": Entry({"POST": MANAGE_ROLES}, kwargs=employee_pk),
    # accounts: the JWT API of SPEC §2 (login, refresh and logout take credentials in the body)
    "api-employee-login": Entry({"POST": PUBLIC}),
    "api-me": Entry({"GET": EMPLOYEE}),
    "api-verify": Entry({"GET": EMPLOYEE}),
    "api-refresh": Entry({"POST": PUBLIC}),
    "api-logout": Entry({"POST": PUBLIC}),
    # reports
    "reports:dashboard": Entry({"GET": EMPLOYEE}),
    # reports: the O&M report API (any employee, Bearer)
    **{
        f"om_report:{name}": Entry({"GET": EMPLOYEE})
        for name in (
            "overview",
            "customer-stats",
            "customer-growth",
            "consumption-by-site",
            "sales-by-site",
            "cumulative-trends",
            "avg-consumption-trend",
            "site-overview",
            "load-curves-by-type",
            "daily-load-profiles",
            "arpu",
            "generation-vs-consumption",
        )
    },
    # billing: the payment lookup API
    "payments-lookup": Entry({"GET": EMPLOYEE}),
    # The payment intake: only an HMAC signature (never a session or token) lets a POST in; unsigned, everyone 401.
    "payments-incoming": Entry({"POST": SIGNED_ONLY}),
    # customers
    "customers:list": Entry({"GET": EMPLOYEE}),
    "customers:new": Entry({"GET": WRITE_CUSTOMERS, "POST": WRITE_CUSTOMERS}),
    "customers:new_field": Entry({"GET": WRITE_CUSTOMERS, "POST": WRITE_CUSTOMERS}),
    "customers:detail": Entry({"GET": EMPLOYEE}, kwargs=customer_pk),
    # GET shows the field (any employee); POST (and GET ?edit=1) edits it
    "customers:field": Entry(
        {"GET": EMPLOYEE, "POST": WRITE_CUSTOMERS},
        kwargs=lambda w: {"pk": w.customer.pk, "field": "first_name"},
        missing=lambda w: {"pk": 2147483000, "field": "first_name"},
    ),
    "customers:terminate": Entry({"POST": WRITE_CUSTOMERS}, kwargs=customer_pk),
    "customers:delete": Entry({"POST": DELETE_RECORDS}, kwargs=customer_pk),
    "customers:assign_meter": Entry({"GET": WRITE_CUSTOMERS, "POST": WRITE_CUSTOMERS}, kwargs=customer_pk),
    "billing:account_lookup": Entry({"GET": EMPLOYEE}),
    "billing:account_data": Entry({"GET": EMPLOYEE}, kwargs=accountnumber, missing=no_account),
    "billing:ledger_add": Entry({"POST": WRITE_TRANSACTIONS}, kwargs=accountnumber, missing=no_account),
    "billing:ledger_edit": Entry(
        {"GET": WRITE_TRANSACTIONS, "POST": WRITE_TRANSACTIONS},
        kwargs=lambda w: {"accountnumber": w.account.accountnumber, "entry_id": w.ledger_row.pk},
    ),
    "billing:ledger_delete": Entry(
        {"POST": WRITE_TRANSACTIONS},
        kwargs=lambda w: {"accountnumber": w.account.accountnumber, "entry_id": w.ledger_row.pk},
    ),
    # contracts
    "contracts:commission": Entry(
        {"GET": WRITE_CUSTOMERS, "POST": WRITE_CUSTOMERS}, kwargs=lambda w: {"customer_id": w.customer.pk}
    ),
    "contracts:commissioning_detail": Entry({"GET": EMPLOYEE}, kwargs=lambda w: {"pk": w.commissioning.pk}),
    "contracts:download": Entry({"GET": EMPLOYEE}, kwargs=lambda w: {"pk": w.contract_version.pk}),
    # the signed link is the credential (SMS to the customer): anyone holding it
    "contracts:signed_download": Entry({"GET": PUBLIC}, kwargs=lambda w: {"token": w.contract_token}),
    "contracts:provider_signatory": Entry({"GET": SUPERADMIN_ONLY, "POST": SUPERADMIN_ONLY}),
    "contracts:provider_signature_image": Entry({"GET": SUPERADMIN_ONLY}, kwargs=with_provider_signatory),
    # billing
    "billing:tariffs": Entry({"GET": EMPLOYEE}),
    "billing:tariff_set": Entry({"POST": MANAGE_TARIFFS}),
    "billing:tariff_end": Entry({"POST": MANAGE_TARIFFS}, kwargs=lambda w: {"pk": w.tariff.pk}),
    "billing:financial": Entry({"GET": EMPLOYEE}),
    "billing:financial_download": Entry({"GET": EMPLOYEE}),
    "billing:payment_import": Entry({"GET": IMPORT_PAYMENTS, "POST": IMPORT_PAYMENTS}),
    "billing:payment_import_sample": Entry(
        {"GET": IMPORT_PAYMENTS}, kwargs=lambda w: {"provider": "mpesa", "file_format": "csv"}
    ),
    "billing:payment_import_detail": Entry({"GET": IMPORT_PAYMENTS}, kwargs=lambda w: {"pk": w.payment_import.pk}),
    "billing:payment_lookup": Entry({"GET": EMPLOYEE}),
    "billing:payment_assign": Entry({"POST": IMPORT_PAYMENTS}, kwargs=lambda w: {"pk": w.unmatched_payment.pk}),
    "billing:payment_dismiss": Entry({"POST": IMPORT_PAYMENTS}, kwargs=lambda w: {"pk": w.unmatched_payment.pk}),
    "billing:incoming_sms_list": Entry({"GET": IMPORT_PAYMENTS}),
    "billing:incoming_sms_detail": Entry({"GET": IMPORT_PAYMENTS}, kwargs=lambda w: {"pk": w.unreadable_sms.pk}),
    "billing:incoming_sms_resolve": Entry({"POST": IMPORT_PAYMENTS}, kwargs=lambda w: {"pk": w.unreadable_sms.pk}),
    "billing:incoming_sms_dismiss": Entry({"POST": IMPORT_PAYMENTS}, kwargs=lambda w: {"pk": w.unreadable_sms.pk}),
    # reports
    "reports:om": Entry({"GET": EMPLOYEE}),
    "reports:om_download": Entry({"GET": EMPLOYEE}, kwargs=lambda w: {"file_format": "xlsx"}),
    "reports:export": Entry({"GET": EMPLOYEE}),
    # jobs: the list is everyone's own; another employee's job is a superadmin's only (403 to others, found or not)
    "jobs:list": Entry({"GET": EMPLOYEE}),
    "jobs:detail": Entry({"GET": SUPERADMIN_ONLY}, kwargs=lambda w: {"pk": w.job.pk}),
    "jobs:cancel": Entry({"GET": SUPERADMIN_ONLY, "POST": SUPERADMIN_ONLY}, kwargs=lambda w: {"pk": w.job.pk}),
    "jobs:download": Entry({"GET": SUPERADMIN_ONLY}, kwargs=lambda w: {"pk": w.job.pk}),
    "jobs:start": Entry({"POST": EMPLOYEE}, kwargs=lambda w: {"kind": "export"}),  # SPEC §1: generic may export
    "reports:export_download": Entry({"GET": EMPLOYEE}, kwargs=lambda w: {"dataset": "customers", "file_format": "csv"}),
    "datatools:mutations": Entry({"GET": EMPLOYEE}),
    "datatools:mutation": Entry({"GET": READ_AUDIT_DETAIL}, kwargs=history_entry),
    "datatools:mutation_revert": Entry({"POST": REVERT_CHANGES}, kwargs=history_entry),
    "datatools:tables": Entry({"GET": EMPLOYEE}),
    "datatools:table": Entry({"GET": EMPLOYEE}, kwargs=customer_table),
    "datatools:table_export": Entry({"GET": EMPLOYEE}, kwargs=customer_table),
    "datatools:sync": Entry({"GET": SYNC_ACDB, "POST": SYNC_ACDB}),
    "datatools:sync_run": Entry({"GET": SYNC_ACDB}, kwargs=lambda w: {"run_id": w.import_run.pk}),
    # messaging
    "messaging:list": Entry({"GET": EMPLOYEE}),
    "messaging:detail": Entry({"GET": EMPLOYEE}, kwargs=lambda w: {"pk": w.message.pk}),
    "messaging:resend": Entry({"POST": SEND_MESSAGES}, kwargs=lambda w: {"pk": w.message.pk}),
    "messaging:templates": Entry({"GET": EMPLOYEE}),
    "messaging:template_edit": Entry(
        {"GET": MANAGE_MESSAGING, "POST": MANAGE_MESSAGING}, kwargs=lambda w: {"kind": "receipt", "language": "st"}
    ),
    "messaging:template_preview": Entry({"GET": MANAGE_MESSAGING}, kwargs=lambda w: {"kind": "receipt", "language": "st"}),
    "messaging:settings": Entry({"GET": EMPLOYEE, "POST": MANAGE_MESSAGING}),
    "messaging:rule_delete": Entry({"POST": MANAGE_MESSAGING}, kwargs=lambda w: {"pk": w.low_balance_rule.pk}),
    "messaging:customer_messages": Entry({"GET": EMPLOYEE}, kwargs=customer_pk),
    "messaging:customer_preference": Entry({"POST": SEND_MESSAGES}, kwargs=customer_pk),
    "messaging:customer_send": Entry({"POST": SEND_MESSAGES}, kwargs=customer_pk),
    "messaging:receipt_pdf": Entry({"GET": EMPLOYEE}, kwargs=lambda w: {"entry_id": w.ledger_row.pk}),
    "messaging:statement_pdf": Entry({"GET": EMPLOYEE}, kwargs=accountnumber, missing=no_account),
    "api-message-delivery-report": Entry({"POST": GATEWAY_ONLY}),
    "api-message-inbound": Entry({"POST": GATEWAY_ONLY}),
    # The admin's own pages that differ from ADMIN_RULE.
    "admin:login": Entry({"GET": PUBLIC, "POST": PUBLIC, "PUT": PUBLIC}),
    "admin:logout": Entry({"POST": SUPERADMIN_ONLY}),  # others are sent to the admin index (then to its login)
}


def ADMIN_RULE(case):
    """Every Django admin page: superadmin only. The admin answers PUT/PATCH/DELETE like GET behind the same check
    and sends a missing object back to its index, so only GET and POST are sent."""
    return Entry(
        {"GET": SUPERADMIN_ONLY, "POST": SUPERADMIN_ONLY},
        url=admin_url(case),
        check_unlisted_methods=False,
        check_missing_objects=False,
    )


def entry_for(case):
    if case.key in MATRIX:
        return MATRIX[case.key]
    if case.kind == "admin":
        return ADMIN_RULE(case)
    return None


URL_CASES = all_url_cases()


@pytest.fixture
def people(superadmin, onm, finance, generic):
    return {Role.SUPERADMIN: superadmin, Role.ONM_TEAM: onm, Role.FINANCE_TEAM: finance, Role.GENERIC: generic}


@pytest.fixture
def world(people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"  # contract and signature files of the World's objects
    return World(people)


def matrix_cases():
    """(case, entry) for every URL with a matrix entry; for the tests of tests/security/."""
    return [(case, entry) for case in URL_CASES if (entry := entry_for(case)) is not None]


def html_pages_as_superadmin(people, world):
    """[(url, html)] of every GET page of the matrix a superadmin may open; for tests that check every page."""
    pages = []
    for case, entry in matrix_cases():
        pol = entry.policy_for("GET")
        if case.kind != "page" or pol is None or pol.expect(Role.SUPERADMIN) != ALLOW:
            continue
        url = build_url(case, entry, world)
        response = client_for_role(case, Role.SUPERADMIN, people).get(url)
        if response.get("Content-Type", "").startswith("text/html"):
            pages.append((url, response.content.decode()))
    return pages


def expectations(entry):
    """(method, role, expected) for every request the matrix test sends for one URL."""
    for role in ALL_ROLES:
        for method in METHODS:
            if method in entry.methods:
                yield method, role, entry.methods[method].expect(role)
            elif entry.check_unlisted_methods and role in UNSERVED_METHOD_ROLES:
                if OTHER_METHODS in entry.methods:
                    yield method, role, entry.methods[OTHER_METHODS].expect(role)
                else:
                    yield method, role, UNSERVED


def test_every_matrix_entry_names_a_url_that_exists():
    keys = {case.key for case in URL_CASES}
    assert not sorted(set(MATRIX) - keys), "stale entries in MATRIX: remove them"


@pytest.mark.django_db
@pytest.mark.parametrize("case", URL_CASES, ids=str)
def test_the_permission_matrix(case, people, world):
    entry = entry_for(case)
    assert entry is not None, (
        f"URL {case.route!r} (name {case.name!r}) has no entry in the permission matrix: "
        f"add it to MATRIX in tests/test_permission_matrix.py (see the module docstring)"
    )
    url = build_url(case, entry, world)
    failures = []
    for method, role, expected in expectations(entry):
        response = send(client_for_role(case, role, people), method, url)
        if problem := check(response, expected, role, case.kind):
            failures.append(f"{method} {url} as {role}: {problem}")
    if case.names_objects and entry.check_missing_objects:
        missing_url = build_url(case, entry, world, missing=True)
        for method in METHODS:
            pol = entry.policy_for(method)
            if pol is None:
                continue
            for role in ALL_ROLES:
                expected = "missing" if pol.expect(role) != REFUSE else REFUSE
                response = send(client_for_role(case, role, people), method, missing_url)
                if problem := check(response, expected, role, case.kind):
                    failures.append(f"{method} {missing_url} (no such object) as {role}: {problem}")
    assert not failures, "\n".join(failures)
