"""The machinery behind tests/test_permission_matrix.py: walking every URL pattern, the objects URLs name, the
roles' clients, and what "allowed" and "refused" look like. The matrix itself (the data to extend) lives in
tests/test_permission_matrix.py; the CSRF, GET-safety and header tests reuse it, so they cover new URLs too."""

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlparse

from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Role

# ---------------------------------------------------------------------------------------------------------------
# Roles and policies

ANONYMOUS = "anonymous"
EMPLOYEE_ROLES = (Role.GENERIC, Role.FINANCE_TEAM, Role.ONM_TEAM, Role.SUPERADMIN)
ALL_ROLES = (ANONYMOUS, *EMPLOYEE_ROLES)  # superadmin last: its writes happen after the others' requests

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
OTHER_METHODS = "*"  # a matrix key: the policy of every method not listed (prefer restricting the view instead)
# Methods a URL does not serve are checked for these roles only (the widest and narrowest rights, and nobody).
UNSERVED_METHOD_ROLES = (ANONYMOUS, Role.GENERIC, Role.SUPERADMIN)

ALLOW = "allow"  # any answer except a refusal, a 404/405 or a server error
REFUSE = "refuse"  # anonymous: 302 to the login page (pages) or 401 (API); an employee: 403; admin: 302 to its login
UNSERVED = "unserved"  # a method the URL does not serve: 405, or the refusal that comes first
REDIRECTED = "redirected"  # sent elsewhere (not to a login page) without being served, e.g. logged in at /login/
UNSIGNED = "unsigned"  # an endpoint authenticated by a request signature alone: 401 without one, whoever asks
TO_LOGIN = "to-login"  # sent to the login page (the refusal of a page) even under /api/, e.g. the API docs


@dataclass(frozen=True)
class Policy:
    """Who may use one method of one URL."""

    name: str
    allowed: frozenset
    overrides: tuple = ()  # (role, expectation) pairs that differ from allowed/refused

    def expect(self, role):
        return dict(self.overrides).get(role) or (ALLOW if role in self.allowed else REFUSE)

    def __repr__(self):
        return self.name


def policy(name, *roles, overrides=None):
    return Policy(name, frozenset(roles), tuple((overrides or {}).items()))


# ---------------------------------------------------------------------------------------------------------------
# The objects URLs name


