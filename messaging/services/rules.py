"""Customers' message preferences, the message templates and the low-balance rules, and the low-balance alerts
those rules raise."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from ccportal.batches import IN_LIST_SIZE, chunks
from ccportal.history import history_save
from ccportal.normalize import site_code_from_account
from ccportal.spreadsheet import quote
from ccportal.units import energy, money
from messaging import selectors
from messaging.models import CustomerPreference, Kind, Language, LowBalanceRule, LowBalanceState, Message, MessageTemplate
from messaging.services.outbox import _message_build, _messages_insert, messages_dispatch
from messaging.texts import template_check, text_fill

# --- Preferences, templates, rules -----------------------------------------------------------------------------


@transaction.atomic
def customer_preference_set(*, customer, by, reason, language=None, opted_out=None):
    """Set a customer's message language and/or opt them out (a reason is required) or back in."""
    reason = (reason or "").strip()
    preference = CustomerPreference.objects.select_for_update().filter(customer_id=customer.pk).first()
    preference = preference or CustomerPreference(customer_id=customer.pk)
    if language is not None:
        if language not in Language.values:
            raise ValidationError({"language": f"{quote(language)} is not a language: use st or en."})
        preference.language = language
    if opted_out is not None and opted_out != preference.opted_out:
        if not reason:
            raise ValidationError({"reason": "Say why the customer opts out or back in."})
        preference.opted_out = opted_out
        preference.opt_out_reason = reason[:255] if opted_out else ""
        preference.opted_out_at = timezone.now() if opted_out else None
    history_save(preference, by=by, reason=(reason or "Message preferences changed")[:100])
    return preference


@transaction.atomic
def message_template_set(*, kind, language, text, by, reason=""):
    """Save the text of one kind of message in one language (placeholders checked)."""
    if kind not in selectors.TEMPLATE_KINDS:
        raise ValidationError({"kind": f"{quote(kind)} has no template."})
    if language not in Language.values:
        raise ValidationError({"language": f"{quote(language)} is not a language: use st or en."})
    text = template_check(kind=kind, text=text)
    row = MessageTemplate.objects.select_for_update().filter(kind=kind, language=language).first()
    row = row or MessageTemplate(kind=kind, language=language)
    row.text = text
    row.updated_by = by
    history_save(row, by=by, reason=(reason or "Message template changed").strip()[:100])
    return row


@transaction.atomic
def low_balance_rule_set(*, site_code, threshold_kwh, clear_kwh, by, reason, max_per_day=None, quiet_start=None, quiet_end=None):
    """Save the global rule (site_code "") or a site's levels. The clear level must be above the threshold."""
    from customers.models import Site

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the rule changes."})
    site_code = (site_code or "").strip().upper()
    if site_code and not Site.objects.filter(code=site_code).exists():
        raise ValidationError({"site_code": f"{quote(site_code)} is not a site code."})
    threshold_kwh, clear_kwh = energy(threshold_kwh), energy(clear_kwh)
    if threshold_kwh < 0:
        raise ValidationError({"threshold_kwh": "The alert level cannot be negative."})
    if clear_kwh <= threshold_kwh:
        raise ValidationError({"clear_kwh": "The clear level must be above the alert level."})
    rule = LowBalanceRule.objects.select_for_update().filter(site_code=site_code).first() or LowBalanceRule(site_code=site_code)
    rule.threshold_kwh, rule.clear_kwh = threshold_kwh, clear_kwh
    if not site_code:
        rule.max_per_day = max_per_day if max_per_day is not None else settings.CC_LOW_BALANCE_MAX_PER_DAY
        rule.quiet_start, rule.quiet_end = quiet_start, quiet_end
    rule.updated_by = by
    history_save(rule, by=by, reason=reason[:100])
    return rule


@transaction.atomic
def low_balance_rule_delete(*, rule, by, reason):
    from ccportal.history import history_delete

    if not rule.site_code:
        raise ValidationError({"rule": "The global rule cannot be removed; change it instead."})
    history_delete(rule, by=by, reason=(reason or "Site rule removed")[:100])


# --- Low-balance alerts ----------------------------------------------------------------------------------------


def quiet_until(moment, start, end):
    """The end of the quiet hours ``moment`` falls in (aware, Africa/Maseru), or None outside them."""
    if start is None or end is None or start == end:
        return None
    local = timezone.localtime(moment)
    clock = local.time()
    inside = (start <= clock < end) if start < end else (clock >= start or clock < end)
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, end), timezone.get_current_timezone())


