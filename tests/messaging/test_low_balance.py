"""Low-balance alerts: below the threshold once per episode, not again before the balance has risen above the
clear level, at most N a day per account, deferred (not dropped) over quiet hours, per-site levels."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from messaging import services
from messaging.models import Kind, LowBalanceRule, Message
from tests.factories import LedgerRowFactory, aware

pytestmark = pytest.mark.django_db

NOON = aware(2026, 3, 2, 12, 0)


def balance(account, kwh, when):
    """A ledger row leaving the account at ``kwh``."""
    LedgerRowFactory(
        accountnumber=account.pk, transaction_date=when, payment=False, kwh_value=Decimal("-1"), current_balance=Decimal(kwh)
    )


def check(account, now):
    return services.low_balance_check(accountnumbers=[account.pk], now=now)


def alerts():
    return list(Message.objects.filter(kind=Kind.LOW_BALANCE).order_by("pk"))


def test_it_warns_once_below_the_threshold_and_not_again_until_cleared(account):
    balance(account, "8.000", NOON)
    assert check(account, NOON) == []  # 8 kWh: above the 5 kWh threshold
    balance(account, "4.000", NOON + timedelta(minutes=1))
    (message,) = check(account, NOON + timedelta(minutes=1))
    assert message.trigger_key == "low_balance:0045MAK:1"
    assert (
        message.text == "Motlakase oa ntlo ea 0045MAK o se o ka fela haufi. Ho setse motlakase oa boleng ba M20.00 (4.000 kWh)."
    )
    balance(account, "2.000", NOON + timedelta(minutes=2))
    assert check(account, NOON + timedelta(minutes=2)) == []  # still the same episode
    balance(account, "10.000", NOON + timedelta(minutes=3))
    assert check(account, NOON + timedelta(minutes=3)) == []  # risen, but not above the 12 kWh clear level
    balance(account, "3.000", NOON + timedelta(minutes=4))
    assert check(account, NOON + timedelta(minutes=4)) == []  # so no new alert
    balance(account, "13.000", NOON + timedelta(minutes=5))
    check(account, NOON + timedelta(minutes=5))  # above the clear level: armed again
    balance(account, "1.000", NOON + timedelta(minutes=6))
    (second,) = check(account, NOON + timedelta(minutes=6))
    assert second.trigger_key == "low_balance:0045MAK:2"
    assert len(alerts()) == 2


def test_at_most_two_a_day_per_account(account):
    moments = [NOON + timedelta(minutes=m) for m in range(0, 60, 10)]
    for i, moment in enumerate(moments):
        balance(account, "20.000" if i % 2 == 0 else "1.000", moment)
        check(account, moment)
    assert len(alerts()) == 2  # three dips the same day, two alerts
    tomorrow = NOON + timedelta(days=1)
    balance(account, "1.000", tomorrow)
    assert len(check(account, tomorrow)) == 1  # a new day: still armed, so it warns


def test_quiet_hours_defer_the_alert_to_their_end(account, settings):
    services.low_balance_rule_set(
        site_code="",
        threshold_kwh="5",
        clear_kwh="12",
        max_per_day=2,
        quiet_start=time(21, 0),
        quiet_end=time(7, 0),
        by=None,
        reason="night",
    )
    night = aware(2026, 3, 2, 23, 30)
    balance(account, "2.000", night)
    (message,) = check(account, night)
    assert message.status == Message.Status.QUEUED and message.next_attempt_at == aware(2026, 3, 3, 7, 0)
    assert message.status_reason == "quiet hours: waits until 2026-03-03 07:00"
    # The worker does not send it before then, and does after.
    assert services.messages_send_due(now=aware(2026, 3, 3, 6, 59)) == {}
    assert services.messages_send_due(now=aware(2026, 3, 3, 7, 0)) == {Message.Status.NOT_SENT_DEVELOPMENT: 1}


def test_an_alert_held_over_the_night_is_dropped_if_the_customer_paid_meanwhile(account):
    services.low_balance_rule_set(
        site_code="", threshold_kwh="5", clear_kwh="12", quiet_start=time(21, 0), quiet_end=time(7, 0), by=None, reason="night"
    )
    night = aware(2026, 3, 2, 23, 30)
    balance(account, "2.000", night)
    (message,) = check(account, night)
    balance(account, "30.000", aware(2026, 3, 3, 6, 0))  # paid at dawn
    assert services.messages_send_due(now=aware(2026, 3, 3, 7, 0)) == {Message.Status.CANCELLED: 1}
    message.refresh_from_db()
    assert message.status_reason == "not sent: the balance has risen to 30.000 kWh since"


def test_quiet_hours_are_local_time():
    start, end = time(21, 0), time(7, 0)
    assert services.quiet_until(aware(2026, 3, 2, 20, 59), start, end) is None
    assert services.quiet_until(aware(2026, 3, 2, 21, 0), start, end) == aware(2026, 3, 3, 7, 0)
    assert services.quiet_until(aware(2026, 3, 3, 6, 0), start, end) == aware(2026, 3, 3, 7, 0)
    assert services.quiet_until(aware(2026, 3, 3, 7, 0), start, end) is None
    assert services.quiet_until(aware(2026, 3, 3, 13, 0), time(12, 0), time(14, 0)) == aware(2026, 3, 3, 14, 0)


def test_a_site_rule_overrides_the_levels(account):
    from customers.models import Site

    Site.objects.get_or_create(code="MAK", defaults={"name": "Ha Makebe"})
    services.low_balance_rule_set(site_code="mak", threshold_kwh="2", clear_kwh="6", by=None, reason="small loads")
    balance(account, "4.000", NOON)
    assert check(account, NOON) == []  # below the global 5 but not the site's 2
    balance(account, "1.500", NOON + timedelta(minutes=1))
    assert len(check(account, NOON + timedelta(minutes=1))) == 1
    assert LowBalanceRule.objects.get(site_code="MAK").history.first().history_change_reason == "small loads"


def test_rules_are_checked(account):
    with pytest.raises(ValidationError) as error:
        services.low_balance_rule_set(site_code="", threshold_kwh="5", clear_kwh="5", by=None, reason="x")
    assert "clear_kwh" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.low_balance_rule_set(site_code="ZZZ", threshold_kwh="1", clear_kwh="5", by=None, reason="x")
    with pytest.raises(ValidationError):
        services.low_balance_rule_set(site_code="", threshold_kwh="1", clear_kwh="5", by=None, reason="")


def test_a_consumption_row_through_billing_triggers_the_check(account, finance, django_capture_on_commit_callbacks):
    from billing import services as billing

    with django_capture_on_commit_callbacks(execute=True):
        billing.ledger_entry_create(
            accountnumber=account.pk,
            when=timezone.now() - timedelta(hours=1),
            is_payment=True,
            amount=Decimal("100"),
            by=finance,
            reason="cash",
        )
    with django_capture_on_commit_callbacks(execute=True):
        billing.ledger_entry_create(
            accountnumber=account.pk, when=timezone.now(), is_payment=False, kwh=Decimal("17"), by=finance, reason="reading"
        )
    (message,) = alerts()
    assert "(3.000 kWh)" in message.text


def test_a_balance_change_that_changes_no_state_writes_none(account, django_assert_num_queries):
    """A payment on an armed account (the common case: every row of a statement) updates no state row; the
    balance is recorded with the change of state that it caused."""
    from messaging.models import LowBalanceState

    balance(account, "20.000", NOON)
    check(account, NOON)
    balance(account, "30.000", NOON + timedelta(minutes=1))
    with django_assert_num_queries(6):  # savepoint, rules, balances, known states, states locked, release: no UPDATE
        check(account, NOON + timedelta(minutes=1))
    assert LowBalanceState.objects.get().last_balance_kwh == Decimal("0.000")
    balance(account, "3.000", NOON + timedelta(minutes=2))
    check(account, NOON + timedelta(minutes=2))
    state = LowBalanceState.objects.get()
    assert not state.armed and state.last_balance_kwh == Decimal("3.000")


def test_a_ledger_write_leaves_the_check_to_the_worker(account, settings, django_capture_on_commit_callbacks):
    from django_tasks import default_task_backend

    from billing.services import ledger_entry_create
    from messaging import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        ledger_entry_create(
            accountnumber=account.pk, when=NOON, is_payment=False, kwh="2", rate_lsl="5", by=None, reason="consumption"
        )
    assert alerts() == []
    (result,) = [r for r in default_task_backend.results if r.task.name == "low_balance_check"]
    assert result.args == [[account.pk], None]
    assert tasks.low_balance_check.call(*result.args) == 1 and len(alerts()) == 1