class World:
    """The objects the matrix's kwargs factories point at, built with the factories. Extend it with a
    cached_property per new kind of object (built on first use, before any request is made)."""

    def __init__(self, people):
        self.people = people  # role -> Employee (the requesting users)
        for name in ("employee", "customer", "account", "ledger_row", "tariff", "reading"):
            getattr(self, name)  # the admin's object URLs use the first row of each model

    @cached_property
    def employee(self):
        """An employee the admin pages act on (not one of the requesting users)."""
        from tests.factories import EmployeeFactory

        return EmployeeFactory(employee_id="8800", name="Target Employee", role=Role.FINANCE_TEAM)

    @cached_property
    def customer(self):
        return self.account.customer

    @cached_property
    def meter(self):
        return self.account.meter

    @cached_property
    def account(self):
        from tests.factories import AccountNumberFactory

        return AccountNumberFactory(accountnumber="0001MAK")

    @cached_property
    def ledger_row(self):
        from tests.factories import LedgerRowFactory

        return LedgerRowFactory(accountnumber=self.account.accountnumber)

    @cached_property
    def tariff(self):
        from tests.factories import TariffRateFactory

        return TariffRateFactory()

    @cached_property
    def job(self):
        """A finished export job of another employee (self.employee), with its file: only superadmins see it."""
        from jobs.files import JobOutput
        from jobs.models import Job

        job = Job.objects.create(kind="export", title="Customers as CSV", requested_by=self.employee, status=Job.Status.SUCCEEDED)
        output = JobOutput(job.pk)
        output.write_bytes("customers.csv", b"CUSTOMER ID\r\n")
        Job.objects.filter(pk=job.pk).update(result_path=output.relative_path, result_name=output.name)
        return job

    @cached_property
    def reading(self):
        from tests.factories import MeterReadingFactory

        return MeterReadingFactory(meterid=self.meter.meterid)

    @cached_property
    def message(self):
        """A failed outbox message (so that it may be resent)."""
        from django.utils import timezone

        from messaging.models import Message

        return Message.objects.create(
            kind="manual",
            trigger_key="matrix:1",
            text="Matrix message",
            customer=self.customer,
            accountnumber=self.account.accountnumber,
            number="+26650000001",
            number_given="+26650000001",
            created_at=timezone.now(),
            status=Message.Status.FAILED,
            status_reason="gateway down",
        )

    @cached_property
    def low_balance_rule(self):
        from decimal import Decimal

        from messaging.models import LowBalanceRule

        return LowBalanceRule.objects.create(site_code="MAK", threshold_kwh=Decimal("2"), clear_kwh=Decimal("6"))

    @cached_property
    def provider_signatory(self):
        from tests.factories import provider_signatory

        return provider_signatory()

    @cached_property
    def commissioning(self):
        """A commissioning row made directly (no PDF rendering); its signature is a placeholder file."""
        from decimal import Decimal

        from django.core.files.base import ContentFile
        from django.utils import timezone

        from contracts.models import Commissioning

        return Commissioning.objects.create(
            customer=self.customer,
            account=self.account,
            meter=self.meter,
            commissioned_by=self.people[Role.SUPERADMIN],
            connection_date=timezone.localdate(),
            customer_type="HH",
            national_id="NID-0001",
            phone="+26650000001",
            tariff_rate_lsl=Decimal("5.0000"),
            signature=ContentFile(b"\x89PNG placeholder", name="signature.png"),
            signature_sha256="0" * 64,
        )

    @cached_property
    def contract_version(self):
        from decimal import Decimal

        from django.core.files.base import ContentFile

        from contracts.models import ContractVersion

        pdf = b"%PDF-1.7 placeholder contract"
        return ContractVersion.objects.create(
            customer=self.customer,
            account=self.account,
            commissioning=self.commissioning,
            language="en",
            version=1,
            file=ContentFile(pdf, name="contract.pdf"),
            sha256=hashlib.sha256(pdf).hexdigest(),
            size_bytes=len(pdf),
            tariff_rate_lsl=Decimal("5.0000"),
            created_by=self.people[Role.SUPERADMIN],
        )

    @cached_property
    def contract_token(self):
        from contracts.links import contract_link_token

        return contract_link_token(self.contract_version)

    @cached_property
    def payment_import(self):
        from billing.models import PaymentImport

        # Already posted: confirming it again is refused with a message (no statement file is read).
        return PaymentImport.objects.create(
            provider="mpesa",
            filename="statement.csv",
            status=PaymentImport.Status.POSTED,
            uploaded_by=self.people[Role.FINANCE_TEAM],
            row_count=1,
        )

    @cached_property
    def unmatched_payment(self):
        from decimal import Decimal

        from django.utils import timezone

        from billing.models import ImportedPayment

        return ImportedPayment.objects.create(
            payment_import=self.payment_import,
            provider="mpesa",
            receipt="RCPT0001",
            row_number=1,
            paid_at=timezone.now(),
            amount=Decimal("50.00"),
            payer_phone="+26650000009",
            status=ImportedPayment.Status.UNMATCHED,
        )

    @cached_property
    def unreadable_sms(self):
        from django.utils import timezone

        from billing.models import IncomingSms

        return IncomingSms.objects.create(
            gateway_id="gw-matrix-1",
            sender="199",
            text="M25 received, thank you",
            received_at=timezone.now(),
            status=IncomingSms.Status.UNREADABLE,
            note="looks like a payment, but no known layout reads it",
        )

    @cached_property
    def history_entry(self):
        """(table, history_id) of the customer's latest audit-trail entry (datatools.audit names tables by db_table)."""
        return self.customer._meta.db_table, self.customer.history.order_by("-history_id").first().history_id

    @cached_property
    def import_run(self):
        from datatools.models import ImportRun

        return ImportRun.objects.create(
            started_by=self.people[Role.SUPERADMIN], source="demo.accdb", status=ImportRun.Status.SUCCEEDED
        )