@transaction.atomic
def low_balance_check(*, accountnumbers, by=None, now=None):
    """After balances changed: alert each account whose balance fell below its site's (or the global) level,
    once per episode (not again until the balance has risen above the clear level), at most max_per_day a
    local day; during quiet hours the alert is queued for when they end. Returns the messages queued."""
    from billing.selectors import tariff_rate_for
    from customers.models import AccountNumber

    accountnumbers = sorted(set(accountnumbers))
    if not accountnumbers:
        return []
    now = now or timezone.now()
    rules = selectors.low_balance_rules()
    balances = selectors.balances_of(accountnumbers)
    # A state row for each account (created in one statement, a concurrent creator's rows ignored), then locked.
    known = set()
    for chunk in chunks(accountnumbers, IN_LIST_SIZE):
        known.update(LowBalanceState.objects.filter(pk__in=chunk).values_list("pk", flat=True))
    missing = [LowBalanceState(accountnumber=a) for a in accountnumbers if a not in known]
    if connection.features.supports_ignore_conflicts:
        LowBalanceState.objects.bulk_create(missing, ignore_conflicts=True, batch_size=1000)
    else:  # SQL Server: one at a time, a concurrent creator's row kept
        for state in missing:
            LowBalanceState.objects.get_or_create(accountnumber=state.accountnumber)
    states = {}
    for chunk in chunks(accountnumbers, IN_LIST_SIZE):
        states.update((s.pk, s) for s in LowBalanceState.objects.select_for_update().filter(pk__in=chunk).order_by("pk"))
    global_rule = rules[""]
    to_alert, changed = [], []
    today = timezone.localtime(now).date()
    for accountnumber in accountnumbers:
        state, balance = states[accountnumber], balances.get(accountnumber)
        if balance is None:
            continue
        rule = rules.get(site_code_from_account(accountnumber), global_rule)
        before = (state.armed, state.episode)
        if balance > rule.clear_kwh:
            state.armed = True
        elif balance < rule.threshold_kwh and state.armed:
            sent_today = state.alerts_that_day if state.alerts_day == today else 0
            if sent_today < global_rule.max_per_day:
                state.armed = False
                state.episode += 1
                state.alerts_day, state.alerts_that_day = today, sent_today + 1
                state.last_alert_at = now
                to_alert.append((accountnumber, state.episode, balance, rule))
        # Only a change of state is written (with the balance that caused it): a payment on an armed account,
        # the common case, writes nothing here (a 10,000-row statement would otherwise rewrite 10,000 states).
        if (state.armed, state.episode) != before:
            state.last_balance_kwh = balance
            changed.append(state)
    LowBalanceState.objects.bulk_update(
        changed, ["armed", "episode", "alerts_day", "alerts_that_day", "last_alert_at", "last_balance_kwh"], batch_size=500
    )
    if not to_alert:
        return []
    accounts = AccountNumber.objects.select_related("customer").in_bulk([a for a, _, _, _ in to_alert])
    preferences = selectors.preferences_of({a.customer_id for a in accounts.values()})
    texts = selectors.template_texts()
    send_at = quiet_until(now, global_rule.quiet_start, global_rule.quiet_end) or now
    messages = []
    for accountnumber, episode, balance, rule in to_alert:
        account = accounts.get(accountnumber)
        customer = account.customer if account else None
        preference = preferences.get(getattr(customer, "pk", None))
        language = preference.language if preference else Language.SESOTHO
        rate_lsl = tariff_rate_for(account=accountnumber, on=now).rate_lsl
        values = {
            "first_name": getattr(customer, "first_name", ""),
            "account": accountnumber,
            "balance_kwh": f"{energy(max(balance, Decimal('0'))):.3f}",
            "balance_lsl": f"{money(max(balance, Decimal('0')) * rate_lsl):.2f}",
            "threshold_kwh": f"{rule.threshold_kwh:.3f}",
        }
        message = _message_build(
            kind=Kind.LOW_BALANCE,
            trigger_key=f"low_balance:{accountnumber}:{episode}",
            text=text_fill(texts[(Kind.LOW_BALANCE, language)], values),
            customer=customer,
            accountnumber=accountnumber,
            language=language,
            by=by,
            preference=preference,
            now=now,
            next_attempt_at=send_at,
        )
        if customer is None:
            message.status, message.status_reason = Message.Status.CANCELLED, "the account has no customer"
        elif send_at > now and message.status == Message.Status.QUEUED:
            message.status_reason = f"quiet hours: waits until {timezone.localtime(send_at):%Y-%m-%d %H:%M}"
        messages.append(message)
    inserted = _messages_insert(messages, by=by, reason="Low-balance alert")
    messages_dispatch(m.pk for m in inserted if m.status == Message.Status.QUEUED)
    return inserted
