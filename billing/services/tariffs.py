"""The tariff schedule: rates set and ended per scope, and the legacy global rate kept in step."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from billing.models import Config, TariffRate
from billing.selectors import tariff_rate_for
from billing.services.ledger import _bounded
from ccportal import bounds
from ccportal.history import history_save
from ccportal.spreadsheet import quote
from ccportal.units import rate

# --- Tariff schedule -------------------------------------------------------------------------------------


def _tariff_scope_key(scope, scope_key):
    """Check and canonicalise the key of a scope: a customer ID that exists, a site code that exists, or ""."""
    from customers.models import Customer, Site

    scope_key = str(scope_key or "").strip()
    if scope == TariffRate.Scope.GLOBAL:
        return ""
    if scope == TariffRate.Scope.SITE:
        code = scope_key.upper()
        if not Site.objects.filter(code=code).exists():
            raise ValidationError({"scope_key": f"{quote(scope_key)} is not a site code (e.g. MAK)."})
        return code
    if scope == TariffRate.Scope.CUSTOMER:
        if not scope_key.isdigit() or not Customer.objects.filter(pk=int(scope_key)).exists():
            raise ValidationError({"scope_key": f"{quote(scope_key)} is not a customer ID."})
        return str(int(scope_key))
    raise ValidationError({"scope": f"{quote(scope)} is not a scope: use customer, site or global."})


@transaction.atomic
def tariff_rate_set(*, scope, scope_key="", rate_lsl, effective_from=None, by, reason):
    """Add a rate to the schedule from ``effective_from`` (default now). A rate set for the same scope, key and
    moment is replaced (its history keeps the old value). Future rates apply by themselves at their time."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the rate changes."})
    try:
        rate_lsl = rate(rate_lsl)
    except ValueError:
        raise ValidationError({"rate_lsl": "Enter the rate in LSL per kWh, e.g. 5.00."}) from None
    if rate_lsl <= 0:
        raise ValidationError({"rate_lsl": "A rate must be more than 0."})
    _bounded("rate_lsl", bounds.number_check, rate_lsl, label="The rate", within=bounds.RATE)
    scope_key = _tariff_scope_key(scope, scope_key)
    effective_from = effective_from or timezone.now()
    _bounded("effective_from", bounds.moment_check, effective_from, label="Effective from", within=bounds.EFFECTIVE)
    if timezone.is_naive(effective_from):
        effective_from = timezone.make_aware(effective_from)
    row = TariffRate.objects.select_for_update().filter(scope=scope, scope_key=scope_key, effective_from=effective_from).first()
    if row is None:
        row = TariffRate(scope=scope, scope_key=scope_key, effective_from=effective_from, created_by=by)
    row.rate_lsl = rate_lsl
    row.effective_to = None
    row.note = reason[:255]
    history_save(row, by=by, reason=reason)
    config_therate_sync(by=by, reason=f"Global rate in force after: {reason}")
    return row


@transaction.atomic
def tariff_rate_end(*, tariff_rate, by, reason, at=None):
    """End a rate at ``at`` (default now): from then the next rate down the cascade applies. A rate that has
    not started yet is cancelled (it ends where it starts, so it never applies); the row stays for history."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the rate ends."})
    row = TariffRate.objects.select_for_update().get(pk=tariff_rate.pk)
    at = at or timezone.now()
    if row.effective_to is not None and row.effective_to <= at:
        raise ValidationError({"tariff_rate": "This rate has already ended."})
    row.effective_to = max(at, row.effective_from)
    history_save(row, by=by, reason=reason)
    config_therate_sync(by=by, reason=f"Global rate in force after: {reason}")
    return row


@transaction.atomic
def config_therate_sync(*, by=None, reason="Global rate in force", on=None):
    """Keep `tblconfig.therate` equal to the global rate in force (for legacy readers). Writes only when it
    differs, so running it again changes nothing. Returns (rate, changed)."""
    resolved = tariff_rate_for(on=on)
    if resolved.source != TariffRate.Scope.GLOBAL or resolved.source_key == "tblconfig":
        return None, False  # no global rate in the schedule: leave the legacy value alone
    config = Config.objects.select_for_update().order_by("id").first()
    if config is not None and config.therate == resolved.rate_lsl:
        return resolved.rate_lsl, False
    config = config or Config(id=1)
    config.therate = resolved.rate_lsl
    history_save(config, by=by, reason=reason)
    return resolved.rate_lsl, True