# ---------------------------------------------------------------------------------------------------------------
# Matrix entries


def no_kwargs(world):
    return {}


@dataclass(frozen=True)
class Entry:
    """One URL pattern's row: its {method: policy} and how to fill its URL.

    ``kwargs(world)`` gives reverse() kwargs naming real objects; ``missing(world)`` kwargs naming none (default:
    every int kwarg 2147483000, every other "no-such-object"); ``url(world)`` builds the path of a pattern that
    cannot be reversed (unnamed ones)."""

    methods: Mapping[str, Policy]
    kwargs: Callable = no_kwargs
    missing: Callable | None = None
    url: Callable | None = None
    args: Callable | None = None
    # False for the admin: it answers PUT/PATCH/DELETE like GET, behind the same superadmin check.
    check_unlisted_methods: bool = True
    check_missing_objects: bool = True

    def policy_for(self, method):
        return self.methods.get(method) or self.methods.get(OTHER_METHODS)


@dataclass(frozen=True)
class UrlCase:
    """One URL pattern found by walking the resolver."""

    key: str  # the namespaced name, or the route for unnamed patterns
    route: str
    name: str | None
    pattern: URLPattern = field(compare=False, repr=False)

    @property
    def kind(self):
        if self.route.startswith("api/"):
            return "api"
        if self.route.startswith("admin/"):
            return "admin"
        return "page"

    @property
    def names_objects(self):
        return bool(self.pattern.pattern.converters) or bool(re.search(r"\(", self.route))

    def __str__(self):
        return self.key


