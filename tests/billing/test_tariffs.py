"""Tariff schedule services: set, end, the cascade over time, the tblconfig mirror and its command."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from billing import selectors, services
from billing.models import Config, TariffRate
from ccportal.batches import IN_LIST_SIZE
from tests.factories import AccountNumberFactory, aware


@pytest.mark.django_db
def test_it_sets_rates_at_each_scope_with_history(finance):
    account = AccountNumberFactory(accountnumber="0001MAK")
    services.tariff_rate_set(scope="global", rate_lsl="5", effective_from=aware(2020, 1, 1), by=finance, reason="launch")
    services.tariff_rate_set(
        scope="site", scope_key="mak", rate_lsl="4.6", effective_from=aware(2021, 1, 1), by=finance, reason="site"
    )
    row = services.tariff_rate_set(
        scope="customer",
        scope_key=str(account.customer_id),
        rate_lsl="4.25",
        effective_from=aware(2022, 1, 1),
        by=finance,
        reason="deal",
    )
    assert selectors.tariff_rate_for(account=account, on=aware(2023, 1, 1)).rate_lsl == Decimal("4.2500")
    assert selectors.tariff_rate_for(site_code="MAK", on=aware(2023, 1, 1)).rate_lsl == Decimal("4.6000")
    last = row.history.latest()
    assert (last.history_user, last.history_change_reason) == (finance, "deal")
    assert TariffRate.objects.get(scope="site").scope_key == "MAK"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("scope", "key", "rate", "field"),
    [
        ("site", "XYZ", "4", "scope_key"),
        ("customer", "999999", "4", "scope_key"),
        ("global", "", "0", "rate_lsl"),
        ("global", "", "abc", "rate_lsl"),
    ],
)
def test_it_refuses_bad_rates(finance, scope, key, rate, field):
    with pytest.raises(ValidationError) as exc:
        services.tariff_rate_set(scope=scope, scope_key=key, rate_lsl=rate, by=finance, reason="x")
    assert field in exc.value.message_dict
    assert not TariffRate.objects.exists()


@pytest.mark.django_db
def test_it_needs_a_reason(finance):
    with pytest.raises(ValidationError):
        services.tariff_rate_set(scope="global", rate_lsl="5", by=finance, reason=" ")


@pytest.mark.django_db
def test_a_future_rate_applies_by_itself_at_its_moment(finance):
    now = timezone.now()
    services.tariff_rate_set(
        scope="global", rate_lsl="5", effective_from=now - timezone.timedelta(days=30), by=finance, reason="a"
    )
    services.tariff_rate_set(
        scope="global", rate_lsl="6", effective_from=now + timezone.timedelta(days=1), by=finance, reason="b"
    )
    assert selectors.tariff_rate_for().rate_lsl == Decimal("5.0000")
    assert selectors.tariff_rate_for(on=now + timezone.timedelta(days=1)).rate_lsl == Decimal("6.0000")
    # The mirror holds the rate in force now, not the scheduled one.
    assert Config.objects.get().therate == Decimal("5.0000")


@pytest.mark.django_db
def test_apply_due_tariffs_mirrors_the_rate_in_force_and_is_idempotent(finance):
    Config.objects.create(id=1, therate=Decimal("5.0000"))
    TariffRate.objects.create(scope="global", rate_lsl=Decimal("5.00"), effective_from=aware(2019, 1, 1))
    # A rate that came due since the last save (written as if scheduled long ago).
    TariffRate.objects.create(
        scope="global", rate_lsl=Decimal("5.50"), effective_from=timezone.now() - timezone.timedelta(minutes=1)
    )
    out = StringIO()
    call_command("apply_due_tariffs", stdout=out)
    assert "5.5000" in out.getvalue()
    assert Config.objects.get().therate == Decimal("5.5000")
    versions = Config.history.count()
    out = StringIO()
    call_command("apply_due_tariffs", stdout=out)
    assert "nothing to do" in out.getvalue()
    assert Config.history.count() == versions


@pytest.mark.django_db
def test_ending_a_rate_hands_over_to_the_next_scope(finance):
    account = AccountNumberFactory(accountnumber="0002MAK")
    services.tariff_rate_set(scope="global", rate_lsl="5", effective_from=aware(2020, 1, 1), by=finance, reason="a")
    site = services.tariff_rate_set(
        scope="site", scope_key="MAK", rate_lsl="4", effective_from=aware(2020, 1, 1), by=finance, reason="b"
    )
    assert selectors.tariff_rate_for(account=account).rate_lsl == Decimal("4.0000")
    services.tariff_rate_end(tariff_rate=site, by=finance, reason="site tariff withdrawn")
    assert selectors.tariff_rate_for(account=account).rate_lsl == Decimal("5.0000")
    assert selectors.tariff_rate_for(account=account, on=aware(2024, 1, 1)).rate_lsl == Decimal("4.0000")
    with pytest.raises(ValidationError):
        services.tariff_rate_end(tariff_rate=site, by=finance, reason="again")


@pytest.mark.django_db
def test_ending_a_scheduled_rate_cancels_it(finance):
    future = services.tariff_rate_set(
        scope="global", rate_lsl="9", effective_from=timezone.now() + timezone.timedelta(days=5), by=finance, reason="plan"
    )
    services.tariff_rate_end(tariff_rate=future, by=finance, reason="cancelled")
    assert selectors.tariff_rate_for(on=timezone.now() + timezone.timedelta(days=6)).rate_lsl != Decimal("9.0000")


@pytest.mark.django_db
def test_bulk_resolver_agrees_with_tariff_rate_for(finance):
    account = AccountNumberFactory(accountnumber="0003MAK")
    services.tariff_rate_set(scope="global", rate_lsl="5", effective_from=aware(2020, 1, 1), by=finance, reason="a")
    services.tariff_rate_set(
        scope="site", scope_key="MAK", rate_lsl="4", effective_from=aware(2021, 1, 1), by=finance, reason="b"
    )
    services.tariff_rate_set(
        scope="customer",
        scope_key=str(account.customer_id),
        rate_lsl="3",
        effective_from=aware(2022, 1, 1),
        by=finance,
        reason="c",
    )
    resolver = selectors.TariffResolver(customer_ids=[account.customer_id], site_codes=["MAK"])
    for moment in [aware(2020, 6, 1), aware(2021, 6, 1), aware(2022, 6, 1)]:
        assert resolver.rate_for(customer_id=account.customer_id, site_code="MAK", on=moment) == selectors.tariff_rate_for(
            account=account, on=moment
        )


def test_bulk_resolver_reads_many_keys_in_bounded_in_lists_and_the_global_rows_once(finance, django_assert_num_queries):
    account = AccountNumberFactory(accountnumber="0004MAK")
    services.tariff_rate_set(scope="global", rate_lsl="5", effective_from=aware(2020, 1, 1), by=finance, reason="a")
    services.tariff_rate_set(
        scope="customer",
        scope_key=str(account.customer_id),
        rate_lsl="3",
        effective_from=aware(2022, 1, 1),
        by=finance,
        reason="c",
    )
    others = [account.customer_id + 10_000 + i for i in range(IN_LIST_SIZE + 10)]  # two IN lists
    with django_assert_num_queries(2):
        resolver = selectors.TariffResolver(customer_ids=[*others, account.customer_id], site_codes=["MAK"])
    assert resolver.rate_for(customer_id=account.customer_id, site_code="MAK", on=aware(2022, 6, 1)).rate_lsl == Decimal("3")
    assert resolver.rate_for(customer_id=others[0], site_code="MAK", on=aware(2022, 6, 1)).rate_lsl == Decimal("5")
    with django_assert_num_queries(1):
        empty = selectors.TariffResolver()
    assert empty.rate_for(customer_id=None, site_code="", on=aware(2022, 6, 1)).rate_lsl == Decimal("5")


@pytest.mark.django_db
def test_an_empty_tariff_history_says_no_changes_yet_and_a_filtered_one_says_to_clear_the_filters(generic_client):
    assert "No changes yet" in generic_client.get("/tariffs/").content.decode()
    filtered = generic_client.get("/tariffs/", {"scope": "site", "key": "MAK"}).content.decode()
    assert "No changes match these filters" in filtered and "No changes yet" not in filtered
