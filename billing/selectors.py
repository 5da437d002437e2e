"""Read queries for billing: the tariff in force, balances."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from billing.models import AccountHistory, Config, TariffRate
from ccportal.normalize import site_code_from_account


@dataclass(frozen=True)
class ResolvedRate:
    rate_lsl: Decimal
    source: str  # "customer", "site", "global" or "default"
    source_key: str
    effective_from: datetime | None


_PRIORITY = {TariffRate.Scope.CUSTOMER: 0, TariffRate.Scope.SITE: 1, TariffRate.Scope.GLOBAL: 2}


def tariff_rate_for(*, customer=None, account=None, site_code=None, on=None):
    """The rate in force at ``on`` (default now) for a customer, an account (AccountNumber or its number)
    or a site: the latest effective customer rate, else site rate, else global rate.

    Future rates apply by themselves: resolution is by date, so no job is needed. Falls back to
    `tblconfig.therate` and then to settings.CC_DEFAULT_TARIFF_LSL on an empty schedule."""
    on = on or timezone.now()
    if account is not None and customer is None:
        from customers.models import AccountNumber

        if isinstance(account, str):
            site_code = site_code or site_code_from_account(account)
            account = AccountNumber.objects.filter(accountnumber=account).select_related("customer").first()
        if account is not None:
            customer = account.customer
            site_code = site_code or account.site_code
    if customer is not None:
        site_code = customer.site_code or site_code
    scopes = Q(scope=TariffRate.Scope.GLOBAL)
    if site_code:
        scopes |= Q(scope=TariffRate.Scope.SITE, scope_key=site_code.upper())
    if customer is not None:
        scopes |= Q(scope=TariffRate.Scope.CUSTOMER, scope_key=str(customer.pk))
    candidates = (
        TariffRate.objects.filter(scopes, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=on))
        .order_by("-effective_from", "-id")
        .values_list("scope", "scope_key", "rate_lsl", "effective_from")
    )
    best = None
    for scope, key, rate_lsl, effective_from in candidates:
        if best is None or _PRIORITY[scope] < _PRIORITY[best[0]]:
            best = (scope, key, rate_lsl, effective_from)
        if best[0] == TariffRate.Scope.CUSTOMER:
            break
    if best:
        return ResolvedRate(rate_lsl=best[2], source=best[0], source_key=best[1], effective_from=best[3])
    legacy = Config.objects.order_by("id").values_list("therate", flat=True).first()
    if legacy:
        return ResolvedRate(rate_lsl=legacy, source="global", source_key="tblconfig", effective_from=None)
    return ResolvedRate(rate_lsl=Decimal(settings.CC_DEFAULT_TARIFF_LSL), source="default", source_key="", effective_from=None)


def account_balance_kwh(accountnumber):
    """The `current balance` of the account's newest ledger row (kWh), or 0 with no rows."""
    latest = (
        AccountHistory.objects.filter(accountnumber=accountnumber)
        .order_by("-transaction_date", "-id")
        .values_list("current_balance", flat=True)
        .first()
    )
    return latest if latest is not None else Decimal("0.000")