def walk_urls(resolver=None, prefix="", namespace=None):
    """Every URL pattern of the project, recursively (includes, namespaces, the admin and the API)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk_urls(entry, prefix + str(entry.pattern), ns)
        else:
            route = prefix + str(entry.pattern)
            name = (f"{namespace}:{entry.name}" if namespace else entry.name) if entry.name else None
            yield UrlCase(key=name or route, route=route, name=name, pattern=entry)


def all_url_cases():
    seen, cases = set(), []
    for case in walk_urls():
        if case.key not in seen:  # a name reused by two patterns: the first is the one reverse() serves
            seen.add(case.key)
            cases.append(case)
    return cases


def default_missing(kwargs):
    return {k: 2147483000 if isinstance(v, int) else "no-such-object" for k, v in kwargs.items()}


def build_url(case, entry, world, *, missing=False):
    if entry.url:
        return entry.url(world, missing=missing) if missing else entry.url(world)
    kwargs = entry.kwargs(world)
    if missing:
        kwargs = entry.missing(world) if entry.missing else default_missing(kwargs)
    args = entry.args(world) if entry.args else None
    return reverse(case.name, kwargs=kwargs or None, args=args)


# ---------------------------------------------------------------------------------------------------------------
# The Django admin: one rule for every model page it generates (superadmin only).

ADMIN_ROUTE = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/(?P<rest>.*)$")


def admin_model(match):
    try:
        return apps.get_model(match["app"], match["model"]) if match else None
    except LookupError:
        return None


def admin_url(case):
    """A path for an admin pattern: model URLs name the first row of their model ("0" when the table is empty)."""
    route = case.route

    def build(world, missing=False):
        match = ADMIN_ROUTE.match(route)
        if route.endswith("(?P<url>.*)$"):
            return "/admin/no-such-page/"
        if case.name == "admin:app_list":
            return reverse(case.name, kwargs={"app_label": "accounts"})
        if case.name == "admin:view_on_site":
            from django.contrib.contenttypes.models import ContentType

            content_type = ContentType.objects.get_for_model(world.employee)
            return reverse(case.name, kwargs={"content_type_id": content_type.pk, "object_id": world.employee.pk})
        model = admin_model(match)
        if model is None:
            return "/" + route
        obj = model._default_manager.order_by("pk").first()
        pk = "2147483000" if missing or obj is None else str(obj.pk)
        rest = match["rest"]
        if rest.startswith("^"):  # simple_history's revision view: <object>/history/<history_id>/
            record = None if missing or obj is None else obj.history.order_by("history_id").first()
            return f"/admin/{match['app']}/{match['model']}/{pk}/history/{record.history_id if record else 0}/"
        return f"/admin/{match['app']}/{match['model']}/" + rest.replace("<path:object_id>", pk)

    return build


# ---------------------------------------------------------------------------------------------------------------
# Clients and answers


def bearer_for(user):
    from accounts.api import token_pair_for

    return f"Bearer {token_pair_for(user)['access_token']}"


def client_for_role(case, role, people, **client_kwargs):
    """A client for one request as ``role``: a session for pages and the admin, a Bearer token for the API."""
    client = Client(**client_kwargs)
    if role == ANONYMOUS:
        return client
    user = people[role]
    if case.kind == "api":
        client.defaults["HTTP_AUTHORIZATION"] = bearer_for(user)
    else:
        client.force_login(user)
    return client


def send(client, method, url, **extra):
    return getattr(client, method.lower())(url, **extra)


def is_login_redirect(response, kind):
    if response.status_code != 302:
        return False
    location = urlparse(response["Location"])
    login = reverse("admin:login") if kind == "admin" else reverse("login")
    return location.path == login and "next=" in location.query


def is_refusal(response, role, kind):
    if kind == "admin":  # to its login page, or (from its logout) to its index, which sends there
        return is_login_redirect(response, kind) or (
            response.status_code == 302 and response["Location"] == reverse("admin:index")
        )
    if role == ANONYMOUS:
        return response.status_code == 401 if kind == "api" else is_login_redirect(response, kind)
    return response.status_code == 403


def describe(response):
    location = f" -> {response['Location']}" if response.has_header("Location") else ""
    return f"{response.status_code}{location}"


def check(response, expected, role, kind):
    """None when ``response`` is what ``expected`` says for ``role``, else why not."""
    status = response.status_code
    if status >= 500:
        return f"server error {describe(response)}"
    if expected == ALLOW and kind == "admin":
        # Past the admin's door: its own 403 (read-only models), 404 or redirects are the admin's business.
        return f"expected access, got {describe(response)}" if is_login_redirect(response, kind) else None
    if expected == ALLOW:
        if status in (401, 403, 404, 405) or is_login_redirect(response, kind) or is_login_redirect(response, "page"):
            return f"expected access, got {describe(response)}"
        return None
    if expected == REFUSE:
        return None if is_refusal(response, role, kind) else f"expected a refusal, got {describe(response)}"
    if expected == UNSERVED:
        if status == 405 or is_refusal(response, role, kind):
            return None
        return f"method not in the matrix but answered {describe(response)} (add it, or restrict the view's methods)"
    if expected == REDIRECTED:
        if status == 302 and not is_login_redirect(response, kind) and not is_login_redirect(response, "page"):
            return None
        return f"expected a redirect away, got {describe(response)}"
    if expected == UNSIGNED:
        return None if status == 401 else f"expected 401 for a request without a signature, got {describe(response)}"
    if expected == TO_LOGIN:
        return None if is_login_redirect(response, "page") else f"expected a redirect to the login, got {describe(response)}"
    if expected == "missing":
        if kind == "admin" and status == 302 and not is_login_redirect(response, kind):
            return None  # the admin sends a missing object back to its index with a message
        return None if status == 404 else f"expected 404 for an object that does not exist, got {describe(response)}"
    raise AssertionError(expected)
